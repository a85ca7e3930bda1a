import { describe, expect, it } from "vitest";
import { retryWhileBusy } from "../../worker/cli/wrangler.ts";

// A local statement that finds the SQLite file locked by the running server (SQLITE_BUSY, as wrangler d1 execute
// reports it) is tried again after growing waits; nothing else is retried. The waits go through an injected sleep.

const BUSY = Object.assign(new Error("Command failed: wrangler d1 execute DB --local"), {
  stderr: "failed: SQLite failed; dbErrorMessage(prepareResult, db) = database is locked: SQLITE_BUSY",
});

function failingTimes(times: number, err: Error) {
  let calls = 0;
  const task = async () => {
    calls++;
    if (calls <= times) throw err;
    return "rows";
  };
  return { task, calls: () => calls };
}

/** A sleep that returns at once and records how long it was asked to wait. */
function recordedSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe("retryWhileBusy", () => {
  it("tries again after each wait while the database is locked, and returns what the next try gives", async () => {
    const { waits, sleep } = recordedSleep();
    const { task, calls } = failingTimes(2, BUSY);
    const result = await retryWhileBusy(task, [10, 20, 40], sleep);
    expect(result).toBe("rows");
    expect(calls()).toBe(3);
    expect(waits).toEqual([10, 20]);
  });

  it("throws the last lock error once every wait is spent", async () => {
    const { waits, sleep } = recordedSleep();
    const { task, calls } = failingTimes(10, BUSY);
    await expect(retryWhileBusy(task, [10, 20], sleep)).rejects.toBe(BUSY);
    expect(calls()).toBe(3);
    expect(waits).toEqual([10, 20]);
  });

  it("does not retry any other failure", async () => {
    const other = new Error("no such table: invites");
    const { waits, sleep } = recordedSleep();
    const { task, calls } = failingTimes(1, other);
    await expect(retryWhileBusy(task, [10, 20], sleep)).rejects.toBe(other);
    expect(calls()).toBe(1);
    expect(waits).toEqual([]);
  });
});
