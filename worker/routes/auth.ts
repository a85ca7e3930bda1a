import { type Context, Hono } from "hono";
import {
  LoginVerifyBody,
  MAX_AUTH_BODY_BYTES,
  RegisterOptionsBody,
  RegisterVerifyBody,
  type SignedInResponse,
} from "#protocol/auth.ts";
import { redeemChallenge, rememberChallenge } from "../auth/challenges.ts";
import { unwrap } from "../auth/checked.ts";
import { clearSessionCookie, readSignInClaims, setSessionCookie } from "../auth/session-cookie.ts";
import { hashToken } from "../auth/tokens.ts";
import {
  creationOptions,
  newUserId,
  relyingParty,
  requestOptions,
  verifyAuthentication,
  verifyRegistration,
} from "../auth/webauthn.ts";
import { findInvite } from "../db/invites.ts";
import { findPasskey, recordPasskeyUse } from "../db/passkeys.ts";
import { createSignIn, revokeSignIn } from "../db/sign-ins.ts";
import { enrolTechnician, findTechnician, type TechnicianRecord, technicianInfo } from "../db/technicians.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import { audit, auditFailedSignIn, technicianActor } from "../middleware/audit.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { validate } from "../middleware/validate.ts";
import type { AppEnv } from "../types.ts";

function signedIn(technician: TechnicianRecord): SignedInResponse {
  return { technician: technicianInfo(technician) };
}

/** Records a sign-in made with `passkeyId` and sets the cookie that names it. */
async function signIn(c: Context<AppEnv>, technicianId: string, passkeyId: string, now: number): Promise<void> {
  const config = c.get("config");
  const expiresAt = now + config.AUTH_TTL_S * 1000;
  const signInId = await createSignIn(c.env.DB, { technicianId, passkeyId, now, expiresAt });
  // Deleted by an alarm once expired, whether or not this technician signs in again.
  await c.get("host").sweepSignInsBy(expiresAt);
  await setSessionCookie(c, { technicianId, signInId }, config);
}

/** Passkey enrolment (with an invite), sign-in and sign-out: /api/auth/*, all rate limited per IP. */
export const auth = new Hono<AppEnv>()
  .use(rateLimit("signin", (config) => config.RATE_SIGNIN_PER_MIN))
  .post("/register/options", jsonBody(MAX_AUTH_BODY_BYTES), validate("json", RegisterOptionsBody), async (c) => {
    const { invite, displayName } = c.req.valid("json");
    const now = Date.now();
    const inviteHash = await hashToken(invite);
    const found = await findInvite(c.env.DB, inviteHash);
    if (!found) {
      throw new AppError("INVITE_INVALID", 400, "This invite link is not valid; check you copied all of it.");
    }
    if (found.usedAt !== null) {
      throw new AppError("INVITE_INVALID", 410, "This invite link has already been used; ask an admin for a new one.");
    }
    if (found.expiresAt <= now) {
      throw new AppError("INVITE_INVALID", 410, "This invite link has expired; ask an admin for a new one.");
    }
    const userId = newUserId();
    const options = await creationOptions(relyingParty(c.req.url, c.get("config")), { id: userId, name: displayName });
    await rememberChallenge(c.env.DB, options.challenge, { purpose: "register", inviteHash, displayName, userId }, now);
    return c.json(options);
  })
  .post("/register/verify", jsonBody(MAX_AUTH_BODY_BYTES), validate("json", RegisterVerifyBody), async (c) => {
    const { response } = c.req.valid("json");
    const config = c.get("config");
    const now = Date.now();
    const { challenge, pending } = unwrap(
      await redeemChallenge(c.env.DB, response.response.clientDataJSON, "register", now),
    );
    const passkey = unwrap(await verifyRegistration(relyingParty(c.req.url, config), response, challenge));
    const enrolled = await enrolTechnician(c.env.DB, {
      inviteHash: pending.inviteHash,
      technician: { id: crypto.randomUUID(), name: pending.displayName, webauthnUserId: pending.userId },
      passkey,
      now,
    });
    if (!enrolled.ok) {
      if (enrolled.reason === "duplicate_passkey") {
        throw new AppError("CONFLICT", 409, "This passkey is already registered; sign in with it instead.");
      }
      throw new AppError(
        "INVITE_INVALID",
        410,
        "This invite link was used or expired meanwhile; ask an admin for a new one.",
      );
    }
    const { technician } = enrolled;
    await signIn(c, technician.id, passkey.id, now);
    log({ event: "technician_enrolled", technicianId: technician.id, isAdmin: technician.isAdmin });
    await audit(
      c,
      "technician_enrolled",
      { technician: technician.id, isAdmin: technician.isAdmin },
      { actor: technicianActor(technician.id) },
    );
    return c.json(signedIn(technician));
  })
  .post("/login/options", async (c) => {
    const options = await requestOptions(relyingParty(c.req.url, c.get("config")));
    await rememberChallenge(c.env.DB, options.challenge, { purpose: "login" }, Date.now());
    return c.json(options);
  })
  .post(
    "/login/verify",
    auditFailedSignIn,
    jsonBody(MAX_AUTH_BODY_BYTES),
    validate("json", LoginVerifyBody),
    async (c) => {
      const { response } = c.req.valid("json");
      const config = c.get("config");
      const now = Date.now();
      const { challenge } = unwrap(await redeemChallenge(c.env.DB, response.response.clientDataJSON, "login", now));
      const passkey = await findPasskey(c.env.DB, response.id);
      const technician = passkey && (await findTechnician(c.env.DB, passkey.technicianId));
      if (!passkey || !technician) {
        throw new AppError(
          "PASSKEY_INVALID",
          401,
          "This passkey is not registered with Tether; use another or ask an admin for an invite.",
        );
      }
      // A discoverable credential must name its user; it has to be the one the passkey was made for.
      if (response.response.userHandle !== technician.webauthnUserId) {
        throw new AppError(
          "PASSKEY_INVALID",
          401,
          "This passkey does not belong to the account it claims; use another.",
        );
      }
      const { newCounter } = unwrap(
        await verifyAuthentication(relyingParty(c.req.url, config), response, challenge, passkey),
      );
      if (!(await recordPasskeyUse(c.env.DB, passkey.id, passkey.counter, newCounter, now))) {
        throw new AppError(
          "PASSKEY_INVALID",
          401,
          "This passkey was used twice at once, which may mean it was cloned; try again.",
        );
      }
      await signIn(c, technician.id, passkey.id, now);
      log({ event: "technician_signed_in", technicianId: technician.id });
      await audit(c, "sign_in_succeeded", { technician: technician.id }, { actor: technicianActor(technician.id) });
      return c.json(signedIn(technician));
    },
  )
  .post("/logout", async (c) => {
    // Ends the sign-in on the server, not only in this browser: a copy of the cookie stops working too.
    const claims = await readSignInClaims(c, c.get("config"));
    if (claims) {
      await revokeSignIn(c.env.DB, claims.signInId);
      log({ event: "signed_out", technicianId: claims.technicianId, scope: "this" });
      await audit(c, "signed_out", { scope: "this" }, { actor: technicianActor(claims.technicianId) });
    }
    clearSessionCookie(c);
    return c.body(null, 204);
  });
