import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { jwtVerify, SignJWT } from "jose";
import * as z from "zod/mini";
import type { Config } from "../config.ts";

/** Name of the cookie that carries a technician's sign-in. */
export const SESSION_COOKIE = "tether_session";

/** Who a valid sign-in cookie says the caller is. */
export const Technician = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  name: z.string().check(z.minLength(1), z.maxLength(80)),
  isAdmin: z.boolean(),
});
export type Technician = z.infer<typeof Technician>;

const ISSUER = "tether";
const AUDIENCE = "tether-console";

function key(config: Config): Uint8Array {
  return new TextEncoder().encode(config.JWT_SECRET);
}

/** Signs a short-lived JWT for a technician. */
export async function signTechnicianToken(technician: Technician, config: Config, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ name: technician.name, adm: technician.isAdmin })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(technician.id)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + config.AUTH_TTL_S)
    .sign(key(config));
}

/** Verifies a token; null when it is missing, forged, expired or malformed. */
export async function verifyTechnicianToken(token: string | undefined, config: Config): Promise<Technician | null> {
  if (!token || token.length > 4096) return null;
  try {
    const { payload } = await jwtVerify(token, key(config), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ["HS256"],
    });
    const parsed = Technician.safeParse({ id: payload.sub, name: payload.name, isAdmin: payload.adm });
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Sets the HttpOnly, Secure, SameSite=Strict sign-in cookie. */
export async function setSessionCookie(c: Context, technician: Technician, config: Config): Promise<void> {
  setCookie(c, SESSION_COOKIE, await signTechnicianToken(technician, config), {
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

/** The signed-in technician of this request, or null. */
export function readTechnician(c: Context, config: Config): Promise<Technician | null> {
  return verifyTechnicianToken(getCookie(c, SESSION_COOKIE), config);
}
