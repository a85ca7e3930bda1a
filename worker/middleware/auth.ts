import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { TOKEN_PREFIX, type TokenScope } from "#protocol/tokens.ts";
import type { Checked } from "../auth/checked.ts";
import { clearSessionCookie, readSignInClaims, type Technician } from "../auth/session-cookie.ts";
import { hashToken } from "../auth/tokens.ts";
import { technicianOfToken } from "../db/api-tokens.ts";
import { findSignIn } from "../db/sign-ins.ts";
import { AppError } from "../errors.ts";
import type { AppEnv } from "../types.ts";

/**
 * The technician this request's sign-in cookie names, if that sign-in still stands: the signature first, then one
 * primary-key lookup in the sign-ins table (which gives the name and role as stored now). A cookie whose sign-in
 * was taken back (signed out, its passkey or its technician removed) is cleared and answered SIGN_IN_REVOKED.
 */
export async function authenticate(c: Context<AppEnv>, message: string): Promise<Checked<Technician>> {
  const claims = await readSignInClaims(c, c.get("config"));
  if (!claims) return { ok: false, error: new AppError("UNAUTHENTICATED", 401, message) };
  const technician = await findSignIn(c.env.DB, claims.signInId, claims.technicianId, Date.now());
  if (!technician) {
    clearSessionCookie(c);
    return {
      ok: false,
      error: new AppError(
        "SIGN_IN_REVOKED",
        401,
        "This sign-in has ended (signed out, or its passkey or account was removed); sign in again.",
      ),
    };
  }
  return { ok: true, value: technician };
}

/** Lets only a signed-in technician through and puts them on the context. */
export const requireTechnician = createMiddleware<AppEnv>(async (c, next) => {
  const result = await authenticate(c, "Sign in with your passkey first.");
  if (!result.ok) throw result.error;
  c.set("technician", result.value);
  await next();
});

/** The API token of a request's `Authorization: Bearer tth_…` header, if it has one. */
export function bearerToken(c: Context<AppEnv>): string | null {
  const match = /^Bearer (\S{1,200})$/.exec(c.req.header("authorization") ?? "");
  return match?.[1]?.startsWith(TOKEN_PREFIX) ? match[1] : null;
}

/**
 * Lets through a signed-in technician, or a request with a live API token of `scope` (a helpdesk app acting for the
 * token's technician, who is put on the context as stored now). A token that is unknown, revoked or lacks the scope
 * is refused with TOKEN_INVALID; the token itself never reaches a log.
 */
export function requireTechnicianOrToken(scope: TokenScope) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const token = bearerToken(c);
    if (token === null) {
      const result = await authenticate(c, "Sign in with your passkey first, or send an API token.");
      if (!result.ok) throw result.error;
      c.set("technician", result.value);
      await next();
      return;
    }
    const found = await technicianOfToken(c.env.DB, await hashToken(token), scope, Date.now());
    if (!found) {
      throw new AppError("TOKEN_INVALID", 401, `This API token is unknown, revoked, or may not do this (${scope}).`);
    }
    const { tokenId, ...technician } = found;
    c.set("technician", { ...technician, signInId: tokenId });
    c.set("apiTokenId", tokenId);
    await next();
  });
}

/** Lets only a signed-in admin (as stored now) through. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const result = await authenticate(c, "Sign in with your passkey first.");
  if (!result.ok) throw result.error;
  if (!result.value.isAdmin) throw new AppError("FORBIDDEN", 403, "Only an admin can do this.");
  c.set("technician", result.value);
  await next();
});
