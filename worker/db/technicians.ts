import { insertPasskeyStatement, isDuplicatePasskey, type NewPasskey } from "./passkeys.ts";

/** A technician as stored. */
export type TechnicianRecord = { id: string; name: string; isAdmin: boolean; webauthnUserId: string };

/** The technician with this id, or null. */
export async function findTechnician(db: D1Database, id: string): Promise<TechnicianRecord | null> {
  const row = await db
    .prepare("SELECT id, display_name, is_admin, webauthn_user_id FROM technicians WHERE id = ?")
    .bind(id)
    .first<{ id: string; display_name: string; is_admin: number; webauthn_user_id: string }>();
  if (!row) return null;
  return { id: row.id, name: row.display_name, isAdmin: row.is_admin === 1, webauthnUserId: row.webauthn_user_id };
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
