import { DurableObject } from "cloudflare:workers";
import type { AuditInput } from "#protocol/audit.ts";
import { auditSigner } from "../../worker/config.ts";
import { log } from "../../worker/log.ts";
import { WebhookDispatcher } from "../../worker/webhooks/dispatcher.ts";
import { webhookSettings } from "../../worker/webhooks/settings.ts";
import { AuditWriter } from "./AuditWriter.ts";

/**
 * The organisation's audit log on Workers: one object (AUDIT_LOG, named "log") is its single writer. A thin adapter:
 * AuditWriter does the work; this class lends it D1, where the log is stored so that the routes and
 * `npm run audit:verify` read it directly. It also delivers the log's session events to webhook endpoints: an
 * append sets the alarm (unless the last run found no endpoint, and none was added since), and the alarm runs the
 * dispatcher until nothing waits.
 */
export class AuditLog extends DurableObject<Env> {
  private readonly writer: AuditWriter;
  private readonly webhooks: WebhookDispatcher;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const vars = env as unknown as Record<string, unknown>;
    const signer = auditSigner(vars);
    if (!signer.ok) throw new Error(signer.issues.join("; "));
    const settings = webhookSettings(vars);
    if (!settings.ok) throw new Error(settings.issues.join("; "));
    this.writer = new AuditWriter({ db: env.DB, signer: signer.signer, now: () => Date.now() });
    this.webhooks = new WebhookDispatcher({
      db: env.DB,
      now: () => Date.now(),
      fetch: (url, init) => fetch(url, init),
      settings: settings.settings,
    });
  }

  /** Appends one entry; resolves with its seq once it is stored. Webhook delivery follows, on the alarm. */
  async append(input: AuditInput): Promise<number> {
    const seq = await this.writer.append(input);
    if (this.webhooks.isNeeded) await this.runSoon();
    return seq;
  }

  /** Runs webhook delivery as soon as possible: an admin added or enabled an endpoint. */
  async deliver(): Promise<void> {
    this.webhooks.expectEndpoints();
    await this.runSoon();
  }

  private async runSoon(): Promise<void> {
    const at = await this.ctx.storage.getAlarm();
    if (at === null || at > Date.now()) await this.ctx.storage.setAlarm(Date.now());
  }

  /** Sends one earlier message to an endpoint again, now. */
  async redeliver(endpointId: string, messageId: string): Promise<"sent" | "failed" | "not_found"> {
    return this.webhooks.redeliver(endpointId, messageId);
  }

  override async alarm(): Promise<void> {
    let next: number | null;
    try {
      next = await this.webhooks.run();
    } catch (err) {
      // D1 unreachable: try again shortly rather than let the runtime's own retries give up.
      log({ event: "webhook_run_failed", message: String(err).slice(0, 200) });
      next = Date.now() + 30_000;
    }
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }
}
