import { DurableObject } from "cloudflare:workers";
import { type Bucket, perMinute, REFILL_MS, sweepBuckets, type TakeResult, take } from "./bucket.ts";

const SCHEMA =
  "CREATE TABLE IF NOT EXISTS buckets (scope TEXT PRIMARY KEY, tokens REAL NOT NULL, updated_at INTEGER NOT NULL)";

/**
 * One per client address or prefix (client-key.ts): token buckets per scope, kept in SQLite only while one is not full
 * again; an alarm then deletes the object's storage, so an address seen once costs nothing a minute later.
 */
export class RateLimiter extends DurableObject<Env> {
  /** Whether the table exists: deleting all storage drops it too. */
  private hasSchema = false;
  /** When the pending alarm fires, as far as this instance knows (null: none, or not known since a restart). */
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => this.createSchema());
  }

  private createSchema(): void {
    this.ctx.storage.sql.exec(SCHEMA);
    this.hasSchema = true;
  }

  /** Takes one token from `scope`'s bucket of `limitPerMinute`. */
  async hit(scope: string, limitPerMinute: number): Promise<Omit<TakeResult, "bucket">> {
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    if (!this.hasSchema) this.createSchema();
    const row = sql
      .exec<{ tokens: number; updated_at: number }>("SELECT tokens, updated_at FROM buckets WHERE scope = ?", scope)
      .toArray()[0];
    const previous: Bucket | undefined = row ? { tokens: row.tokens, updatedAt: row.updated_at } : undefined;
    const result = take(previous, perMinute(limitPerMinute), now);
    sql.exec(
      "INSERT INTO buckets (scope, tokens, updated_at) VALUES (?, ?, ?) ON CONFLICT(scope) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at",
      scope,
      result.bucket.tokens,
      result.bucket.updatedAt,
    );
    // One alarm while buckets are kept; when it fires it looks at the latest use and waits longer if need be.
    if (this.alarmAt === null) {
      this.alarmAt = now + REFILL_MS;
      await this.ctx.storage.setAlarm(this.alarmAt);
    }
    return { allowed: result.allowed, retryAfterMs: result.retryAfterMs };
  }

  /** Deletes every bucket once all are full again; otherwise waits until they will be. */
  override async alarm(): Promise<void> {
    if (!this.hasSchema) this.createSchema();
    const sql = this.ctx.storage.sql;
    const last = sql.exec<{ last: number | null }>("SELECT MAX(updated_at) AS last FROM buckets").one().last;
    const decision = sweepBuckets(last, Date.now());
    if (decision.action === "delete") {
      await this.ctx.storage.deleteAll();
      this.hasSchema = false;
      this.alarmAt = null;
      return;
    }
    this.alarmAt = decision.until;
    await this.ctx.storage.setAlarm(decision.until);
  }
}
