import { log } from "../log.ts";

/** A failed wake-up (the checkpoint could not be stored) runs again after this long. */
const RETRY_MS = 10_000;

/**
 * The Deno host's stand-in for the AuditLog object's alarm: one timer, set to the earliest time asked for, that runs
 * the writer's `tick` and retries it while it fails. Entries a restart leaves unsigned are signed by the writer's
 * first use after it.
 */
export class AuditTimer {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private at: number | null = null;
  private wake: () => Promise<void> = async () => {};

  /** What runs when the timer fires. */
  onWake(wake: () => Promise<void>): void {
    this.wake = wake;
  }

  /** Runs the wake-up at `at`, unless one is set for earlier. */
  set(at: number): void {
    if (this.at !== null && this.at <= at) return;
    this.clear();
    this.at = at;
    this.timer = setTimeout(() => void this.fire(), Math.max(0, at - Date.now()));
  }

  /** Stops the timer, at shutdown. */
  stop(): void {
    this.clear();
  }

  private clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.at = null;
  }

  private async fire(): Promise<void> {
    this.timer = null;
    this.at = null;
    try {
      await this.wake();
    } catch (err) {
      log({
        event: "unhandled_error",
        path: "audit",
        name: "AuditCheckpointError",
        message: String(err).slice(0, 200),
      });
      this.set(Date.now() + RETRY_MS);
    }
  }
}
