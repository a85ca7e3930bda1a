import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { Checked } from "../auth/checked.ts";
import { clearSessionCookie, readSignInClaims, type Technician } from "../auth/session-cookie.ts";
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

/** Lets only a signed-in admin (as stored now) through. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const result = await authenticate(c, "Sign in with your passkey first.");
  if (!result.ok) throw result.error;
  if (!result.value.isAdmin) throw new AppError("FORBIDDEN", 403, "Only an admin can do this.");
  c.set("technician", result.value);
  await next();
});
