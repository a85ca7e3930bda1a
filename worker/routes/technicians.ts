import { type Context, Hono } from "hono";
import {
  CreateInviteBody,
  type InviteResponse,
  MAX_AUTH_BODY_BYTES,
  type MeResponse,
  type PasskeyAddedResponse,
  PasskeyIdParam,
  RegisterVerifyBody,
} from "#protocol/auth.ts";
import { redeemChallenge, rememberChallenge } from "../auth/challenges.ts";
import { unwrap } from "../auth/checked.ts";
import { hashToken, newToken } from "../auth/tokens.ts";
import { creationOptions, relyingParty, verifyRegistration } from "../auth/webauthn.ts";
import { insertInvite } from "../db/invites.ts";
import { addPasskey, deletePasskey, listPasskeys } from "../db/passkeys.ts";
import { findTechnician, type TechnicianRecord } from "../db/technicians.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import { requireAdmin, requireTechnician } from "../middleware/auth.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { validate } from "../middleware/validate.ts";
import type { AppEnv } from "../types.ts";

/** The signed-in technician as stored now: the cookie may outlive a deleted account or a changed role. */
async function currentTechnician(c: Context<AppEnv>): Promise<TechnicianRecord> {
  const technician = await findTechnician(c.env.DB, c.get("technician").id);
  if (!technician)
    throw new AppError("UNAUTHENTICATED", 401, "Your account no longer exists; ask an admin for an invite.");
  return technician;
}

/** The signed-in technician's own account and passkeys (/api/me), and invites for admins (/api/invites). */
export const technicians = new Hono<AppEnv>()
  .get("/me", requireTechnician, async (c) => {
    const technician = await currentTechnician(c);
    const passkeys = await listPasskeys(c.env.DB, technician.id);
    return c.json<MeResponse>({
      technician: { id: technician.id, name: technician.name, isAdmin: technician.isAdmin },
      organisation: c.get("config").ORGANISATION,
      passkeys: passkeys.map(({ id, createdAt, lastUsedAt }) => ({ id, createdAt, lastUsedAt })),
    });
  })
  .post("/me/passkeys/options", requireTechnician, async (c) => {
    const technician = await currentTechnician(c);
    const existing = await listPasskeys(c.env.DB, technician.id);
    const options = await creationOptions(
      relyingParty(c.req.url, c.get("config")),
      { id: technician.webauthnUserId, name: technician.name },
      existing.map(({ id, transports }) => ({ id, transports })),
    );
    await rememberChallenge(
      c.env.DB,
      options.challenge,
      { purpose: "add-passkey", technicianId: technician.id },
      Date.now(),
    );
    return c.json(options);
  })
  .post(
    "/me/passkeys/verify",
    requireTechnician,
    jsonBody(MAX_AUTH_BODY_BYTES),
    validate("json", RegisterVerifyBody),
    async (c) => {
      const { response } = c.req.valid("json");
      const technicianId = c.get("technician").id;
      const now = Date.now();
      const { challenge, pending } = unwrap(
        await redeemChallenge(c.env.DB, response.response.clientDataJSON, "add-passkey", now),
      );
      if (pending.technicianId !== technicianId) {
        throw new AppError("CHALLENGE_INVALID", 400, "This passkey prompt was started by someone else; start again.");
      }
      const passkey = unwrap(await verifyRegistration(relyingParty(c.req.url, c.get("config")), response, challenge));
      const added = await addPasskey(c.env.DB, technicianId, passkey, now);
      if (added === "duplicate") throw new AppError("CONFLICT", 409, "This passkey is already registered.");
      if (added === "missing") {
        throw new AppError("UNAUTHENTICATED", 401, "Your account no longer exists; ask an admin for an invite.");
      }
      log({ event: "passkey_added", technicianId });
      return c.json<PasskeyAddedResponse>({ passkey: { id: passkey.id, createdAt: now, lastUsedAt: null } }, 201);
    },
  )
  .delete("/me/passkeys/:id", requireTechnician, validate("param", PasskeyIdParam), async (c) => {
    const technicianId = c.get("technician").id;
    const outcome = await deletePasskey(c.env.DB, technicianId, c.req.valid("param").id);
    if (outcome === "not_found") throw new AppError("NOT_FOUND", 404, "You have no passkey with this id.");
    if (outcome === "last") {
      throw new AppError("LAST_PASSKEY", 409, "This is your only passkey; add another before removing it.");
    }
    log({ event: "passkey_removed", technicianId });
    return c.body(null, 204);
  })
  .post("/invites", requireAdmin, jsonBody(MAX_AUTH_BODY_BYTES), validate("json", CreateInviteBody), async (c) => {
    const admin = await currentTechnician(c);
    if (!admin.isAdmin) throw new AppError("FORBIDDEN", 403, "Only an admin can do this.");
    const token = newToken();
    const now = Date.now();
    const expiresAt = now + c.get("config").INVITE_TTL_S * 1000;
    await insertInvite(c.env.DB, {
      tokenHash: await hashToken(token),
      isAdmin: c.req.valid("json").isAdmin ?? false,
      createdBy: admin.id,
      createdAt: now,
      expiresAt,
    });
    log({ event: "invite_created", technicianId: admin.id, expiresAt });
    // The token travels in the fragment, which browsers never send to a server, so it stays out of every log.
    const url = `${new URL(c.req.url).origin}/enrol#${token}`;
    return c.json<InviteResponse>({ url, expiresAt }, 201);
  });
