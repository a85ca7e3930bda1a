import type { DatabaseSync, StatementSync } from "node:sqlite";
import { formatRoomRecord, readRoomRecord } from "../../durable-objects/session/room-record.ts";
import type { RoomStorage } from "../../durable-objects/session/room-runtime.ts";

// Every room of the Deno host in one SQLite table: a row per room holding the room's record (room-record.ts, the
// same record a Durable Object stores, checked when read) and its alarm. A Durable Object has a database per room
// instead (store.ts); one table here keeps one file and one handle for all of them.

/** Ordered schema migrations, tracked in PRAGMA user_version; each may hold several statements. */
const MIGRATIONS: string[] = [
  `CREATE TABLE rooms (
    code TEXT PRIMARY KEY,
    room TEXT NOT NULL,
    last_activity_at INTEGER NOT NULL,
    alarm_at INTEGER
  )`,
  // Last activity moves into the record, which is now written whole every time.
  `UPDATE rooms SET room = json_set(room, '$.lastActivityAt', last_activity_at);
   ALTER TABLE rooms DROP COLUMN last_activity_at`,
];

type RoomRow = { code: string; room: string; alarm_at: number | null };

/**
 * The stored rooms and their alarms. Its statements are prepared once: one prepared per write would hold a few kB
 * of native memory each, which V8 does not see, until a full garbage collection (see SqliteD1).
 */
export class RoomStore {
  private readonly statements: {
    list: StatementSync;
    load: StatementSync;
    save: StatementSync;
    delete: StatementSync;
    saveAlarm: StatementSync;
  };

  constructor(sqlite: DatabaseSync) {
    const { user_version: version } = sqlite.prepare("PRAGMA user_version").get() as { user_version: number };
    for (let next = version; next < MIGRATIONS.length; next++) {
      sqlite.exec("BEGIN");
      sqlite.exec(MIGRATIONS[next] ?? "");
      sqlite.exec(`PRAGMA user_version = ${next + 1}`);
      sqlite.exec("COMMIT");
    }
    this.statements = {
      list: sqlite.prepare("SELECT code, alarm_at FROM rooms"),
      load: sqlite.prepare("SELECT room FROM rooms WHERE code = ?"),
      save: sqlite.prepare(
        "INSERT INTO rooms (code, room) VALUES (?, ?) ON CONFLICT (code) DO UPDATE SET room = excluded.room",
      ),
      delete: sqlite.prepare("DELETE FROM rooms WHERE code = ?"),
      saveAlarm: sqlite.prepare("UPDATE rooms SET alarm_at = ? WHERE code = ?"),
    };
  }

  /** Every stored room's code and alarm, to schedule them after a start. */
  list(): { code: string; alarmAt: number | null }[] {
    return (this.statements.list.all() as Pick<RoomRow, "code" | "alarm_at">[]).map((row) => ({
      code: row.code,
      alarmAt: row.alarm_at,
    }));
  }

  /** The storage of one room, as RoomHost uses it. */
  storage(code: string): RoomStorage {
    return {
      load: () => {
        const row = this.statements.load.get(code) as Pick<RoomRow, "room"> | undefined;
        return row ? readRoomRecord(row.room) : null;
      },
      saveRoom: (room) => {
        this.statements.save.run(code, formatRoomRecord(room));
      },
      deleteAll: async () => {
        this.statements.delete.run(code);
      },
    };
  }

  /** Records a room's alarm, so that a restart can set it again. */
  saveAlarm(code: string, at: number | null): void {
    this.statements.saveAlarm.run(at, code);
  }
}
