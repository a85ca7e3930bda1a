import { describe, expect, it } from "vitest";
import { AlarmClock } from "../../worker/deno/alarm-clock.ts";
import { DeliverySchedule, RUN_RETRY_MS } from "../../worker/deno/webhook-schedule.ts";
import { TestTimers } from "../helpers/test-timers.ts";

const T0 = 1_800_000_000_000;

function setUp() {
  const timers = new TestTimers(T0);
  const fired: { key: string; at: number }[] = [];
  const clock = new AlarmClock<string>((key) => fired.push({ key, at: timers.now() }), timers);
  return { timers, fired, clock };
}

describe("AlarmClock (one timer for every room's alarm on the Deno host)", () => {
  it("fires each key at its time, in time order, with a single timer pending", () => {
    const { timers, fired, clock } = setUp();
    clock.set("b", T0 + 2_000);
    clock.set("a", T0 + 1_000);
    clock.set("c", T0 + 3_000);
    expect(timers.pending.size).toBe(1);
    timers.advanceTo(T0 + 10_000);
    expect(fired).toEqual([
      { key: "a", at: T0 + 1_000 },
      { key: "b", at: T0 + 2_000 },
      { key: "c", at: T0 + 3_000 },
    ]);
    expect(clock.size).toBe(0);
    expect(timers.pending.size).toBe(0);
  });

  it("fires nothing before its time", () => {
    const { timers, fired, clock } = setUp();
    clock.set("a", T0 + 1_000);
    timers.advanceTo(T0 + 999);
    expect(fired).toEqual([]);
    expect(clock.get("a")).toBe(T0 + 1_000);
  });

  it("setting a key again replaces its time, earlier or later", () => {
    const { timers, fired, clock } = setUp();
    clock.set("a", T0 + 5_000);
    clock.set("a", T0 + 1_000);
    timers.advanceTo(T0 + 2_000);
    expect(fired).toEqual([{ key: "a", at: T0 + 1_000 }]);
    clock.set("b", T0 + 3_000);
    clock.set("b", T0 + 8_000);
    timers.advanceTo(T0 + 7_999);
    expect(fired).toHaveLength(1);
    timers.advanceTo(T0 + 8_000);
    expect(fired).toEqual([
      { key: "a", at: T0 + 1_000 },
      { key: "b", at: T0 + 8_000 },
    ]);
  });

  it("a deleted key never fires, and the others still do", () => {
    const { timers, fired, clock } = setUp();
    clock.set("a", T0 + 1_000);
    clock.set("b", T0 + 2_000);
    clock.delete("a");
    expect(clock.get("a")).toBeNull();
    timers.advanceTo(T0 + 5_000);
    expect(fired).toEqual([{ key: "b", at: T0 + 2_000 }]);
  });

  it("a time already past fires at once, and keys due together fire in one wake", () => {
    const { timers, fired, clock } = setUp();
    clock.set("late", T0 - 60_000);
    clock.set("now", T0);
    timers.advanceTo(T0);
    expect(fired.map((f) => f.key)).toEqual(["late", "now"]);
  });

  it("forgets a key's time before calling it, so the callback may set the next one", () => {
    const timers = new TestTimers(T0);
    const fired: number[] = [];
    const clock = new AlarmClock<string>((key) => {
      fired.push(timers.now());
      expect(clock.get(key)).toBeNull();
      if (fired.length < 3) clock.set(key, timers.now() + 1_000);
    }, timers);
    clock.set("a", T0 + 1_000);
    timers.advanceTo(T0 + 60_000);
    expect(fired).toEqual([T0 + 1_000, T0 + 2_000, T0 + 3_000]);
  });

  it("waits for a time beyond setTimeout's longest delay in steps, firing only when it has come", () => {
    const { timers, fired, clock } = setUp();
    const far = T0 + 40 * 24 * 3_600_000;
    clock.set("a", far);
    timers.advanceTo(T0 + 2 ** 31 - 1);
    expect(fired).toEqual([]);
    expect(timers.pending.size).toBe(1);
    timers.advanceTo(far);
    expect(fired).toEqual([{ key: "a", at: far }]);
  });

  it("stop clears the timer but keeps the times (they are stored and set again at the next start)", () => {
    const { timers, fired, clock } = setUp();
    clock.set("a", T0 + 1_000);
    clock.stop();
    expect(timers.pending.size).toBe(0);
    timers.advanceTo(T0 + 5_000);
    expect(fired).toEqual([]);
    expect(clock.get("a")).toBe(T0 + 1_000);
  });
});

describe("DeliverySchedule (webhook delivery on the Deno host)", () => {
  /** A schedule whose runs return the times in `next`, in order (an Error: the run throws). */
  function scheduled(next: (number | null | Error)[]) {
    const timers = new TestTimers(T0);
    const runs: number[] = [];
    const schedule = new DeliverySchedule(async () => {
      runs.push(timers.now());
      const result = next.shift() ?? null;
      if (result instanceof Error) throw result;
      return result;
    }, timers);
    /** Moves the clock to `time`, letting each run's promise settle before the next timer. */
    async function advanceTo(time: number) {
      for (;;) {
        const due = [...timers.pending.values()].filter((t) => t.at <= time).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers.advanceTo(due.at);
        await new Promise((resolve) => setImmediate(resolve));
      }
      timers.time = time;
    }
    return { timers, runs, schedule, advanceTo };
  }

  it("runs at once when woken, then at the time each run returns, until a run returns null", async () => {
    const { timers, runs, schedule, advanceTo } = scheduled([T0 + 5_000, T0 + 65_000, null]);
    schedule.wake();
    await advanceTo(T0 + 3_600_000);
    expect(runs).toEqual([T0, T0 + 5_000, T0 + 65_000]);
    expect(timers.pending.size).toBe(0);
    expect(schedule.dueAt).toBeNull();
  });

  it("runs early when woken before a later retry, keeping one timer", async () => {
    const { timers, runs, schedule, advanceTo } = scheduled([T0 + 60_000, null]);
    schedule.wake();
    await advanceTo(T0 + 1_000);
    expect(schedule.dueAt).toBe(T0 + 60_000);
    schedule.wake();
    expect(timers.pending.size).toBe(1);
    await advanceTo(T0 + 1_000);
    expect(runs).toEqual([T0, T0 + 1_000]);
  });

  it("tries again RUN_RETRY_MS after a run that threw", async () => {
    const { runs, schedule, advanceTo } = scheduled([new Error("database is locked"), null]);
    schedule.wake();
    await advanceTo(T0 + 120_000);
    expect(runs).toEqual([T0, T0 + RUN_RETRY_MS]);
  });
});
