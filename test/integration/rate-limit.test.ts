import { runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { RateLimiter } from "../../durable-objects/rate-limit/RateLimiter.ts";
import { emptyBucket, storedBucket } from "../helpers/workers/rate-buckets.ts";
import { randomIp } from "../helpers/workers/ws.ts";

describe("RateLimiter", () => {
  it("keeps a bucket per scope of each address, starting full, and refuses from an empty one", async () => {
    const ip = randomIp();
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(ip));
    expect((await stub.hit("lookup", 3)).allowed).toBe(true);
    // A new bucket starts at the limit and nothing refills a full one, so one hit leaves exactly limit - 1.
    expect(await storedBucket(ip, "lookup")).toMatchObject({ tokens: 2 });
    await emptyBucket(ip, "lookup");
    expect(await stub.hit("lookup", 3)).toEqual({ allowed: false, retryAfterMs: 20_000 });
    expect((await stub.hit("create", 3)).allowed).toBe(true);
    expect(await storedBucket(ip, "create")).toMatchObject({ tokens: 2 });
    const other = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(randomIp()));
    expect((await other.hit("lookup", 3)).allowed).toBe(true);
  });

  it("answers over-limit HTTP requests with 429, Retry-After and a JSON error", async () => {
    const ip = randomIp();
    await emptyBucket(ip, "signin");
    const res = await SELF.fetch("http://localhost/api/auth/login/options", {
      method: "POST",
      headers: { origin: "http://localhost", "cf-connecting-ip": ip },
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
  });
});

describe("RateLimiter cleanup", () => {
  /** The tables the object holds and its pending alarm. */
  function stored(stub: DurableObjectStub<RateLimiter>) {
    return runInDurableObject(stub, async (_limiter: RateLimiter, state) => ({
      tables: state.storage.sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'",
        )
        .toArray()
        .map((row) => row.name),
      alarm: await state.storage.getAlarm(),
    }));
  }

  it("deletes an address's storage once every bucket is full again, and keeps it while one refills", async () => {
    const ip = randomIp();
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(ip));
    await stub.hit("lookup", 3);
    await stub.hit("signin", 3);
    expect((await stored(stub)).alarm).toEqual(expect.any(Number));

    // The latest use is recent: the alarm keeps the buckets and looks again a minute after it.
    await runInDurableObject(stub, (_limiter: RateLimiter, state) => {
      state.storage.sql.exec("UPDATE buckets SET updated_at = ? WHERE scope = 'lookup'", Date.now() - 120_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await storedBucket(ip, "signin")).not.toBeNull();
    expect((await stored(stub)).alarm).toEqual(expect.any(Number));

    // A minute after the latest use every bucket is full again: all of the object's storage goes.
    await runInDurableObject(stub, (_limiter: RateLimiter, state) => {
      state.storage.sql.exec("UPDATE buckets SET updated_at = ?", Date.now() - 60_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stored(stub)).toEqual({ tables: [], alarm: null });

    // And the address starts again from a full bucket.
    expect((await stub.hit("lookup", 3)).allowed).toBe(true);
    expect(await storedBucket(ip, "lookup")).toMatchObject({ tokens: 2 });
  });
});

describe("Origin check", () => {
  it("refuses a DNS-rebinding page, whose Host and Origin both name the attacker", async () => {
    const res = await SELF.fetch("http://rebound.evil.example:8787/api/help", {
      method: "POST",
      headers: {
        origin: "http://rebound.evil.example:8787",
        "cf-connecting-ip": randomIp(),
        "content-type": "application/json",
      },
      body: JSON.stringify({ customerKeyHash: "A".repeat(43) }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "ORIGIN_NOT_ALLOWED" } });
  });

  it("refuses a state-changing request from another site", async () => {
    const res = await SELF.fetch("http://localhost/api/auth/logout", {
      method: "POST",
      headers: { origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "ORIGIN_NOT_ALLOWED" } });
  });
});
