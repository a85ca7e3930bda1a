import { describe, expect, it, vi } from "vitest";
import { sweepSignIns } from "../../../worker/db/sign-ins.ts";
import { SqliteD1 } from "../../../worker/deno/d1-sqlite.ts";
import { Sweep } from "../../../worker/deno/sweep.ts";
import { migratedDatabase } from "../../helpers/audit-log.ts";
import { TestTimers } from "../../helpers/test-timers.ts";

// The Deno host's sign-in sweep on a clock the test moves, over the real migrations in an in-memory SQLite: expired
// sign-ins go at the alarm, whether or not their technician signs in again, as the SignInSweeper's do on Workers.

const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;

function setUp() {
  const sqlite = migratedDatabase();
  sqlite
    .prepare(
      "INSERT INTO technicians (id, display_name, is_admin, webauthn_user_id, created_at) VALUES (?, ?, 0, ?, ?)",
    )
    .run("tech-1", "Ada Tech", "user-1", T0);
  const timers = new TestTimers(T0);
  const db = new SqliteD1(sqlite);
  const sweep = new Sweep(
    "sign-in sweep",
    (now) => sweepSignIns(db, now),
    () => timers.now(),
    timers,
  );
  const add = (id: string, expiresAt: number) =>
    sqlite
      .prepare("INSERT INTO sign_ins (id, technician_id, passkey_id, created_at, expires_at) VALUES (?, ?, NULL, ?, ?)")
      .run(id, "tech-1", T0, expiresAt);
  const left = () => (sqlite.prepare("SELECT id FROM sign_ins ORDER BY id").all() as { id: string }[]).map((r) => r.id);
  return { timers, sweep, add, left };
}

describe("the Deno host's sign-in sweep (Sweep over sweepSignIns)", () => {
  it("at start, deletes what has expired and waits for the earliest sign-in left", async () => {
    const { timers, sweep, add, left } = setUp();
    add("gone", T0 - 1);
    add("early", T0 + HOUR);
    add("late", T0 + 8 * HOUR);
    await sweep.start();
    expect(left()).toEqual(["early", "late"]);
    expect([...timers.pending.values()].map((t) => t.at)).toEqual([T0 + HOUR]);

    timers.advanceTo(T0 + HOUR - 1);
    expect(left()).toEqual(["early", "late"]);
    timers.advanceTo(T0 + HOUR);
    await vi.waitFor(() => expect(left()).toEqual(["late"]));
    await vi.waitFor(() => expect([...timers.pending.values()].map((t) => t.at)).toEqual([T0 + 8 * HOUR]));
    timers.advanceTo(T0 + 8 * HOUR);
    await vi.waitFor(() => expect(left()).toEqual([]));
    // Nothing left: no timer until the next sign-in.
    expect(timers.pending.size).toBe(0);
  });

  it("is made due by a new sign-in's expiry, never later than it already was", async () => {
    const { timers, sweep, add, left } = setUp();
    await sweep.start();
    expect(timers.pending.size).toBe(0);
    add("new", T0 + 8 * HOUR);
    sweep.dueBy(T0 + 8 * HOUR);
    sweep.dueBy(T0 + 9 * HOUR);
    expect([...timers.pending.values()].map((t) => t.at)).toEqual([T0 + 8 * HOUR]);
    timers.advanceTo(T0 + 8 * HOUR);
    await vi.waitFor(() => expect(left()).toEqual([]));
  });
});
