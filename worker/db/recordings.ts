import type { RecordingSummary } from "#protocol/recordings.ts";

// Session recordings' rows (migration 0008). The bytes are in the recordings store; a row is the one record of an
// upload's progress, so that an upload a closed tab left behind can be finished from its parts.

export type RecordingRow = {
  id: string;
  session_code: string;
  technician_id: string;
  upload_id: string | null;
  state: "uploading" | "complete";
  parts: number;
  size: number;
  sha256: string | null;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
  delete_at: number | null;
};

/** A stored part: its number and the store's tag. */
export type PartRow = { part: number; etag: string };

/** The store's key of a recording's bytes. */
export function recordingKey(row: Pick<RecordingRow, "session_code" | "id">): string {
  return `recordings/${row.session_code}/${row.id}.webm`;
}

export function toSummary(row: RecordingRow): RecordingSummary {
  return {
    id: row.id,
    session: row.session_code,
    technicianId: row.technician_id,
    state: row.state,
    size: row.size,
    sha256: row.sha256,
    createdAt: row.created_at,
    endedAt: row.ended_at,
    deleteAt: row.delete_at,
  };
}

export async function insertRecording(
  db: D1Database,
  r: { id: string; session: string; technicianId: string; uploadId: string; now: number },
): Promise<void> {
  await db
    .prepare(
      "INSERT INTO recordings (id, session_code, technician_id, upload_id, state, created_at, updated_at) VALUES (?, ?, ?, ?, 'uploading', ?, ?)",
    )
    .bind(r.id, r.session, r.technicianId, r.uploadId, r.now, r.now)
    .run();
}

export async function findRecording(db: D1Database, id: string): Promise<RecordingRow | null> {
  return db.prepare("SELECT * FROM recordings WHERE id = ?").bind(id).first<RecordingRow>();
}

/** Records part `part` of an upload, only if it is the next one; false when another request got there first. */
export async function addPart(
  db: D1Database,
  id: string,
  part: { part: number; etag: string; size: number },
  now: number,
): Promise<boolean> {
  const [, updated] = await db.batch([
    db
      .prepare("INSERT OR IGNORE INTO recording_parts (recording_id, part, etag, size) VALUES (?, ?, ?, ?)")
      .bind(id, part.part, part.etag, part.size),
    db
      .prepare(
        "UPDATE recordings SET parts = ?, size = size + ?, updated_at = ? WHERE id = ? AND state = 'uploading' AND parts = ?",
      )
      .bind(part.part, part.size, now, id, part.part - 1),
  ]);
  return (updated?.meta.changes ?? 0) > 0;
}

export async function listParts(db: D1Database, id: string): Promise<PartRow[]> {
  const { results } = await db
    .prepare("SELECT part, etag FROM recording_parts WHERE recording_id = ? ORDER BY part")
    .bind(id)
    .all<PartRow>();
  return results;
}

/** Marks an upload complete with its size and hash; false when it was no longer uploading. */
export async function markComplete(
  db: D1Database,
  id: string,
  done: { size: number; sha256: string; endedAt: number; deleteAt: number },
): Promise<boolean> {
  const [updated] = await db.batch([
    db
      .prepare(
        "UPDATE recordings SET state = 'complete', upload_id = NULL, size = ?, sha256 = ?, ended_at = ?, delete_at = ? WHERE id = ? AND state = 'uploading'",
      )
      .bind(done.size, done.sha256, done.endedAt, done.deleteAt, id),
    db.prepare("DELETE FROM recording_parts WHERE recording_id = ?").bind(id),
  ]);
  return (updated?.meta.changes ?? 0) > 0;
}

export async function deleteRecordingRow(db: D1Database, id: string): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM recording_parts WHERE recording_id = ?").bind(id),
    db.prepare("DELETE FROM recordings WHERE id = ?").bind(id),
  ]);
}

/** Recordings newest first: one session's, or all; only `technicianId`'s unless null (an admin). */
export async function listRecordings(
  db: D1Database,
  filter: { session?: string; technicianId: string | null },
  limit = 500,
): Promise<RecordingRow[]> {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (filter.session) {
    where.push("session_code = ?");
    args.push(filter.session);
  }
  if (filter.technicianId !== null) {
    where.push("technician_id = ?");
    args.push(filter.technicianId);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  const { results } = await db
    .prepare(`SELECT * FROM recordings ${clause} ORDER BY created_at DESC LIMIT ?`)
    .bind(...args, limit)
    .all<RecordingRow>();
  return results;
}

/**
 * Uploads to finish: silent since `silentBefore`, or of a session that ended at or before `endedBefore` (its
 * technician's page had time to send its last part), oldest first.
 */
export async function abandonedUploads(
  db: D1Database,
  silentBefore: number,
  endedBefore: number,
  limit: number,
): Promise<RecordingRow[]> {
  const { results } = await db
    .prepare(
      "SELECT r.* FROM recordings r LEFT JOIN sessions s ON s.code = r.session_code WHERE r.state = 'uploading' AND (r.updated_at <= ? OR (s.ended_at IS NOT NULL AND s.ended_at <= ?)) ORDER BY r.updated_at LIMIT ?",
    )
    .bind(silentBefore, endedBefore, limit)
    .all<RecordingRow>();
  return results;
}

/** Complete recordings due for deletion by `now`. */
export async function expiredRecordings(db: D1Database, now: number, limit: number): Promise<RecordingRow[]> {
  const { results } = await db
    .prepare("SELECT * FROM recordings WHERE state = 'complete' AND delete_at <= ? ORDER BY delete_at LIMIT ?")
    .bind(now, limit)
    .all<RecordingRow>();
  return results;
}

/**
 * When the next sweep is due: the earliest of uploads' abandonment (silent for `abandonMs`, or `endGraceMs` after
 * their session ended) and recordings' deletion; null when nothing waits.
 */
export async function nextRecordingDue(db: D1Database, abandonMs: number, endGraceMs: number): Promise<number | null> {
  const row = await db
    .prepare(
      `SELECT MIN(due) AS due FROM (
        SELECT MIN(updated_at) + ? AS due FROM recordings WHERE state = 'uploading'
        UNION ALL SELECT MIN(s.ended_at) + ? AS due FROM recordings r JOIN sessions s ON s.code = r.session_code
          WHERE r.state = 'uploading' AND s.ended_at IS NOT NULL
        UNION ALL SELECT MIN(delete_at) AS due FROM recordings WHERE state = 'complete')`,
    )
    .bind(abandonMs, endGraceMs)
    .first<{ due: number | null }>();
  return row?.due ?? null;
}

/**
 * The customer of `session`'s last word on recording, from the audit log (which the room writes from the page's
 * `consent` message): true allowed, false taken back, null never said.
 */
export async function recordingConsent(db: D1Database, session: string): Promise<boolean | null> {
  const row = await db
    .prepare(
      "SELECT type FROM audit_entries WHERE session = ? AND type IN ('consent_given', 'consent_withdrawn') AND json_extract(entry, '$.data.permission') = 'record' ORDER BY seq DESC LIMIT 1",
    )
    .bind(session)
    .first<{ type: string }>();
  return row ? row.type === "consent_given" : null;
}
