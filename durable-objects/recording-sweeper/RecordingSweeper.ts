import { DurableObject } from "cloudflare:workers";
import { parseConfig } from "../../worker/config.ts";
import { r2Store } from "../../worker/recordings/r2-store.ts";
import { sweepRecordings } from "../../worker/recordings/sweep.ts";
import { AUDIT_LOG_NAME } from "../../worker/workers-host.ts";

/** How long after a failed sweep the alarm tries again. */
const RETRY_MS = 60_000;

/**
 * One per deployment: at its alarm, finishes recording uploads that went silent (a closed tab) from the parts they
 * sent, and deletes recordings past RECORDING_RETENTION_DAYS; then re-arms for the earliest that waits, and stays off
 * while nothing does. Every upload asks it to be due by its abandonment time.
 */
export class RecordingSweeper extends DurableObject<Env> {
  /** Makes sure the alarm fires by `at`. */
  async dueBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }

  override async alarm(): Promise<void> {
    const parsed = parseConfig(this.env as unknown as Record<string, unknown>);
    if (!parsed.ok) {
      await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
      return;
    }
    const { config } = parsed;
    const log = this.env.AUDIT_LOG.get(this.env.AUDIT_LOG.idFromName(AUDIT_LOG_NAME));
    const next = await sweepRecordings(
      {
        db: this.env.DB,
        store: r2Store(this.env.RECORDINGS),
        audit: (input) => log.append(input),
        retentionDays: config.RECORDING_RETENTION_DAYS,
      },
      Date.now(),
      config.RECORDING_ABANDON_S * 1000,
    );
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }
}
