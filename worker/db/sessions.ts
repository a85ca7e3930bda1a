/** A row of D1's `sessions`: which technician owns which code, and until when. */
export type SessionRow = {
  code: string;
  technician_id: string | null;
  case_number: string | null;
  /** The helpdesk's reference (migration 0007). */
  reference: string | null;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
};

export type NewSession = {
  code: string;
  technicianId: string;
  caseNumber: string | null;
  reference: string | null;
  createdAt: number;
  expiresAt: number;
};

/** Whether a row counts as live at `now`. */
export function isLive(row: SessionRow, now: number): boolean {
  return row.ended_at === null && row.expires_at > now;
}

/**
 * Inserts the session unless its code is taken, the technician already owns `max` live sessions, or the technician
 * no longer exists (removed since their sign-in was checked). One statement, so two concurrent creations cannot both
 * slip under the limit.
 */
export async function insertSession(
  db: D1Database,
  session: NewSession,
  max: number,
): Promise<"inserted" | "code_taken" | "limit" | "no_technician"> {
  const result = await db
    .prepare(
      `INSERT INTO sessions (code, technician_id, case_number, created_at, expires_at, reference)
       SELECT ?1, ?2, ?3, ?4, ?5, ?7
       WHERE (SELECT COUNT(*) FROM sessions WHERE technician_id = ?2 AND ended_at IS NULL AND expires_at > ?4) < ?6
         AND EXISTS (SELECT 1 FROM technicians WHERE id = ?2)
       ON CONFLICT(code) DO NOTHING`,
    )
    .bind(
      session.code,
      session.technicianId,
      session.caseNumber,
      session.createdAt,
      session.expiresAt,
      max,
      session.reference,
    )
    .run();
  if (result.meta.changes > 0) return "inserted";
  const taken = await db.prepare("SELECT 1 FROM sessions WHERE code = ?").bind(session.code).first();
  if (taken) return "code_taken";
  const exists = await db.prepare("SELECT 1 FROM technicians WHERE id = ?").bind(session.technicianId).first();
  return exists ? "limit" : "no_technician";
}

/** Inserts a customer's help request: no technician yet, so no per-technician limit. */
export async function insertHelpSession(
  db: D1Database,
  session: Omit<NewSession, "technicianId" | "caseNumber" | "reference">,
): Promise<"inserted" | "code_taken"> {
  const result = await db
    .prepare(
      `INSERT INTO sessions (code, technician_id, case_number, created_at, expires_at) VALUES (?, NULL, NULL, ?, ?)
       ON CONFLICT(code) DO NOTHING`,
    )
    .bind(session.code, session.createdAt, session.expiresAt)
    .run();
  return result.meta.changes > 0 ? "inserted" : "code_taken";
}

/**
 * Gives a help request to the technician whose handshake the customer's page confirmed, so it shows in their live
 * sessions. The room alone decides who owns a session, so the row takes whatever it says, whoever the row named
 * before. A technician removed meanwhile is not written (the row would violate its reference; the removal's cascade
 * takes the session's row anyway).
 */
export async function recordSessionOwner(db: D1Database, code: string, technicianId: string): Promise<void> {
  await db
    .prepare(
      "UPDATE sessions SET technician_id = ?1 WHERE code = ?2 AND EXISTS (SELECT 1 FROM technicians WHERE id = ?1)",
    )
    .bind(technicianId, code)
    .run();
}

/** Writes the expiry an extension gave a live session (the room decides it; the table follows). */
export async function recordSessionExpiry(db: D1Database, code: string, expiresAt: number): Promise<void> {
  await db
    .prepare("UPDATE sessions SET expires_at = ?1 WHERE code = ?2 AND ended_at IS NULL")
    .bind(expiresAt, code)
    .run();
}

/** Removes a row whose room could not be created, or whose help request ended without an owner. */
export async function deleteSession(db: D1Database, code: string): Promise<void> {
  await db.prepare("DELETE FROM sessions WHERE code = ?").bind(code).run();
}

/** The session with this code, live or not. */
export async function findSession(db: D1Database, code: string): Promise<SessionRow | null> {
  return db.prepare("SELECT * FROM sessions WHERE code = ?").bind(code).first<SessionRow>();
}

/** A technician's live sessions, newest first. */
export async function listLiveSessions(db: D1Database, technicianId: string, now: number): Promise<SessionRow[]> {
  const { results } = await db
    .prepare(
      `SELECT * FROM sessions WHERE technician_id = ? AND ended_at IS NULL AND expires_at > ?
       ORDER BY created_at DESC LIMIT 100`,
    )
    .bind(technicianId, now)
    .all<SessionRow>();
  return results;
}

/** Records the end; a second call keeps the first time. */
export async function markSessionEnded(db: D1Database, code: string, endedAt: number): Promise<void> {
  await db.prepare("UPDATE sessions SET ended_at = ? WHERE code = ? AND ended_at IS NULL").bind(endedAt, code).run();
}

/**
 * Deletes up to `max` rows of sessions that expired before `before` (ended ones included: a session ends no later
 * than it expires), oldest first; returns how many went. Called as sessions are created, so the table holds about
 * SESSION_RETENTION_S worth of sessions however long the server runs.
 */
export async function purgeSessions(db: D1Database, before: number, max: number): Promise<number> {
  const result = await db
    .prepare(
      `DELETE FROM sessions WHERE code IN
         (SELECT code FROM sessions WHERE expires_at < ? ORDER BY expires_at LIMIT ?)`,
    )
    .bind(before, max)
    .run();
  return result.meta.changes;
}
