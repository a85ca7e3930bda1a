import { EndReason, Role, SessionState } from "../../worker/protocol/room.ts";
import type { Room, Seat } from "./state.ts";

// The room's SQLite storage: one row for the room, one per seat. Written on state changes only (joins, leaves,
// ends) and for last activity at most every ACTIVITY_PERSIST_MS; relayed messages never touch it.

/** Ordered schema migrations; each runs once, inside blockConcurrencyWhile. */
const MIGRATIONS: string[][] = [
  [
    `CREATE TABLE room (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      code TEXT NOT NULL,
      owner_id TEXT,
      owner_name TEXT,
      organisation TEXT NOT NULL,
      case_number TEXT,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      idle_ms INTEGER NOT NULL,
      grace_ms INTEGER NOT NULL,
      max_message_bytes INTEGER NOT NULL,
      messages_per_s INTEGER NOT NULL,
      message_burst INTEGER NOT NULL,
      state TEXT NOT NULL,
      last_activity_at INTEGER NOT NULL,
      ended_at INTEGER,
      end_reason TEXT,
      is_end_synced INTEGER NOT NULL DEFAULT 0
    )`,
    `CREATE TABLE seats (
      id TEXT PRIMARY KEY,
      role TEXT NOT NULL,
      technician_id TEXT,
      name TEXT,
      is_owner INTEGER NOT NULL,
      token_hash TEXT NOT NULL,
      connected INTEGER NOT NULL,
      held_until INTEGER,
      joined_at INTEGER NOT NULL
    )`,
  ],
];

type RoomRow = {
  code: string;
  owner_id: string | null;
  owner_name: string | null;
  organisation: string;
  case_number: string | null;
  created_at: number;
  expires_at: number;
  idle_ms: number;
  grace_ms: number;
  max_message_bytes: number;
  messages_per_s: number;
  message_burst: number;
  state: string;
  last_activity_at: number;
  ended_at: number | null;
  end_reason: string | null;
  is_end_synced: number;
};

type SeatRow = {
  id: string;
  role: string;
  technician_id: string | null;
  name: string | null;
  is_owner: number;
  token_hash: string;
  connected: number;
  held_until: number | null;
  joined_at: number;
};

/** Brings the schema up to date. */
export function migrate(sql: SqlStorage): void {
  sql.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
  const done = sql.exec<{ v: number | null }>("SELECT MAX(version) AS v FROM schema_migrations").one().v ?? 0;
  for (let version = done + 1; version <= MIGRATIONS.length; version++) {
    for (const statement of MIGRATIONS[version - 1] ?? []) sql.exec(statement);
    sql.exec("INSERT INTO schema_migrations (version) VALUES (?)", version);
  }
}

/** The stored room, or null when this object holds no session. */
export function loadRoom(sql: SqlStorage): Room | null {
  const row = sql.exec<RoomRow>("SELECT * FROM room WHERE id = 1").toArray()[0];
  if (!row) return null;
  const seats = sql
    .exec<SeatRow>("SELECT * FROM seats ORDER BY joined_at, id")
    .toArray()
    .map(
      (s): Seat => ({
        id: s.id,
        role: Role.parse(s.role),
        technicianId: s.technician_id,
        name: s.name,
        isOwner: s.is_owner === 1,
        tokenHash: s.token_hash,
        connected: s.connected === 1,
        heldUntil: s.held_until,
        joinedAt: s.joined_at,
      }),
    );
  return {
    code: row.code,
    owner: row.owner_id !== null && row.owner_name !== null ? { id: row.owner_id, name: row.owner_name } : null,
    organisation: row.organisation,
    caseNumber: row.case_number,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    idleMs: row.idle_ms,
    graceMs: row.grace_ms,
    limits: {
      maxMessageBytes: row.max_message_bytes,
      messagesPerS: row.messages_per_s,
      messageBurst: row.message_burst,
    },
    state: SessionState.parse(row.state),
    lastActivityAt: row.last_activity_at,
    persistedActivityAt: row.last_activity_at,
    endedAt: row.ended_at,
    endReason: row.end_reason === null ? null : EndReason.parse(row.end_reason),
    isEndSynced: row.is_end_synced === 1,
    seats,
  };
}

/** Writes the whole room (a handful of rows) in one transaction. */
export function saveRoom(storage: DurableObjectStorage, room: Room): void {
  storage.transactionSync(() => {
    const { sql } = storage;
    sql.exec(
      `INSERT OR REPLACE INTO room (id, code, owner_id, owner_name, organisation, case_number, created_at, expires_at,
        idle_ms, grace_ms, max_message_bytes, messages_per_s, message_burst, state, last_activity_at, ended_at,
        end_reason, is_end_synced)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      room.code,
      room.owner?.id ?? null,
      room.owner?.name ?? null,
      room.organisation,
      room.caseNumber,
      room.createdAt,
      room.expiresAt,
      room.idleMs,
      room.graceMs,
      room.limits.maxMessageBytes,
      room.limits.messagesPerS,
      room.limits.messageBurst,
      room.state,
      room.lastActivityAt,
      room.endedAt,
      room.endReason,
      room.isEndSynced ? 1 : 0,
    );
    sql.exec("DELETE FROM seats");
    for (const s of room.seats) {
      sql.exec(
        `INSERT INTO seats (id, role, technician_id, name, is_owner, token_hash, connected, held_until, joined_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        s.id,
        s.role,
        s.technicianId,
        s.name,
        s.isOwner ? 1 : 0,
        s.tokenHash,
        s.connected ? 1 : 0,
        s.heldUntil,
        s.joinedAt,
      );
    }
  });
}

/** Writes only the last-activity time. */
export function saveActivity(sql: SqlStorage, room: Room): void {
  sql.exec("UPDATE room SET last_activity_at = ? WHERE id = 1", room.lastActivityAt);
}
