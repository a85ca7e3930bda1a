import { type Context, Hono } from "hono";
import {
  MAX_AUTH_BODY_BYTES,
  type MeResponse,
  type PasskeyAddedResponse,
  PasskeyIdParam,
  RegisterVerifyBody,
  RenamePasskeyBody,
  RenameSelfBody,
  type TechnicianUpdated,
} from "#protocol/auth.ts";
import { redeemChallenge, rememberChallenge } from "../auth/challenges.ts";
import { unwrap } from "../auth/checked.ts";
import { clearSessionCookie } from "../auth/session-cookie.ts";
import { creationOptions, relyingParty, verifyRegistration } from "../auth/webauthn.ts";
import { addPasskey, deletePasskey, listPasskeys, renamePasskey } from "../db/passkeys.ts";
import { findSignIn, revokeAllSignIns } from "../db/sign-ins.ts";
import { findTechnician, renameSelf, type TechnicianRecord, technicianInfo } from "../db/technicians.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import { audit } from "../middleware/audit.ts";
import { requireTechnician } from "../middleware/auth.ts";
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

/** The signed-in technician's own account, display name, passkeys and sign-ins (/api/me). */
export const technicians = new Hono<AppEnv>()
  .get("/me", requireTechnician, async (c) => {
    const technician = await currentTechnician(c);
    const passkeys = await listPasskeys(c.env.DB, technician.id);
    return c.json<MeResponse>({
      technician: technicianInfo(technician),
      organisation: c.get("config").ORGANISATION,
      passkeys: passkeys.map(({ id, name, createdAt, lastUsedAt }) => ({ id, name, createdAt, lastUsedAt })),
    });
  })
  .patch("/me", requireTechnician, jsonBody(MAX_AUTH_BODY_BYTES), validate("json", RenameSelfBody), async (c) => {
    const technicianId = c.get("technician").id;
    const renamed = await renameSelf(c.env.DB, technicianId, c.req.valid("json").name);
    if (!renamed.ok) {
      if (renamed.reason === "locked") {
        throw new AppError("NAME_LOCKED", 403, "An admin has locked your display name; ask an admin to change it.");
      }
      throw new AppError("UNAUTHENTICATED", 401, "Your account no longer exists; ask an admin for an invite.");
    }
    log({ event: "technician_name_changed", technicianId, isRenamed: true, by: technicianId });
    return c.json<TechnicianUpdated>({ technician: technicianInfo(renamed.technician) });
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
      await audit(c, "passkey_added", { technician: technicianId, passkey: passkey.id.slice(0, 200) });
      return c.json<PasskeyAddedResponse>(
        { passkey: { id: passkey.id, name: null, createdAt: now, lastUsedAt: null } },
        201,
      );
    },
  )
  .patch(
    "/me/passkeys/:id",
    requireTechnician,
    validate("param", PasskeyIdParam),
    jsonBody(MAX_AUTH_BODY_BYTES),
    validate("json", RenamePasskeyBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const passkey = await renamePasskey(c.env.DB, c.get("technician").id, id, c.req.valid("json").name);
      if (!passkey) throw new AppError("NOT_FOUND", 404, "You have no passkey with this id.");
      return c.json<PasskeyAddedResponse>({ passkey });
    },
  )
  .delete("/me/passkeys/:id", requireTechnician, validate("param", PasskeyIdParam), async (c) => {
    const { id: technicianId, signInId } = c.get("technician");
    const outcome = await deletePasskey(c.env.DB, technicianId, c.req.valid("param").id);
    if (outcome === "not_found") throw new AppError("NOT_FOUND", 404, "You have no passkey with this id.");
    if (outcome === "last") {
      throw new AppError("LAST_PASSKEY", 409, "This is your only passkey; add another before removing it.");
    }
    log({ event: "passkey_removed", technicianId });
    await audit(c, "passkey_removed", { technician: technicianId, passkey: c.req.valid("param").id.slice(0, 200) });
    // The sign-ins made with it ended with it; if this was one of them, this browser is signed out too.
    if (!(await findSignIn(c.env.DB, signInId, technicianId, Date.now()))) clearSessionCookie(c);
    return c.body(null, 204);
  })
  .delete("/me/sign-ins", requireTechnician, async (c) => {
    const technicianId = c.get("technician").id;
    await revokeAllSignIns(c.env.DB, technicianId);
    log({ event: "signed_out", technicianId, scope: "everywhere" });
    await audit(c, "signed_out", { scope: "everywhere" });
    clearSessionCookie(c);
    return c.body(null, 204);
  });
