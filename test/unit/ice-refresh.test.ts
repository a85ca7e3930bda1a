import { describe, expect, it } from "vitest";
import { MIN_REFRESH_MS, refreshDelayMs } from "../../client/core/ice-refresh.ts";

describe("refreshDelayMs (when the pages fetch their ICE servers again)", () => {
  it("renews long-lived credentials a minute before they run out, short of 80 % of their life", () => {
    // An hour: 80 % is 48 min, a minute before the end is 59 min; the earlier wins.
    expect(refreshDelayMs(3_600_000)).toBe(2_880_000);
    // Ten hours: 80 % (8 h) comes well before a minute before the end (9 h 59 min).
    expect(refreshDelayMs(36_000_000)).toBe(28_800_000);
  });

  it("renews credentials of a few minutes a minute before their end", () => {
    // Four minutes: 80 % is 192 s, a minute before the end is 180 s.
    expect(refreshDelayMs(240_000)).toBe(180_000);
  });

  it("never asks again sooner than 30 s, however short or spent the credentials are", () => {
    expect(refreshDelayMs(60_000)).toBe(MIN_REFRESH_MS);
    expect(refreshDelayMs(1_000)).toBe(MIN_REFRESH_MS);
    expect(refreshDelayMs(0)).toBe(MIN_REFRESH_MS);
    expect(refreshDelayMs(-5_000)).toBe(MIN_REFRESH_MS);
  });
});
