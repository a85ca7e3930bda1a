import { formatRoomRecord, readRoomRecord } from "./room-record.ts";
import type { Room } from "./state.ts";

// The room's SQLite storage: one row holding the room as one record (room-record.ts), checked when read. Written
// on state changes (joins, leaves, ends) and for last activity at most every ACTIVITY_PERSIST_MS; relayed messages
// never touch it.

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
  // The room as one checked record instead of 18 columns and a seats table. A session live across the deploy is
  // carried over (seats in join order) rather than dropped, since D1 would still call it live.
  [
    `CREATE TABLE room_record (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL)`,
    `INSERT INTO room_record (id, record)
     SELECT 1, json_object(
       'code', code,
       'owner', json(CASE WHEN owner_id IS NOT NULL AND owner_name IS NOT NULL
                          THEN json_object('id', owner_id, 'name', owner_name) END),
       'organisation', organisation,
       'caseNumber', case_number,
       'createdAt', created_at,
       'expiresAt', expires_at,
       'idleMs', idle_ms,
       'graceMs', grace_ms,
       'limits', json_object('maxMessageBytes', max_message_bytes, 'messagesPerS', messages_per_s,
                             'messageBurst', message_burst),
       'state', state,
       'lastActivityAt', last_activity_at,
       'endedAt', ended_at,
       'endReason', end_reason,
       'isEndSynced', json(CASE WHEN is_end_synced = 1 THEN 'true' ELSE 'false' END),
       'seats', json((SELECT json_group_array(json_object(
           'id', id, 'role', role, 'technicianId', technician_id, 'name', name,
           'isOwner', json(CASE WHEN is_owner = 1 THEN 'true' ELSE 'false' END),
           'tokenHash', token_hash,
           'connected', json(CASE WHEN connected = 1 THEN 'true' ELSE 'false' END),
           'heldUntil', held_until, 'joinedAt', joined_at))
         FROM (SELECT * FROM seats ORDER BY joined_at, id)))
     )
     FROM room WHERE id = 1`,
    "DROP TABLE seats",
    "DROP TABLE room",
  ],
];

/** Brings the schema up to date. */
export function migrate(sql: SqlStorage): void {
  sql.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
  const done = sql.exec<{ v: number | null }>("SELECT MAX(version) AS v FROM schema_migrations").one().v ?? 0;
  for (let version = done + 1; version <= MIGRATIONS.length; version++) {
    for (const statement of MIGRATIONS[version - 1] ?? []) sql.exec(statement);
    sql.exec("INSERT INTO schema_migrations (version) VALUES (?)", version);
  }
}

/** The stored room, or null when this object holds no session (or only a record that fails the schema, logged). */
export function loadRoom(sql: SqlStorage): Room | null {
  const row = sql.exec<{ record: string }>("SELECT record FROM room_record WHERE id = 1").toArray()[0];
  return row ? readRoomRecord(row.record) : null;
}

/** Writes the whole room: one row. */
export function saveRoom(storage: DurableObjectStorage, room: Room): void {
  storage.sql.exec("INSERT OR REPLACE INTO room_record (id, record) VALUES (1, ?)", formatRoomRecord(room));
}
