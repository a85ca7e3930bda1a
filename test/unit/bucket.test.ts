import { describe, expect, it } from "vitest";
import { perMinute, take } from "../../durable-objects/rate-limit/bucket.ts";
import { clientKey } from "../../durable-objects/rate-limit/client-key.ts";

describe("token bucket", () => {
  it("allows a burst of capacity, then refuses with the wait until the next token", () => {
    const limit = perMinute(3);
    let bucket: ReturnType<typeof take>["bucket"] | undefined;
    for (let i = 0; i < 3; i++) {
      const r = take(bucket, limit, 1_000);
      expect(r.allowed).toBe(true);
      bucket = r.bucket;
    }
    const refused = take(bucket, limit, 1_000);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBe(20_000);
  });

  it("refills with elapsed time and never beyond capacity", () => {
    const limit = { capacity: 2, refillPerSecond: 1 };
    const empty = { tokens: 0, updatedAt: 0 };
    expect(take(empty, limit, 500).allowed).toBe(false);
    expect(take(empty, limit, 1_000).allowed).toBe(true);
    expect(take(empty, limit, 1_000_000).bucket.tokens).toBe(1);
  });

  it("starts full: a new bucket's first take leaves exactly capacity - 1", () => {
    expect(take(undefined, perMinute(60), 5_000)).toEqual({
      allowed: true,
      bucket: { tokens: 59, updatedAt: 5_000 },
      retryAfterMs: 0,
    });
  });

  it("re-dates the bucket on a refusal, so refill counts from then", () => {
    const limit = { capacity: 3, refillPerSecond: 1 };
    const refused = take({ tokens: 0.25, updatedAt: 1_000 }, limit, 1_500);
    expect(refused).toEqual({ allowed: false, bucket: { tokens: 0.75, updatedAt: 1_500 }, retryAfterMs: 250 });
    expect(take(refused.bucket, limit, 1_749).allowed).toBe(false);
    expect(take(refused.bucket, limit, 1_750).allowed).toBe(true);
  });

  it("ignores a clock that goes backwards", () => {
    const r = take({ tokens: 0.5, updatedAt: 10_000 }, { capacity: 1, refillPerSecond: 1 }, 5_000);
    expect(r.allowed).toBe(false);
    expect(r.bucket.tokens).toBe(0.5);
  });
});

describe("clientKey", () => {
  it("keeps IPv4 addresses whole", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
  });

  it("groups IPv6 addresses by /64, however they are written", () => {
    expect(clientKey("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:0DB8:0001:0002::9")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
  });

  it("puts requests without an address in one shared bucket", () => {
    expect(clientKey(undefined)).toBe("unknown");
  });
});
