import type { AuditEntriesQuery, AuditEntry } from "#protocol/audit.ts";
import { technicianOf } from "../../durable-objects/audit-log/entry.ts";

// The audit log's tables (migration 0005): entries and signed checkpoints. Only the log's one writer inserts; the
// routes and `npm run audit:verify` read.

/** Lines read per query when reading the whole log, within D1's result limits. */
const CHUNK = 1_000;

/** The statement that appends one entry (its line is its canonical JSON). */
export function insertEntryStatement(db: D1Database, entry: AuditEntry, line: string): D1PreparedStatement {
  return db
    .prepare(
      "INSERT INTO audit_entries (seq, time, actor, session, type, technician, entry) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(entry.seq, entry.time, entry.actor, entry.session, entry.type, technicianOf(entry), line);
}

/** The statement that keeps a signed checkpoint of `size` entries. */
export function insertCheckpointStatement(
  db: D1Database,
  size: number,
  note: string,
  now: number,
): D1PreparedStatement {
  return db
    .prepare("INSERT INTO audit_checkpoints (size, note, created_at) VALUES (?, ?, ?) ON CONFLICT (size) DO NOTHING")
    .bind(size, note, now);
}

/** The lines with seq in [start, end), in seq order (as stored: a verifier must see gaps and order as they are). */
export async function readLines(db: D1Database, start = 0, end = Number.MAX_SAFE_INTEGER): Promise<string[]> {
  const lines: string[] = [];
  let from = start;
  for (;;) {
    const { results } = await db
      .prepare("SELECT seq, entry FROM audit_entries WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ?")
      .bind(from, end, CHUNK)
      .all<{ seq: number; entry: string }>();
    for (const row of results) lines.push(row.entry);
    const last = results.at(-1);
    if (results.length < CHUNK || !last) return lines;
    from = last.seq + 1;
  }
}

/** The log's head: the checkpoint signed at the latest append, with the writer's state at that size. */
export type HeadRow = { size: number; note: string; frontier: string; last_hash: string };

/** The statement that makes `head` the log's head. */
export function setHeadStatement(db: D1Database, head: HeadRow): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO audit_head (id, size, note, frontier, last_hash) VALUES (0, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET size = excluded.size, note = excluded.note, frontier = excluded.frontier,
         last_hash = excluded.last_hash`,
    )
    .bind(head.size, head.note, head.frontier, head.last_hash);
}

/** The head, or null before the first append. */
export async function readHead(db: D1Database): Promise<HeadRow | null> {
  return db.prepare("SELECT size, note, frontier, last_hash FROM audit_head WHERE id = 0").first<HeadRow>();
}

/** The newest stored entry's seq and line, or null for an empty log. */
export async function lastEntry(db: D1Database): Promise<{ seq: number; entry: string } | null> {
  return db
    .prepare("SELECT seq, entry FROM audit_entries ORDER BY seq DESC LIMIT 1")
    .first<{ seq: number; entry: string }>();
}

/** When the latest checkpoint was kept in the history, or null before the first. */
export async function latestKeptAt(db: D1Database): Promise<number | null> {
  const row = await db
    .prepare("SELECT created_at FROM audit_checkpoints ORDER BY size DESC LIMIT 1")
    .first<{ created_at: number }>();
  return row?.created_at ?? null;
}

/** Every signed checkpoint the log holds: the kept ones and the head. */
export async function readCheckpoints(db: D1Database): Promise<string[]> {
  const [{ results }, head] = await Promise.all([
    db.prepare("SELECT note FROM audit_checkpoints ORDER BY size").all<{ note: string }>(),
    readHead(db),
  ]);
  return [...results.map((row) => row.note), ...(head ? [head.note] : [])];
}

/** A page of entries for the console and the API: filtered, in either order, with where the next page starts. */
export async function queryLines(
  db: D1Database,
  query: AuditEntriesQuery,
  pageSize: number,
): Promise<{ lines: string[]; next: number | null }> {
  const where: string[] = [];
  const args: (string | number)[] = [];
  const add = (clause: string, ...values: (string | number)[]) => {
    where.push(clause);
    args.push(...values);
  };
  if (query.start !== undefined) add("seq >= ?", query.start);
  if (query.end !== undefined) add("seq < ?", query.end);
  if (query.session !== undefined) add("session = ?", query.session);
  if (query.type !== undefined) add("type = ?", query.type);
  if (query.since !== undefined) add("time >= ?", query.since);
  if (query.until !== undefined) add("time < ?", query.until);
  if (query.technician !== undefined)
    add("(actor = ? OR technician = ?)", `technician:${query.technician}`, query.technician);
  const isDescending = query.order === "desc";
  const sql = `SELECT seq, entry FROM audit_entries ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq ${isDescending ? "DESC" : "ASC"} LIMIT ?`;
  const { results } = await db
    .prepare(sql)
    .bind(...args, pageSize + 1)
    .all<{ seq: number; entry: string }>();
  const page = results.slice(0, pageSize);
  const last = page.at(-1);
  const next = results.length > pageSize && last ? (isDescending ? last.seq : last.seq + 1) : null;
  return { lines: page.map((row) => row.entry), next };
}
