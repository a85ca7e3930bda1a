import type { WebhookAttempt, WebhookEndpoint } from "#protocol/webhooks.ts";
import { WebhookEventType } from "#protocol/webhooks.ts";

// D1's webhook_endpoints and webhook_attempts: endpoints read the audit log from their cursor, and every attempt to
// deliver one of its entries is logged for the console.

/** A row of webhook_endpoints. */
export type EndpointRow = {
  id: string;
  url: string;
  events: string;
  secret: string;
  description: string;
  created_at: number;
  cursor: number;
  failures: number;
  next_attempt_at: number;
  disabled_at: number | null;
  disabled_reason: string | null;
};

/** The events a stored endpoint subscribes to (unknown names, which no route writes, are skipped). */
export function eventsOf(row: EndpointRow): WebhookEventType[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.events);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter((name): name is WebhookEventType => WebhookEventType.safeParse(name).success);
}

/** An endpoint as the console sees it. */
export function endpointInfo(row: EndpointRow): WebhookEndpoint {
  const isWaiting = row.disabled_at === null && row.failures > 0;
  return {
    id: row.id,
    url: row.url,
    events: eventsOf(row),
    description: row.description,
    createdAt: row.created_at,
    failures: row.failures,
    nextAttemptAt: isWaiting ? row.next_attempt_at : null,
    disabledAt: row.disabled_at,
    disabledReason: row.disabled_reason,
  };
}

export type NewEndpoint = {
  id: string;
  url: string;
  events: WebhookEventType[];
  secret: string;
  description: string;
  createdBy: string;
  createdAt: number;
};

/** Adds an endpoint that receives the events logged from now on (its cursor is the log's current size). */
export async function insertEndpoint(db: D1Database, endpoint: NewEndpoint): Promise<EndpointRow> {
  const row = await db
    .prepare(
      `INSERT INTO webhook_endpoints (id, url, events, secret, description, created_by, created_at, cursor)
       VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT COUNT(*) FROM audit_entries))
       RETURNING *`,
    )
    .bind(
      endpoint.id,
      endpoint.url,
      JSON.stringify(endpoint.events),
      endpoint.secret,
      endpoint.description,
      endpoint.createdBy,
      endpoint.createdAt,
    )
    .first<EndpointRow>();
  if (!row) throw new Error("webhook endpoint not stored");
  return row;
}

export async function listEndpoints(db: D1Database): Promise<EndpointRow[]> {
  const { results } = await db.prepare("SELECT * FROM webhook_endpoints ORDER BY created_at").all<EndpointRow>();
  return results;
}

export function findEndpoint(db: D1Database, id: string): Promise<EndpointRow | null> {
  return db.prepare("SELECT * FROM webhook_endpoints WHERE id = ?").bind(id).first<EndpointRow>();
}

/** Endpoints whose next attempt is due at `now`. */
export async function dueEndpoints(db: D1Database, now: number): Promise<EndpointRow[]> {
  const { results } = await db
    .prepare("SELECT * FROM webhook_endpoints WHERE disabled_at IS NULL AND next_attempt_at <= ? ORDER BY created_at")
    .bind(now)
    .all<EndpointRow>();
  return results;
}

/** Whether any endpoint is enabled: when none is, the log's growth need not wake delivery. */
export async function hasEnabledEndpoints(db: D1Database): Promise<boolean> {
  return (await db.prepare("SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NULL LIMIT 1").first()) !== null;
}

/** The earliest retry among enabled endpoints, or null when none waits. */
export async function nextRetryAt(db: D1Database): Promise<number | null> {
  const row = await db
    .prepare("SELECT MIN(next_attempt_at) AS at FROM webhook_endpoints WHERE disabled_at IS NULL AND failures > 0")
    .first<{ at: number | null }>();
  return row?.at ?? null;
}

export async function deleteEndpoint(db: D1Database, id: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM webhook_endpoints WHERE id = ?").bind(id).run();
  return result.meta.changes > 0;
}

/** Where an endpoint stands after an attempt (or a run of skipped entries). */
export type EndpointProgress = {
  cursor: number;
  failures: number;
  nextAttemptAt: number;
  disabledAt: number | null;
  disabledReason: string | null;
};

export async function saveProgress(db: D1Database, id: string, progress: EndpointProgress): Promise<void> {
  await db
    .prepare(
      `UPDATE webhook_endpoints SET cursor = ?, failures = ?, next_attempt_at = ?, disabled_at = ?, disabled_reason = ?
       WHERE id = ?`,
    )
    .bind(progress.cursor, progress.failures, progress.nextAttemptAt, progress.disabledAt, progress.disabledReason, id)
    .run();
}

/** Enables an endpoint again: its delivery resumes at the message it stopped at, at once. */
export async function enableEndpoint(db: D1Database, id: string): Promise<EndpointRow | null> {
  return db
    .prepare(
      `UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL, failures = 0, next_attempt_at = 0
       WHERE id = ? RETURNING *`,
    )
    .bind(id)
    .first<EndpointRow>();
}

/** Attempts kept per endpoint; older ones are dropped as new ones are logged. */
export const ATTEMPTS_KEPT = 500;

export type AttemptRecord = Omit<WebhookAttempt, "event"> & { event: WebhookEventType; seq: number };

export async function insertAttempt(db: D1Database, endpointId: string, attempt: AttemptRecord): Promise<void> {
  await db.batch([
    db
      .prepare(
        `INSERT INTO webhook_attempts (endpoint_id, message_id, event, seq, attempt, at, status, error, is_manual)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        endpointId,
        attempt.messageId,
        attempt.event,
        attempt.seq,
        attempt.attempt,
        attempt.at,
        attempt.status,
        attempt.error,
        attempt.isManual ? 1 : 0,
      ),
    db
      .prepare(
        `DELETE FROM webhook_attempts WHERE endpoint_id = ?1 AND id <= (
           SELECT id FROM webhook_attempts WHERE endpoint_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)`,
      )
      .bind(endpointId, ATTEMPTS_KEPT),
  ]);
}

type AttemptRow = {
  message_id: string;
  event: string;
  attempt: number;
  at: number;
  status: number | null;
  error: string | null;
  is_manual: number;
};

/** An endpoint's newest attempts, newest first. */
export async function listAttempts(db: D1Database, endpointId: string, limit: number): Promise<WebhookAttempt[]> {
  const { results } = await db
    .prepare(
      `SELECT message_id, event, attempt, at, status, error, is_manual FROM webhook_attempts
       WHERE endpoint_id = ? ORDER BY id DESC LIMIT ?`,
    )
    .bind(endpointId, limit)
    .all<AttemptRow>();
  return results.flatMap((row) => {
    const event = WebhookEventType.safeParse(row.event);
    if (!event.success) return [];
    return [
      {
        messageId: row.message_id,
        event: event.data,
        attempt: row.attempt,
        at: row.at,
        status: row.status,
        error: row.error,
        isManual: row.is_manual === 1,
      },
    ];
  });
}

/** The audit entries from `start` on, as stored lines, at most `limit`. */
export async function entriesFrom(
  db: D1Database,
  start: number,
  limit: number,
): Promise<{ seq: number; entry: string }[]> {
  const { results } = await db
    .prepare("SELECT seq, entry FROM audit_entries WHERE seq >= ? ORDER BY seq LIMIT ?")
    .bind(start, limit)
    .all<{ seq: number; entry: string }>();
  return results;
}

/** The first entry of `types` logged for `session` before `seq`, as its stored line. */
export async function sessionEntry(
  db: D1Database,
  session: string,
  type: string,
  beforeSeq: number,
): Promise<{ time: number; entry: string } | null> {
  return db
    .prepare("SELECT time, entry FROM audit_entries WHERE session = ? AND type = ? AND seq < ? ORDER BY seq LIMIT 1")
    .bind(session, type, beforeSeq)
    .first<{ time: number; entry: string }>();
}
