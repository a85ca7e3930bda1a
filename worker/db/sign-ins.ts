import { newToken } from "../auth/tokens.ts";

// Sign-ins as records the server can take back (migration 0003). A sign-in cookie names its row; deleting the row
// ends the sign-in, on the next request and at the next sign-in check of every room its technician sits in.

/** The technician a live sign-in belongs to, as stored now (the cookie may predate a rename or a role change). */
export type SignedInTechnician = { id: string; name: string; isAdmin: boolean; signInId: string };

/**
 * Records a new sign-in for `technicianId`, made with `passkeyId`, until `expiresAt`; their expired sign-ins are
 * dropped in the same batch, so the table holds live sign-ins only. Returns its id.
 */
export async function createSignIn(
  db: D1Database,
  signIn: { technicianId: string; passkeyId: string | null; now: number; expiresAt: number },
): Promise<string> {
  const id = newToken(16);
  await db.batch([
    db
      .prepare("DELETE FROM sign_ins WHERE technician_id = ? AND expires_at <= ?")
      .bind(signIn.technicianId, signIn.now),
    db
      .prepare("INSERT INTO sign_ins (id, technician_id, passkey_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
      .bind(id, signIn.technicianId, signIn.passkeyId, signIn.now, signIn.expiresAt),
  ]);
  return id;
}

/**
 * The technician of the sign-in `id`, if it is still live and theirs: one primary-key lookup joined to the
 * technician's row, on every authenticated request.
 */
export async function findSignIn(
  db: D1Database,
  id: string,
  technicianId: string,
  now: number,
): Promise<SignedInTechnician | null> {
  const row = await db
    .prepare(
      `SELECT t.id, t.display_name, t.is_admin FROM sign_ins s JOIN technicians t ON t.id = s.technician_id
       WHERE s.id = ? AND s.technician_id = ? AND s.expires_at > ?`,
    )
    .bind(id, technicianId, now)
    .first<{ id: string; display_name: string; is_admin: number }>();
  return row ? { id: row.id, name: row.display_name, isAdmin: row.is_admin === 1, signInId: id } : null;
}

/** Of the sign-ins `ids`, those still live at `now`: a room's periodic check of its seated technicians. */
export async function liveSignIns(db: D1Database, ids: readonly string[], now: number): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { results } = await db
    .prepare(`SELECT id FROM sign_ins WHERE id IN (${ids.map(() => "?").join(", ")}) AND expires_at > ?`)
    .bind(...ids, now)
    .all<{ id: string }>();
  return new Set(results.map((row) => row.id));
}

/**
 * Deletes every sign-in expired at `now` (an expired one already fails every check; this keeps none behind) and
 * returns when the earliest one left expires, null when none is left: the sign-in sweep's alarm, on either host.
 */
export async function sweepSignIns(db: D1Database, now: number): Promise<number | null> {
  const [, left] = await db.batch<{ next: number | null }>([
    db.prepare("DELETE FROM sign_ins WHERE expires_at <= ?").bind(now),
    db.prepare("SELECT min(expires_at) AS next FROM sign_ins"),
  ]);
  return left?.results[0]?.next ?? null;
}

/** Ends one sign-in (sign-out). */
export async function revokeSignIn(db: D1Database, id: string): Promise<void> {
  await db.prepare("DELETE FROM sign_ins WHERE id = ?").bind(id).run();
}

/** Ends every sign-in of a technician ("sign out everywhere"); returns how many there were. */
export async function revokeAllSignIns(db: D1Database, technicianId: string): Promise<number> {
  const result = await db.prepare("DELETE FROM sign_ins WHERE technician_id = ?").bind(technicianId).run();
  return result.meta.changes;
}
