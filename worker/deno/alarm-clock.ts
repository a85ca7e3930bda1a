// One timer for every room's alarm on the Deno host. A timer per room costs each room a `Timeout` and its callback
// closures (about 0.3 kB of heap each, held for the hours a session may idle); here a room's alarm is one entry in a
// map, and a single timer waits for the earliest. No Deno API in here, so that unit tests drive it with their clock.

/** Longest delay setTimeout takes; a later earliest alarm wakes the clock early and it waits again. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the clock needs from its runtime: the time, and one timer. Tests pass their own. */
export type Timers = {
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(timer: unknown): void;
};

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

/**
 * Calls each key's callback once its time has come. Keys are the rooms' alarm objects; each holds at most one time,
 * and setting it again replaces the earlier one.
 */
export class AlarmClock<K> {
  private readonly due = new Map<K, number>();
  private timer: unknown;
  /** When the one timer fires (it may fire early: a far alarm is waited for in steps), or null when none is set. */
  private timerAt: number | null = null;

  constructor(
    private readonly fire: (key: K) => void,
    private readonly timers: Timers = realTimers,
  ) {}

  /** How many alarms are pending. */
  get size(): number {
    return this.due.size;
  }

  /** The time set for `key`, or null. */
  get(key: K): number | null {
    return this.due.get(key) ?? null;
  }

  /** Fires `key` at `at` (or as soon as possible when `at` has passed), instead of any time set before. */
  set(key: K, at: number): void {
    this.due.set(key, at);
    if (this.timerAt === null || at < this.timerAt) this.arm(at);
  }

  /** Forgets `key`'s time. The timer stays: waking once for nothing is cheaper than finding the next earliest. */
  delete(key: K): void {
    this.due.delete(key);
  }

  /** Stops the one timer; the times set stay readable (at shutdown). */
  stop(): void {
    if (this.timerAt !== null) this.timers.clearTimer(this.timer);
    this.timerAt = null;
  }

  private arm(at: number): void {
    if (this.timerAt !== null) this.timers.clearTimer(this.timer);
    const delay = Math.min(Math.max(0, at - this.timers.now()), MAX_TIMER_MS);
    this.timerAt = this.timers.now() + delay;
    this.timer = this.timers.setTimer(() => this.wake(), delay);
  }

  /** Fires every alarm whose time has come, in time order, then waits for the earliest one left. */
  private wake(): void {
    this.timerAt = null;
    const now = this.timers.now();
    const ready = [...this.due].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
    for (const [key] of ready) this.due.delete(key);
    // Fired after the bookkeeping, so that a callback setting its key again lands in `due` and arms the timer.
    for (const [key] of ready) this.fire(key);
    let next: number | null = null;
    for (const at of this.due.values()) next = next === null ? at : Math.min(next, at);
    if (next !== null && (this.timerAt === null || next < this.timerAt)) this.arm(next);
  }
}
