import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { jwtVerify, SignJWT } from "jose";
import * as z from "zod/mini";
import type { Config } from "../config.ts";

/** Name of the cookie that carries a technician's sign-in. */
export const SESSION_COOKIE = "tether_session";

/** Who a request's sign-in is, as checked against the sign-ins table: name and role are as stored now. */
export const Technician = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  name: z.string().check(z.minLength(1), z.maxLength(80)),
  isAdmin: z.boolean(),
  /** The sign-in record the cookie names (sign_ins.id). */
  signInId: z.string().check(z.minLength(1), z.maxLength(64)),
});
export type Technician = z.infer<typeof Technician>;

/** What a validly signed cookie claims: the technician and the sign-in record, both still to be looked up. */
export type SignInClaims = { technicianId: string; signInId: string };

const Claims = z.object({
  sub: z.string().check(z.minLength(1), z.maxLength(64)),
  jti: z.string().check(z.minLength(1), z.maxLength(64)),
});

const ISSUER = "tether";
const AUDIENCE = "tether-console";

function key(config: Config): Uint8Array {
  return new TextEncoder().encode(config.JWT_SECRET);
}

/** Signs a short-lived JWT naming a technician and their sign-in record (jti). */
export async function signTechnicianToken(claims: SignInClaims, config: Config, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.technicianId)
    .setJti(claims.signInId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + config.AUTH_TTL_S)
    .sign(key(config));
}

/**
 * The claims of a token; null when it is missing, forged, expired or malformed (a token signed before sign-ins
 * were records has no jti, so it is malformed). Whether the sign-in still stands is the sign-ins table's answer.
 */
export async function verifyTechnicianToken(token: string | undefined, config: Config): Promise<SignInClaims | null> {
  if (!token || token.length > 4096) return null;
  try {
    const { payload } = await jwtVerify(token, key(config), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ["HS256"],
    });
    const parsed = Claims.safeParse(payload);
    return parsed.success ? { technicianId: parsed.data.sub, signInId: parsed.data.jti } : null;
  } catch {
    return null;
  }
}

/** Sets the HttpOnly, Secure, SameSite=Strict sign-in cookie for the sign-in record `claims.signInId`. */
export async function setSessionCookie(c: Context, claims: SignInClaims, config: Config): Promise<void> {
  setCookie(c, SESSION_COOKIE, await signTechnicianToken(claims, config), {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/",
    maxAge: config.AUTH_TTL_S,
  });
}

/** Clears the sign-in cookie. */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, secure: true, sameSite: "Strict", path: "/" });
}

/** The claims of this request's sign-in cookie, or null. */
export function readSignInClaims(c: Context, config: Config): Promise<SignInClaims | null> {
  return verifyTechnicianToken(getCookie(c, SESSION_COOKIE), config);
}
