import type { DatabaseSync } from "node:sqlite";
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

/** The stored rooms and their alarms. */
export class RoomStore {
  constructor(private readonly sqlite: DatabaseSync) {
    const { user_version: version } = sqlite.prepare("PRAGMA user_version").get() as { user_version: number };
    for (let next = version; next < MIGRATIONS.length; next++) {
      sqlite.exec("BEGIN");
      sqlite.exec(MIGRATIONS[next] ?? "");
      sqlite.exec(`PRAGMA user_version = ${next + 1}`);
      sqlite.exec("COMMIT");
    }
  }

  /** Every stored room's code and alarm, to schedule them after a start. */
  list(): { code: string; alarmAt: number | null }[] {
    return (this.sqlite.prepare("SELECT code, alarm_at FROM rooms").all() as Pick<RoomRow, "code" | "alarm_at">[]).map(
      (row) => ({ code: row.code, alarmAt: row.alarm_at }),
    );
  }

  /** The storage of one room, as RoomHost uses it. */
  storage(code: string): RoomStorage {
    return {
      load: () => {
        const row = this.sqlite.prepare("SELECT room FROM rooms WHERE code = ?").get(code) as
          | Pick<RoomRow, "room">
          | undefined;
        return row ? readRoomRecord(row.room) : null;
      },
      saveRoom: (room) => {
        this.sqlite
          .prepare("INSERT INTO rooms (code, room) VALUES (?, ?) ON CONFLICT (code) DO UPDATE SET room = excluded.room")
          .run(code, formatRoomRecord(room));
      },
      deleteAll: async () => {
        this.sqlite.prepare("DELETE FROM rooms WHERE code = ?").run(code);
      },
    };
  }

  /** Records a room's alarm, so that a restart can set it again. */
  saveAlarm(code: string, at: number | null): void {
    this.sqlite.prepare("UPDATE rooms SET alarm_at = ? WHERE code = ?").run(at, code);
  }
}
