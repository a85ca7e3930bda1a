import { type MachineSummary, ONLINE_HEARTBEATS } from "#protocol/machines.ts";

// D1's machines and machine_enrolments (migrations 0009, 0012): machines enrolled for unattended access, and the
// one-time links an admin makes to enrol them, kept as SHA-256 hashes. Every time is passed in.

type MachineRow = {
  id: string;
  public_key: string;
  name: string;
  os: string;
  enrolled_at: number;
  last_seen_at: number | null;
  is_busy: number;
};

const MACHINE_COLUMNS = "id, public_key, name, os, enrolled_at, last_seen_at, is_busy";

/** What a machine's `isOnline` is judged by: the time now, and how often agents beat (MACHINE_HEARTBEAT_S). */
export type Presence = { now: number; heartbeatS: number };

function machineSummary(row: MachineRow, { now, heartbeatS }: Presence): MachineSummary {
  const isOnline = row.last_seen_at !== null && now - row.last_seen_at <= ONLINE_HEARTBEATS * heartbeatS * 1000;
  return {
    id: row.id,
    publicKey: row.public_key,
    name: row.name,
    os: row.os,
    enrolledAt: row.enrolled_at,
    lastSeenAt: row.last_seen_at,
    isOnline,
    isBusy: isOnline && row.is_busy === 1,
  };
}

/** Stores a new enrolment link by its token's hash, and drops the links that expired by `createdAt`. */
export async function insertEnrolment(
  db: D1Database,
  enrolment: { tokenHash: string; createdBy: string; createdAt: number; expiresAt: number },
): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM machine_enrolments WHERE expires_at <= ?").bind(enrolment.createdAt),
    db
      .prepare("INSERT INTO machine_enrolments (token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?)")
      .bind(enrolment.tokenHash, enrolment.createdBy, enrolment.createdAt, enrolment.expiresAt),
  ]);
}

/**
 * Uses up the enrolment link whose token hashes to `tokenHash`, if it is still open at `now`: one statement, so that
 * two machines racing with one link never both get it. The admin who made it, or null.
 */
export async function consumeEnrolment(db: D1Database, tokenHash: string, now: number): Promise<string | null> {
  return db
    .prepare("DELETE FROM machine_enrolments WHERE token_hash = ? AND expires_at > ? RETURNING created_by")
    .bind(tokenHash, now)
    .first<string>("created_by");
}

export type NewMachine = {
  id: string;
  publicKey: string;
  name: string;
  os: string;
  enrolledBy: string;
  enrolledAt: number;
};

/** Stores a newly enrolled machine; null when its public key (and so its id) is already enrolled. */
export async function insertMachine(
  db: D1Database,
  machine: NewMachine,
  presence: Presence,
): Promise<MachineSummary | null> {
  const row = await db
    .prepare(
      `INSERT INTO machines (id, public_key, name, os, enrolled_by, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING RETURNING ${MACHINE_COLUMNS}`,
    )
    .bind(machine.id, machine.publicKey, machine.name, machine.os, machine.enrolledBy, machine.enrolledAt)
    .first<MachineRow>();
  return row ? machineSummary(row, presence) : null;
}

/** The enrolled machines (at most 1000, as MachineList allows), newest first. */
export async function listMachines(db: D1Database, presence: Presence): Promise<MachineSummary[]> {
  const { results } = await db
    .prepare(`SELECT ${MACHINE_COLUMNS} FROM machines ORDER BY enrolled_at DESC, id LIMIT 1000`)
    .all<MachineRow>();
  return results.map((row) => machineSummary(row, presence));
}

/** Gives the machine `id` the name the console shows; null when there is no such machine. */
export async function renameMachine(
  db: D1Database,
  id: string,
  name: string,
  presence: Presence,
): Promise<MachineSummary | null> {
  const row = await db
    .prepare(`UPDATE machines SET name = ? WHERE id = ? RETURNING ${MACHINE_COLUMNS}`)
    .bind(name, id)
    .first<MachineRow>();
  return row ? machineSummary(row, presence) : null;
}

/** Deletes the machine `id`, so that its key is good for nothing until enrolled again; false when there is no such machine. */
export async function removeMachine(db: D1Database, id: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM machines WHERE id = ?").bind(id).run();
  return result.meta.changes > 0;
}

/** The public key (base64url) of the machine `id`, or null when there is no such machine. */
export async function machinePublicKey(db: D1Database, id: string): Promise<string | null> {
  return db.prepare("SELECT public_key FROM machines WHERE id = ?").bind(id).first<string>("public_key");
}

/**
 * Takes the machine `id`'s heartbeat made at `at` (its clock) as seen at `now` (the site's), with whether it said it
 * is busy: one statement, so that two copies of a heartbeat racing never both count. False when `at` is not newer
 * than the last heartbeat taken, or the machine was removed meanwhile.
 */
export async function recordHeartbeat(
  db: D1Database,
  id: string,
  beat: { at: number; isBusy: boolean },
  now: number,
): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE machines SET last_seen_at = ?, last_heartbeat_at = ?, is_busy = ?
       WHERE id = ? AND (last_heartbeat_at IS NULL OR last_heartbeat_at < ?)`,
    )
    .bind(now, beat.at, beat.isBusy ? 1 : 0, id, beat.at)
    .run();
  return result.meta.changes > 0;
}

/** The machine `id` as the console shows it, or null when there is no such machine. */
export async function findMachine(db: D1Database, id: string, presence: Presence): Promise<MachineSummary | null> {
  const row = await db.prepare(`SELECT ${MACHINE_COLUMNS} FROM machines WHERE id = ?`).bind(id).first<MachineRow>();
  return row ? machineSummary(row, presence) : null;
}
