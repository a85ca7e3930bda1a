import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AuditData, AuditInput, AuditType } from "#protocol/audit.ts";
import { AppError } from "../errors.ts";
import type { AppEnv } from "../types.ts";

// How routes write to the organisation's audit log: one call per event, after the change it records has been made.
// The entry's actor is the signed-in technician unless the route says otherwise; sign-in entries carry the client's
// IP address only when the admin turned AUDIT_IP_ADDRESSES on. Nothing a person typed goes in but ids and codes.

/** The actor of a technician's own action. */
export function technicianActor(id: string): `technician:${string}` {
  return `technician:${id}`;
}

/** Appends an entry for this request; resolves once it is stored (a failure ends the request with INTERNAL). */
export async function audit(
  c: Context<AppEnv>,
  type: AuditType,
  data: AuditData,
  options: { actor?: string; session?: string | null } = {},
): Promise<void> {
  const signedIn = c.get("technician") as { id: string } | undefined;
  const actor = options.actor ?? (signedIn ? technicianActor(signedIn.id) : "anonymous");
  const isSignIn = type === "sign_in_succeeded" || type === "sign_in_failed";
  const ip = isSignIn && c.get("config").AUDIT_IP_ADDRESSES ? c.get("host").clientAddress(c.req.raw) : undefined;
  await c.get("host").audit({ actor, session: options.session ?? null, type, data: ip ? { ...data, ip } : data });
}

/** Records a sign-in that ended in an error the client caused (a bad passkey, a stale challenge), with its code. */
export const auditFailedSignIn = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.error instanceof AppError && c.error.status < 500 && c.error.code !== "RATE_LIMITED") {
    await audit(c, "sign_in_failed", { reason: c.error.code });
  }
});

/**
 * The entry of a new session: its owner (or the customer, for a help request), its case number, the helpdesk's
 * reference, which its webhook events echo, and the API token it was created with, if any.
 */
export function sessionCreatedEntry(
  code: string,
  ownerId: string | null,
  details: { caseNumber: string | null; reference: string | null; apiTokenId?: string | undefined },
  expiresAt: number,
): AuditInput {
  const actor = ownerId ? technicianActor(ownerId) : "customer";
  const { caseNumber, reference, apiTokenId } = details;
  const data = {
    caseNumber,
    reference,
    expiresAt,
    isHelpRequest: !ownerId,
    ...(apiTokenId ? { apiToken: apiTokenId } : {}),
  };
  return { actor, session: code, type: "session_created", data };
}
