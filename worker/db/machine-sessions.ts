import { MAX_MACHINE_SESSIONS, type MachineJoin } from "#protocol/machines.ts";

// D1's machine_sessions (migration 0010): which sessions technicians opened with which enrolled machine, and the key
// of each one's customer seat, which the machine's heartbeat answer hands to its agent. Every time is passed in.

/** Records that the session `code` (already in `sessions`) is with the machine `machineId`, seated by `seatKey`. */
export async function insertMachineSession(
  db: D1Database,
  session: { code: string; machineId: string; seatKey: string },
): Promise<void> {
  await db
    .prepare("INSERT INTO machine_sessions (code, machine_id, seat_key) VALUES (?, ?, ?)")
    .bind(session.code, session.machineId, session.seatKey)
    .run();
}

/** The machine's sessions still live at `now`, newest first: what its agent is to join. */
export async function machineJoins(db: D1Database, machineId: string, now: number): Promise<MachineJoin[]> {
  const { results } = await db
    .prepare(
      `SELECT m.code AS code, m.seat_key AS seatKey FROM machine_sessions m JOIN sessions s ON s.code = m.code
       WHERE m.machine_id = ? AND s.ended_at IS NULL AND s.expires_at > ?
       ORDER BY s.created_at DESC LIMIT ?`,
    )
    .bind(machineId, now, MAX_MACHINE_SESSIONS)
    .all<MachineJoin>();
  return results;
}

/** The machine whose session `code` is, or null when it is no machine's. */
export async function machineOfSession(db: D1Database, code: string): Promise<string | null> {
  return db.prepare("SELECT machine_id FROM machine_sessions WHERE code = ?").bind(code).first<string>("machine_id");
}
