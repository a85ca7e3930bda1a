import { DurableObject } from "cloudflare:workers";
import { sweepSignIns } from "../../worker/db/sign-ins.ts";

/**
 * One per deployment: deletes expired sign-ins from D1 at its alarm, set for the earliest expiry, so that none stays
 * behind whether or not its technician ever signs in again. Every new sign-in asks it to be due by its expiry; the
 * alarm then re-arms for the earliest sign-in left, and stays off while there is none.
 */
export class SignInSweeper extends DurableObject<Env> {
  /** Makes sure the alarm fires by `at` (a new sign-in's expiry). */
  async dueBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }

  override async alarm(): Promise<void> {
    const next = await sweepSignIns(this.env.DB, Date.now());
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }
}
