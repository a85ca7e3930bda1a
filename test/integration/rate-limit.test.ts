import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { emptyBucket, storedBucket } from "../helpers/workers/rate-buckets.ts";
import { randomIp } from "../helpers/workers/ws.ts";

describe("RateLimiter", () => {
  it("keeps a bucket per scope of each address, starting full, and refuses from an empty one", async () => {
    const ip = randomIp();
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(ip));
    expect((await stub.hit("join", 3)).allowed).toBe(true);
    // A new bucket starts at the limit and nothing refills a full one, so one hit leaves exactly limit - 1.
    expect(await storedBucket(ip, "join")).toMatchObject({ tokens: 2 });
    await emptyBucket(ip, "join");
    expect(await stub.hit("join", 3)).toEqual({ allowed: false, retryAfterMs: 20_000 });
    expect((await stub.hit("create", 3)).allowed).toBe(true);
    expect(await storedBucket(ip, "create")).toMatchObject({ tokens: 2 });
    const other = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(randomIp()));
    expect((await other.hit("join", 3)).allowed).toBe(true);
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

describe("Origin check", () => {
  it("refuses a state-changing request from another site", async () => {
    const res = await SELF.fetch("http://localhost/api/auth/logout", {
      method: "POST",
      headers: { origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "ORIGIN_NOT_ALLOWED" } });
  });
});
