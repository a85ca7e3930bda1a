import type { TechnicianInfo } from "#protocol/auth.ts";
import { insertPasskeyStatement, isDuplicatePasskey, type NewPasskey } from "./passkeys.ts";

/** A technician as stored; `nameLocked` when an admin locked their display name. */
export type TechnicianRecord = {
  id: string;
  name: string;
  isAdmin: boolean;
  nameLocked: boolean;
  webauthnUserId: string;
};

/** A technician as the console sees them. */
export function technicianInfo(technician: TechnicianRecord): TechnicianInfo {
  const { id, name, isAdmin, nameLocked } = technician;
  return { id, name, isAdmin, nameLocked };
}

/** The technician with this id, or null. */
export async function findTechnician(db: D1Database, id: string): Promise<TechnicianRecord | null> {
  const row = await db
    .prepare("SELECT id, display_name, is_admin, name_locked, webauthn_user_id FROM technicians WHERE id = ?")
    .bind(id)
    .first<{ id: string; display_name: string; is_admin: number; name_locked: number; webauthn_user_id: string }>();
  if (!row) return null;
  return { ...technicianFields(row), webauthnUserId: row.webauthn_user_id };
}

type StoredTechnician = { id: string; display_name: string; is_admin: number; name_locked: number };

/** What every technician listing says of one row: who, whether admin, whether the name is locked. */
function technicianFields(row: StoredTechnician) {
  return { id: row.id, name: row.display_name, isAdmin: row.is_admin === 1, nameLocked: row.name_locked === 1 };
}

/**
 * Creates a technician with their first passkey and marks the invite used, in one D1 batch (a
 * transaction). Every statement is conditional on the invite still being unused and unexpired, so
 * of two enrolments racing on one invite exactly one creates anything. isAdmin comes from the invite.
 */
export async function enrolTechnician(
  db: D1Database,
  enrolment: {
    inviteHash: string;
    technician: { id: string; name: string; webauthnUserId: string };
    passkey: NewPasskey;
    now: number;
  },
): Promise<{ ok: true; technician: TechnicianRecord } | { ok: false; reason: "invite_invalid" | "duplicate_passkey" }> {
  const { inviteHash, technician, passkey, now } = enrolment;
  let results: D1Result[];
  try {
    results = await db.batch([
      db
        .prepare(
          "INSERT INTO technicians (id, display_name, is_admin, webauthn_user_id, created_at) SELECT ?, ?, is_admin, ?, ? FROM invites WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
        )
        .bind(technician.id, technician.name, technician.webauthnUserId, now, inviteHash, now),
      db
        .prepare(
          "UPDATE invites SET used_at = ?, used_by = ? WHERE token_hash = ? AND used_at IS NULL AND EXISTS (SELECT 1 FROM technicians WHERE id = ?)",
        )
        .bind(now, technician.id, inviteHash, technician.id),
      insertPasskeyStatement(db, technician.id, passkey, now),
    ]);
  } catch (err) {
    if (isDuplicatePasskey(err)) return { ok: false, reason: "duplicate_passkey" };
    throw err;
  }
  if (results[0]?.meta.changes !== 1) return { ok: false, reason: "invite_invalid" };
  const created = await findTechnician(db, technician.id);
  if (!created) throw new Error("enrolled technician vanished");
  return { ok: true, technician: created };
}

/** A technician as the admin console lists them. */
export type TechnicianRow = {
  id: string;
  name: string;
  isAdmin: boolean;
  nameLocked: boolean;
  passkeys: number;
  lastSignInAt: number | null;
  liveSessions: number;
  createdAt: number;
};

/** Every technician (at most 500), by name, with their passkey count, latest sign-in and live sessions at `now`. */
export async function listTechnicians(db: D1Database, now: number): Promise<TechnicianRow[]> {
  const { results } = await db
    .prepare(
      `SELECT t.id, t.display_name, t.is_admin, t.name_locked, t.created_at,
         (SELECT count(*) FROM passkeys p WHERE p.technician_id = t.id) AS passkeys,
         (SELECT max(p.last_used_at) FROM passkeys p WHERE p.technician_id = t.id) AS last_passkey_use,
         (SELECT max(s.created_at) FROM sign_ins s WHERE s.technician_id = t.id) AS last_sign_in,
         (SELECT count(*) FROM sessions s WHERE s.technician_id = t.id AND s.ended_at IS NULL AND s.expires_at > ?)
           AS live_sessions
       FROM technicians t ORDER BY t.display_name, t.id LIMIT 500`,
    )
    .bind(now)
    .all<{
      id: string;
      display_name: string;
      is_admin: number;
      name_locked: number;
      created_at: number;
      passkeys: number;
      last_passkey_use: number | null;
      last_sign_in: number | null;
      live_sessions: number;
    }>();
  return results.map((row) => {
    // Sign-in rows go when they end; a passkey's last use stays. The later of the two is the latest sign-in.
    const times = [row.last_passkey_use, row.last_sign_in].filter((t): t is number => t !== null);
    return {
      ...technicianFields(row),
      passkeys: row.passkeys,
      lastSignInAt: times.length > 0 ? Math.max(...times) : null,
      liveSessions: row.live_sessions,
      createdAt: row.created_at,
    };
  });
}

/** SQL true when the technician `?` is not the last admin (so may lose admin rights or go). */
const NOT_LAST_ADMIN = "(is_admin = 0 OR (SELECT count(*) FROM technicians WHERE is_admin = 1) > 1)";

/**
 * Removes a technician unless they are the last admin, in one statement; their passkeys, sign-ins and sessions go
 * with them (cascades), so every sign-in of theirs ends at once.
 */
export async function removeTechnician(db: D1Database, id: string): Promise<"removed" | "last_admin" | "not_found"> {
  const result = await db.prepare(`DELETE FROM technicians WHERE id = ? AND ${NOT_LAST_ADMIN}`).bind(id).run();
  // Not `=== 1`: the count may include the rows the deletion cascades to.
  if (result.meta.changes > 0) return "removed";
  return (await findTechnician(db, id)) ? "last_admin" : "not_found";
}

/** Promotes or demotes a technician; a demotion that would leave no admin is refused, in the same statement. */
export async function setAdmin(
  db: D1Database,
  id: string,
  isAdmin: boolean,
): Promise<{ ok: true; technician: TechnicianRecord } | { ok: false; reason: "last_admin" | "not_found" }> {
  const guard = isAdmin ? "" : ` AND ${NOT_LAST_ADMIN}`;
  const result = await db
    .prepare(`UPDATE technicians SET is_admin = ? WHERE id = ?${guard}`)
    .bind(isAdmin ? 1 : 0, id)
    .run();
  const technician = await findTechnician(db, id);
  if (!technician) return { ok: false, reason: "not_found" };
  if (result.meta.changes === 0 && technician.isAdmin !== isAdmin) return { ok: false, reason: "last_admin" };
  return { ok: true, technician };
}

/** Changes a technician's own display name, unless an admin locked it (checked in the same statement). */
export async function renameSelf(
  db: D1Database,
  id: string,
  name: string,
): Promise<{ ok: true; technician: TechnicianRecord } | { ok: false; reason: "locked" | "not_found" }> {
  const result = await db
    .prepare("UPDATE technicians SET display_name = ? WHERE id = ? AND name_locked = 0")
    .bind(name, id)
    .run();
  const technician = await findTechnician(db, id);
  if (!technician) return { ok: false, reason: "not_found" };
  if (result.meta.changes === 0) return { ok: false, reason: "locked" };
  return { ok: true, technician };
}

/** An admin's change to a technician's display name and its lock; either may be left out. */
export async function setName(
  db: D1Database,
  id: string,
  change: { name?: string; nameLocked?: boolean },
): Promise<TechnicianRecord | null> {
  await db
    .prepare(
      "UPDATE technicians SET display_name = coalesce(?, display_name), name_locked = coalesce(?, name_locked) WHERE id = ?",
    )
    .bind(change.name ?? null, change.nameLocked === undefined ? null : change.nameLocked ? 1 : 0, id)
    .run();
  return findTechnician(db, id);
}
