import { describe, expect, it } from "vitest";
import { RateLimits } from "../../worker/deno/rate-limits.ts";

const T0 = 1_800_000_000_000;

describe("RateLimits (the Deno host's in-process buckets)", () => {
  it("allows the per-minute limit as a burst, then refuses with the wait until the next token", () => {
    const limits = new RateLimits();
    for (let i = 0; i < 3; i++) expect(limits.hit("10.0.0.1", "join", 3, T0).allowed).toBe(true);
    expect(limits.hit("10.0.0.1", "join", 3, T0)).toEqual({ allowed: false, retryAfterMs: 20_000 });
    expect(limits.hit("10.0.0.1", "join", 3, T0 + 20_000).allowed).toBe(true);
  });

  it("counts each address and each scope on its own", () => {
    const limits = new RateLimits();
    expect(limits.hit("10.0.0.1", "create", 1, T0).allowed).toBe(true);
    expect(limits.hit("10.0.0.1", "create", 1, T0).allowed).toBe(false);
    expect(limits.hit("10.0.0.2", "create", 1, T0).allowed).toBe(true);
    expect(limits.hit("10.0.0.1", "signin", 1, T0).allowed).toBe(true);
  });

  it("forgets buckets that have refilled, so memory follows recent traffic", () => {
    const limits = new RateLimits();
    for (let i = 0; i < 50; i++) limits.hit(`10.0.1.${i}`, "join", 60, T0);
    expect(limits.size).toBe(50);
    limits.hit("10.0.2.1", "join", 60, T0 + 60_000);
    expect(limits.size).toBe(1);
  });
});
