import { Webhook } from "standardwebhooks";
import type { AuditEntry } from "#protocol/audit.ts";
import type { WebhookEventType } from "#protocol/webhooks.ts";
import {
  dueEndpoints,
  type EndpointProgress,
  type EndpointRow,
  entriesFrom,
  eventsOf,
  findEndpoint,
  hasEnabledEndpoints,
  insertAttempt,
  nextRetryAt,
  saveProgress,
} from "../db/webhooks.ts";
import { log } from "../log.ts";
import { eventTypeOf, messageIdOf, parseEntry, payloadOf, seqOfMessageId } from "./events.ts";
import type { WebhookSettings } from "./settings.ts";
import { isPrivateAddress, targetProblem } from "./targets.ts";

// Delivers the audit log's session events to each webhook endpoint, in the log's order, on any host. An endpoint's
// cursor is the next entry it has not received: an entry that is not one of its events is passed over; one that is
// is sent, and the cursor moves past it only once the receiver answered 2xx. A failure waits for the next delay of
// the retry schedule (Standard Webhooks' by default) and blocks the entries after it, so the order holds; when every
// retry of one message failed the endpoint is disabled, with its reason, until an admin enables it again. The host
// runs `run` when the log grows and again at the time it returns (an alarm on Workers, a timer on Deno).

/** Entries read per query while an endpoint catches up. */
const PAGE = 50;

/** Messages one endpoint is sent in one run; more waits for the next run, which is due at once. */
const MAX_PER_RUN = 200;

/** What a host lends the dispatcher. */
export type DispatcherRuntime = {
  db: D1Database;
  now(): number;
  fetch(url: string, init: RequestInit): Promise<Response>;
  settings: WebhookSettings;
  /**
   * The addresses `hostname` resolves to, where the host can tell (Deno); each is checked before a delivery so that
   * a name pointing inside is refused. Absent on Workers, whose fetch cannot reach private networks.
   */
  resolve?: (hostname: string) => Promise<string[]>;
};

/** One attempt's outcome: the receiver's status, or why no answer came. */
type Outcome = { status: number | null; error: string | null };

/** The payload of `entry` for an endpoint that receives `events`; null, without reading more, for any other entry. */
async function payloadFor(db: D1Database, entry: AuditEntry, events: readonly WebhookEventType[]) {
  const type = eventTypeOf(entry.type);
  return type && events.includes(type) ? payloadOf(db, entry) : null;
}

const isDelivered = (outcome: Outcome) => outcome.status !== null && outcome.status >= 200 && outcome.status < 300;

export class WebhookDispatcher {
  private running: Promise<number | null> | null = null;
  /** Whether any endpoint is enabled, as the last run found; null until a run has looked, or once one may be. */
  private hasEndpoints: boolean | null = null;

  constructor(private readonly runtime: DispatcherRuntime) {}

  /**
   * Delivers what is due to every enabled endpoint; resolves with when to run again (now, if an endpoint has more
   * waiting than one run sends), or null when nothing waits. Runs one at a time: a call during a run waits for it
   * and then runs again, so entries appended meanwhile are not missed.
   */
  async run(): Promise<number | null> {
    while (this.running) await this.running.catch(() => null);
    this.running = this.runOnce();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  /** Whether the log's growth should wake delivery: not when the last run found no enabled endpoint. */
  get isNeeded(): boolean {
    return this.hasEndpoints !== false;
  }

  /** An admin added or enabled an endpoint: the next growth of the log wakes delivery again. */
  expectEndpoints(): void {
    this.hasEndpoints = null;
  }

  /** Sends message `messageId` to endpoint `endpointId` once more, now, outside its order; logged as manual. */
  async redeliver(endpointId: string, messageId: string): Promise<"sent" | "failed" | "not_found"> {
    const { db } = this.runtime;
    const seq = seqOfMessageId(messageId);
    const endpoint = await findEndpoint(db, endpointId);
    if (seq === null || !endpoint || seq >= endpoint.cursor) return "not_found";
    const [row] = await entriesFrom(db, seq, 1);
    const entry = row && row.seq === seq ? parseEntry(row.entry) : null;
    const payload = entry ? await payloadFor(db, entry, eventsOf(endpoint)) : null;
    if (!payload) return "not_found";
    const outcome = await this.send(endpoint, messageId, JSON.stringify(payload));
    await this.logAttempt(endpoint.id, { messageId, event: payload.type, seq, attempt: 1, isManual: true }, outcome);
    return isDelivered(outcome) ? "sent" : "failed";
  }

  private async runOnce(): Promise<number | null> {
    const { db } = this.runtime;
    let isMoreWaiting = false;
    for (const endpoint of await dueEndpoints(db, this.runtime.now())) {
      if (await this.deliverTo(endpoint)) isMoreWaiting = true;
    }
    this.hasEndpoints = await hasEnabledEndpoints(db);
    return isMoreWaiting ? this.runtime.now() : nextRetryAt(db);
  }

  /** Sends `endpoint` what it has not received, in order; true when it has more waiting than one run sends. */
  private async deliverTo(endpoint: EndpointRow): Promise<boolean> {
    const { db, settings } = this.runtime;
    const events = eventsOf(endpoint);
    const progress: EndpointProgress = {
      cursor: endpoint.cursor,
      failures: endpoint.failures,
      nextAttemptAt: endpoint.next_attempt_at,
      disabledAt: null,
      disabledReason: null,
    };
    let sent = 0;
    for (;;) {
      const page = await entriesFrom(db, progress.cursor, PAGE);
      if (page.length === 0) break;
      for (const { seq, entry: line } of page) {
        const entry = parseEntry(line);
        const payload = entry ? await payloadFor(db, entry, events) : null;
        if (!payload) {
          progress.cursor = seq + 1;
          continue;
        }
        if (sent >= MAX_PER_RUN) {
          await saveProgress(db, endpoint.id, progress);
          return true;
        }
        sent += 1;
        const messageId = messageIdOf(seq);
        const outcome = await this.send(endpoint, messageId, JSON.stringify(payload));
        const attempt = progress.failures + 1;
        await this.logAttempt(endpoint.id, { messageId, event: payload.type, seq, attempt, isManual: false }, outcome);
        if (isDelivered(outcome)) {
          progress.cursor = seq + 1;
          progress.failures = 0;
          progress.nextAttemptAt = 0;
          continue;
        }
        progress.failures = attempt;
        const delay = settings.retryDelaysMs[attempt - 1];
        if (delay === undefined) {
          progress.disabledAt = this.runtime.now();
          progress.disabledReason = `Every attempt to deliver ${messageId} (${payload.type}) failed; the last: ${describe(outcome)}`;
          log({ event: "webhook_endpoint_disabled", endpointId: endpoint.id, messageId });
        } else {
          progress.nextAttemptAt = this.runtime.now() + delay;
        }
        await saveProgress(db, endpoint.id, progress);
        return false;
      }
    }
    if (progress.cursor !== endpoint.cursor || progress.failures !== endpoint.failures) {
      await saveProgress(db, endpoint.id, progress);
    }
    return false;
  }

  /** One POST of `body`, signed for `endpoint`; never throws. */
  private async send(endpoint: EndpointRow, messageId: string, body: string): Promise<Outcome> {
    const { settings } = this.runtime;
    const problem = targetProblem(endpoint.url, settings.allowPrivate) ?? (await this.resolvedProblem(endpoint.url));
    if (problem) return { status: null, error: problem };
    const sentAt = new Date(this.runtime.now());
    let signature: string;
    try {
      signature = new Webhook(endpoint.secret).sign(messageId, sentAt, body);
    } catch {
      return { status: null, error: "The endpoint's secret cannot sign; remove the endpoint and add it again." };
    }
    try {
      const response = await this.runtime.fetch(endpoint.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "Tether-Webhooks/1",
          "webhook-id": messageId,
          "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
          "webhook-signature": signature,
        },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      // Only the status matters; the body is the receiver's and is not kept.
      await response.body?.cancel();
      return { status: response.status, error: null };
    } catch (err) {
      const isTimeout = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      return {
        status: null,
        error: isTimeout ? `No answer within ${settings.timeoutMs / 1000} s.` : "The receiver could not be reached.",
      };
    }
  }

  /** On hosts that resolve names: why the name now points somewhere webhooks must not go, if it does. */
  private async resolvedProblem(url: string): Promise<string | null> {
    const { resolve, settings } = this.runtime;
    if (!resolve || settings.allowPrivate) return null;
    let addresses: string[];
    try {
      addresses = await resolve(new URL(url).hostname);
    } catch {
      return "The receiver's name could not be resolved.";
    }
    return addresses.some(isPrivateAddress)
      ? "The receiver's name resolves to a private or loopback address; webhooks go to public addresses only."
      : null;
  }

  private async logAttempt(
    endpointId: string,
    attempt: { messageId: string; event: WebhookEventType; seq: number; attempt: number; isManual: boolean },
    outcome: Outcome,
  ): Promise<void> {
    await insertAttempt(this.runtime.db, endpointId, { ...attempt, at: this.runtime.now(), ...outcome });
  }
}

function describe(outcome: Outcome): string {
  return outcome.status !== null ? `HTTP ${outcome.status}` : (outcome.error ?? "no answer");
}
