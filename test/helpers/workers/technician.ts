import { env } from "cloudflare:workers";
import { SESSION_COOKIE, signTechnicianToken } from "../../../worker/auth/session-cookie.ts";
import { parseConfig } from "../../../worker/config.ts";
import { createSignIn } from "../../../worker/db/sign-ins.ts";

/** A technician as a test created them. */
export type CreatedTechnician = { id: string; name: string; isAdmin: boolean };

/** Inserts a technician straight into D1 with a sign-in record (no passkey) and returns a cookie naming it. */
export async function createTechnician(
  name = "Ada Tech",
  isAdmin = false,
): Promise<{ technician: CreatedTechnician; cookie: string }> {
  const id = crypto.randomUUID();
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO technicians (id, display_name, is_admin, webauthn_user_id, created_at) VALUES (?, ?, ?, ?, ?)",
  )
    .bind(id, name, isAdmin ? 1 : 0, crypto.randomUUID(), now)
    .run();
  const parsed = parseConfig(env as unknown as Record<string, unknown>);
  if (!parsed.ok) throw new Error(parsed.issues.join("; "));
  const { config } = parsed;
  const signInId = await createSignIn(env.DB, {
    technicianId: id,
    passkeyId: null,
    now,
    expiresAt: now + config.AUTH_TTL_S * 1000,
  });
  const token = await signTechnicianToken({ technicianId: id, signInId }, config);
  return { technician: { id, name, isAdmin }, cookie: `${SESSION_COOKIE}=${token}` };
}
