import { DurableObject } from "cloudflare:workers";
import { type Bucket, perMinute, type TakeResult, take } from "./bucket.ts";

/** One per client address: token buckets per scope (create, sign-in, join), kept in SQLite. */
export class RateLimiter extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS buckets (scope TEXT PRIMARY KEY, tokens REAL NOT NULL, updated_at INTEGER NOT NULL)",
      );
    });
  }

  /** Takes one token from `scope`'s bucket of `limitPerMinute`. */
  hit(scope: string, limitPerMinute: number): Omit<TakeResult, "bucket"> {
    const now = Date.now();
    const row = this.ctx.storage.sql
      .exec<{ tokens: number; updated_at: number }>("SELECT tokens, updated_at FROM buckets WHERE scope = ?", scope)
      .toArray()[0];
    const previous: Bucket | undefined = row ? { tokens: row.tokens, updatedAt: row.updated_at } : undefined;
    const result = take(previous, perMinute(limitPerMinute), now);
    this.ctx.storage.sql.exec(
      "INSERT INTO buckets (scope, tokens, updated_at) VALUES (?, ?, ?) ON CONFLICT(scope) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at",
      scope,
      result.bucket.tokens,
      result.bucket.updatedAt,
    );
    return { allowed: result.allowed, retryAfterMs: result.retryAfterMs };
  }
}
