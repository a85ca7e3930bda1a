import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("RateLimiter", () => {
  it("counts each scope of each address separately and refuses past the limit", async () => {
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName("198.51.100.1"));
    for (let i = 0; i < 3; i++) expect((await stub.hit("join", 3)).allowed).toBe(true);
    const refused = await stub.hit("join", 3);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect((await stub.hit("create", 3)).allowed).toBe(true);
    const other = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName("198.51.100.2"));
    expect((await other.hit("join", 3)).allowed).toBe(true);
  });

  it("answers over-limit HTTP requests with 429, Retry-After and a JSON error", async () => {
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName("198.51.100.9"));
    // Drain this address's sign-in bucket, then ask through the Worker.
    while ((await stub.hit("signin", Number(env.RATE_SIGNIN_PER_MIN))).allowed) {}
    const res = await SELF.fetch("http://localhost/api/auth/login/options", {
      method: "POST",
      headers: { origin: "http://localhost", "cf-connecting-ip": "198.51.100.9" },
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
