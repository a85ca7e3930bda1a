import { Hono } from "hono";
import {
  CreateInviteBody,
  InviteIdParam,
  type InviteList,
  type InviteResponse,
  MAX_AUTH_BODY_BYTES,
  TechnicianIdParam,
  type TechnicianList,
  type TechnicianUpdated,
  UpdateTechnicianBody,
} from "#protocol/auth.ts";
import { hashToken, newToken } from "../auth/tokens.ts";
import { insertInvite, listOpenInvites, revokeInvite } from "../db/invites.ts";
import {
  findTechnician,
  listTechnicians,
  removeTechnician,
  setAdmin,
  setName,
  type TechnicianRecord,
  technicianInfo,
} from "../db/technicians.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import { audit } from "../middleware/audit.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { validate } from "../middleware/validate.ts";
import type { AppEnv } from "../types.ts";

const LAST_ADMIN_MESSAGE = "This is the only admin; make another technician an admin first.";

/** The admin console's API: technicians (/api/technicians) and invites (/api/invites). Every route checks, per request, that the caller is an admin now. */
export const admin = new Hono<AppEnv>()
  .get("/technicians", requireAdmin, async (c) => {
    const technicians = await listTechnicians(c.env.DB, Date.now());
    return c.json<TechnicianList>({ technicians });
  })
  .patch(
    "/technicians/:id",
    requireAdmin,
    validate("param", TechnicianIdParam),
    jsonBody(MAX_AUTH_BODY_BYTES),
    validate("json", UpdateTechnicianBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const { isAdmin, name, nameLocked } = c.req.valid("json");
      const by = c.get("technician").id;
      let technician: TechnicianRecord | null = await findTechnician(c.env.DB, id);
      if (!technician) throw new AppError("NOT_FOUND", 404, "There is no technician with this id.");
      if (isAdmin !== undefined) {
        const result = await setAdmin(c.env.DB, id, isAdmin);
        if (!result.ok) {
          if (result.reason === "last_admin") throw new AppError("LAST_ADMIN", 409, LAST_ADMIN_MESSAGE);
          throw new AppError("NOT_FOUND", 404, "There is no technician with this id.");
        }
        technician = result.technician;
        log({ event: "technician_role_changed", technicianId: id, isAdmin, by });
        await audit(c, "technician_role_changed", { technician: id, isAdmin });
      }
      if (name !== undefined || nameLocked !== undefined) {
        technician = await setName(c.env.DB, id, { name, nameLocked });
        if (!technician) throw new AppError("NOT_FOUND", 404, "There is no technician with this id.");
        // The name itself stays out of the log: it is what a person typed, and the audit needs only who and what.
        log({ event: "technician_name_changed", technicianId: id, isRenamed: name !== undefined, nameLocked, by });
      }
      return c.json<TechnicianUpdated>({ technician: technicianInfo(technician) });
    },
  )
  .delete("/technicians/:id", requireAdmin, validate("param", TechnicianIdParam), async (c) => {
    const { id } = c.req.valid("param");
    const outcome = await removeTechnician(c.env.DB, id);
    if (outcome === "last_admin") throw new AppError("LAST_ADMIN", 409, LAST_ADMIN_MESSAGE);
    if (outcome === "not_found") throw new AppError("NOT_FOUND", 404, "There is no technician with this id.");
    // Their sign-ins went with them: requests fail at once, and rooms close their sockets at the next check.
    log({ event: "technician_removed", technicianId: id, by: c.get("technician").id });
    await audit(c, "technician_removed", { technician: id });
    return c.body(null, 204);
  })
  .get("/invites", requireAdmin, async (c) => {
    const invites = await listOpenInvites(c.env.DB, Date.now());
    return c.json<InviteList>({
      invites: invites.map(({ tokenHash, ...invite }) => ({ id: tokenHash, ...invite })),
    });
  })
  .post("/invites", requireAdmin, jsonBody(MAX_AUTH_BODY_BYTES), validate("json", CreateInviteBody), async (c) => {
    const adminId = c.get("technician").id;
    const token = newToken();
    const now = Date.now();
    const expiresAt = now + c.get("config").INVITE_TTL_S * 1000;
    await insertInvite(c.env.DB, {
      tokenHash: await hashToken(token),
      isAdmin: c.req.valid("json").isAdmin ?? false,
      createdBy: adminId,
      createdAt: now,
      expiresAt,
    });
    log({ event: "invite_created", technicianId: adminId, expiresAt });
    await audit(c, "technician_invited", { isAdmin: c.req.valid("json").isAdmin ?? false, expiresAt });
    // The token travels in the fragment, which browsers never send to a server, so it stays out of every log.
    const url = `${new URL(c.req.url).origin}/enrol#${token}`;
    return c.json<InviteResponse>({ url, expiresAt }, 201);
  })
  .delete("/invites/:id", requireAdmin, validate("param", InviteIdParam), async (c) => {
    if (!(await revokeInvite(c.env.DB, c.req.valid("param").id))) {
      throw new AppError("NOT_FOUND", 404, "There is no open invite with this id.");
    }
    log({ event: "invite_revoked", technicianId: c.get("technician").id });
    await audit(c, "invite_revoked", { invite: c.req.valid("param").id });
    return c.body(null, 204);
  });
