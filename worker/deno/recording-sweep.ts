import { log } from "../log.ts";
import type { RecordingDeps } from "../recordings/finish.ts";
import { sweepRecordings } from "../recordings/sweep.ts";
import { AlarmClock, type Timers } from "./alarm-clock.ts";

/** How long after a failed sweep the Deno host tries again. */
const RETRY_MS = 60_000;

/**
 * The Deno host's recordings sweep, as the RecordingSweeper object does it on Workers: one alarm, due by the earliest
 * abandoned upload or expired recording, set again from the table at start.
 */
export class RecordingSweep {
  private readonly clock: AlarmClock<"sweep">;

  constructor(
    private readonly deps: RecordingDeps,
    private readonly abandonMs: number,
    private readonly now: () => number,
    timers?: Timers,
  ) {
    this.clock = new AlarmClock(() => void this.run(), timers);
  }

  /** Sweeps what is due and arms the alarm for the rest. */
  async start(): Promise<void> {
    await this.run();
  }

  /** Makes sure the alarm fires by `at`. */
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
      next = await sweepRecordings(this.deps, this.now(), this.abandonMs);
    } catch (err) {
      log({
        event: "unhandled_error",
        path: "recording sweep",
        name: "SweepFailed",
        message: String(err).slice(0, 200),
      });
      next = this.now() + RETRY_MS;
    }
    if (next !== null) this.dueBy(next);
  }
}
