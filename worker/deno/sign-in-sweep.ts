import { sweepSignIns } from "../db/sign-ins.ts";
import { log } from "../log.ts";
import { AlarmClock, type Timers } from "./alarm-clock.ts";

/** How long after a failed sweep the Deno host tries again. */
export const SWEEP_RETRY_MS = 60_000;

/**
 * The Deno host's sign-in sweep, as the SignInSweeper object does it on Workers: one alarm, due by the earliest
 * sign-in's expiry, that deletes expired sign-ins and re-arms for the earliest left. Set again from the table at
 * start, so a restart forgets nothing.
 */
export class SignInSweep {
  private readonly clock: AlarmClock<"sweep">;

  constructor(
    private readonly db: D1Database,
    private readonly now: () => number,
    timers?: Timers,
  ) {
    this.clock = new AlarmClock(() => void this.run(), timers);
  }

  /** Arms the alarm for the sign-ins already stored (and deletes the expired ones). */
  async start(): Promise<void> {
    await this.run();
  }

  /** Makes sure the alarm fires by `at` (a new sign-in's expiry). */
  dueBy(at: number): void {
    const current = this.clock.get("sweep");
    if (current === null || at < current) this.clock.set("sweep", at);
  }

  stop(): void {
    this.clock.stop();
  }

  private async run(): Promise<void> {
    let next: number | null;
    try {
      next = await sweepSignIns(this.db, this.now());
    } catch (err) {
      log({ event: "unhandled_error", path: "sign-in sweep", name: "SweepFailed", message: String(err).slice(0, 200) });
      next = this.now() + SWEEP_RETRY_MS;
    }
    if (next !== null) this.dueBy(next);
  }
}
