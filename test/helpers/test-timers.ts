import type { Timers } from "../../worker/deno/alarm-clock.ts";

/** A clock the test moves, with the timers it has set; advancing fires each due timer, in time order. */
export class TestTimers implements Timers {
  time: number;
  private nextId = 0;
  readonly pending = new Map<number, { at: number; callback: () => void }>();

  constructor(start: number) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, delayMs: number): unknown {
    const id = ++this.nextId;
    this.pending.set(id, { at: this.time + delayMs, callback });
    return id;
  }

  clearTimer(timer: unknown): void {
    this.pending.delete(timer as number);
  }

  advanceTo(time: number): void {
    for (;;) {
      const due = [...this.pending].filter(([, t]) => t.at <= time).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = time;
  }
}
