import { log } from "../log.ts";
import { AlarmClock, type Timers } from "./alarm-clock.ts";

/** How long after a sweep that failed the Deno host tries again. */
const RETRY_MS = 60_000;

/**
 * One of the Deno host's sweeps, as a sweeper object's alarm does it on Workers (SignInSweeper, RecordingSweeper):
 * one timer, due by the earliest thing still to sweep, that runs `sweepOnce` and arms itself again for what it says
 * is next (null: nothing). `start` runs it once from the table, so a restart forgets nothing; a run that throws is
 * logged and tried again RETRY_MS later.
 */
export class Sweep {
  private readonly clock: AlarmClock<"sweep">;

  constructor(
    /** What the log calls it: "sign-in sweep", "recording sweep". */
    private readonly name: string,
    private readonly sweepOnce: (now: number) => Promise<number | null>,
    private readonly now: () => number,
    timers?: Timers,
  ) {
    this.clock = new AlarmClock(() => void this.run(), timers);
  }

  /** Sweeps what is due and arms the timer for the rest. */
  async start(): Promise<void> {
    await this.run();
  }

  /** Makes sure the timer fires by `at` (something new to sweep then). */
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
      next = await this.sweepOnce(this.now());
    } catch (err) {
      log({ event: "unhandled_error", path: this.name, name: "SweepFailed", message: String(err).slice(0, 200) });
      next = this.now() + RETRY_MS;
    }
    if (next !== null) this.dueBy(next);
  }
}
