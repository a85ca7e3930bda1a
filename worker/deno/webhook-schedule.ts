import { log } from "../log.ts";
import type { Timers } from "./alarm-clock.ts";

/** The longest delay one timer takes; a later time is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** After a run that threw (the database unreachable), the next one is tried this much later. */
export const RUN_RETRY_MS = 30_000;

/**
 * Runs webhook delivery on a host without alarms (Deno): at once when woken (the log grew, an endpoint was enabled),
 * and again at the time each run returns. One timer, never two runs at once. Tests pass their own timers.
 */
export class DeliverySchedule {
  private timer: unknown = null;
  private at: number | null = null;

  constructor(
    private readonly run: () => Promise<number | null>,
    private readonly timers: Timers,
  ) {}

  /** Runs delivery as soon as possible. */
  wake(): void {
    this.runAt(this.timers.now());
  }

  /** When the next run is due, or null when none is set. */
  get dueAt(): number | null {
    return this.at;
  }

  private runAt(at: number): void {
    if (this.at !== null && this.at <= at) return;
    if (this.timer !== null) this.timers.clearTimer(this.timer);
    this.at = at;
    const delay = Math.min(Math.max(0, at - this.timers.now()), MAX_TIMER_MS);
    this.timer = this.timers.setTimer(() => void this.fire(), delay);
  }

  private async fire(): Promise<void> {
    const at = this.at;
    this.timer = null;
    this.at = null;
    if (at !== null && at > this.timers.now()) {
      // A far time is waited for in steps.
      this.runAt(at);
      return;
    }
    let next: number | null;
    try {
      next = await this.run();
    } catch (err) {
      log({ event: "webhook_run_failed", message: String(err).slice(0, 200) });
      next = this.timers.now() + RUN_RETRY_MS;
    }
    if (next !== null) this.runAt(next);
  }
}
