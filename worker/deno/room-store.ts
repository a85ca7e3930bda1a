import type { DatabaseSync } from "node:sqlite";
import type { RoomStorage } from "../../durable-objects/session/room-runtime.ts";
import type { Room } from "../../durable-objects/session/state.ts";

// Every room of the Deno host in one SQLite table: a row per room holding the room as JSON (it is plain data),
// its last activity (written on its own, at most every few seconds) and its alarm. A Durable Object has a database
// per room instead (store.ts); one table here keeps one file and one handle for all of them.

/** Ordered schema migrations, tracked in PRAGMA user_version. */
const MIGRATIONS: string[] = [
  `CREATE TABLE rooms (
    code TEXT PRIMARY KEY,
    room TEXT NOT NULL,
    last_activity_at INTEGER NOT NULL,
    alarm_at INTEGER
  )`,
];

type RoomRow = { code: string; room: string; last_activity_at: number; alarm_at: number | null };

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
        const row = this.sqlite.prepare("SELECT room, last_activity_at FROM rooms WHERE code = ?").get(code) as
          | Pick<RoomRow, "room" | "last_activity_at">
          | undefined;
        if (!row) return null;
        // Only saveRoom writes this column, from a Room.
        const room = JSON.parse(row.room) as Room;
        return { ...room, lastActivityAt: row.last_activity_at, persistedActivityAt: row.last_activity_at };
      },
      saveRoom: (room) => {
        const { persistedActivityAt: _memoryOnly, ...stored } = room;
        this.sqlite
          .prepare(
            `INSERT INTO rooms (code, room, last_activity_at) VALUES (?, ?, ?)
             ON CONFLICT (code) DO UPDATE SET room = excluded.room, last_activity_at = excluded.last_activity_at`,
          )
          .run(code, JSON.stringify(stored), room.lastActivityAt);
      },
      saveActivity: (room) => {
        this.sqlite.prepare("UPDATE rooms SET last_activity_at = ? WHERE code = ?").run(room.lastActivityAt, code);
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
