import { describe, expect, it } from "vitest";
import { perMinute, sweepBuckets, take } from "../../durable-objects/rate-limit/bucket.ts";
import { clientBuckets, clientKey } from "../../durable-objects/rate-limit/client-key.ts";

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
    expect(clientKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });

  it("keys an IPv4-mapped IPv6 address as the IPv4 address it carries", () => {
    expect(clientKey("::ffff:1.2.3.4")).toBe("1.2.3.4");
    expect(clientKey("::FFFF:102:304")).toBe("1.2.3.4");
    expect(clientKey("0:0:0:0:0:ffff:1.2.3.4")).toBe("1.2.3.4");
  });

  it("has no key, not a shared one, for a missing or malformed address", () => {
    for (const bad of [
      undefined,
      "",
      "unknown",
      "1.2.3",
      "1.2.3.256",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "12345::",
      "::ffff:1.2.3.4x",
    ]) {
      expect(clientKey(bad), String(bad)).toBeNull();
    }
  });
});

describe("clientBuckets", () => {
  it("counts an IPv4 client in its address's bucket only", () => {
    expect(clientBuckets("198.51.100.9")).toEqual([{ key: "198.51.100.9", scale: 1 }]);
    expect(clientBuckets("::ffff:198.51.100.9")).toEqual([{ key: "198.51.100.9", scale: 1 }]);
  });

  it("counts an IPv6 client at its /64, /56 and /48 at once, the wider ones with a larger share", () => {
    expect(clientBuckets("2001:db8:aa:12ff:1:2:3:4")).toEqual([
      { key: "2001:db8:aa:12ff::/64", scale: 1 },
      { key: "2001:db8:aa:1200::/56", scale: 4 },
      { key: "2001:db8:aa::/48", scale: 16 },
    ]);
  });

  it("puts every /64 of one /48 into that /48's bucket, so spreading over them gains at most 16 times the limit", () => {
    const wide = new Set<string>();
    for (let i = 0; i < 256; i++) {
      const buckets = clientBuckets(`2001:db8:aa:${i.toString(16)}::1`) ?? [];
      wide.add(buckets.find((b) => b.scale === 16)?.key ?? "");
    }
    expect(wide).toEqual(new Set(["2001:db8:aa::/48"]));
  });

  it("has none for a request without a valid address", () => {
    expect(clientBuckets(undefined)).toBeNull();
    expect(clientBuckets("not an address")).toBeNull();
  });
});

describe("sweepBuckets", () => {
  const T = 1_800_000_000_000;

  it("deletes a client's buckets once all are full again, a minute after their last use", () => {
    expect(sweepBuckets(T, T + 60_000)).toEqual({ action: "delete" });
    expect(sweepBuckets(null, T)).toEqual({ action: "delete" });
  });

  it("waits while any bucket is still refilling", () => {
    expect(sweepBuckets(T, T + 59_999)).toEqual({ action: "wait", until: T + 60_000 });
  });
});
