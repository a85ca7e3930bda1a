import { describe, expect, it } from "vitest";
import {
  judge,
  median,
  medianInterval,
  pairedRatioInterval,
  quantile,
  ratioFields,
  seededRandom,
} from "../../bench/stats.ts";

describe("bench statistics", () => {
  it("interpolates quantiles between neighbours", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20], 0.25)).toBe(12.5);
    expect(median([5, 1, 3])).toBe(3);
  });

  it("draws the same sequence from the same seed, in [0, 1), and another from another seed", () => {
    const a = Array.from({ length: 1_000 }, seededRandom(7));
    const b = Array.from({ length: 1_000 }, seededRandom(7));
    const c = Array.from({ length: 5 }, seededRandom(8));
    expect(a).toEqual(b);
    expect(c).not.toEqual(a.slice(0, 5));
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThan(1);
    // Roughly uniform: the mean of 1,000 draws is near one half.
    expect(a.reduce((s, v) => s + v, 0) / a.length).toBeCloseTo(0.5, 1);
  });

  it("gives a zero-width ratio interval when every pair has the same ratio", () => {
    const reference = [100, 120, 90, 300, 110];
    const ours = reference.map((v) => v * 1.2);
    const interval = pairedRatioInterval(ours, reference);
    expect(interval.estimate).toBeCloseTo(1.2, 12);
    expect(interval.low).toBeCloseTo(1.2, 12);
    expect(interval.high).toBeCloseTo(1.2, 12);
  });

  it("keeps pairs together: a load spike on both sides does not widen the ratio's interval", () => {
    // Every other pair fell on a busy moment that tripled both sides; paired resampling cancels it out.
    const reference = Array.from({ length: 20 }, (_, i) => (i % 2 ? 300 : 100));
    const ours = reference.map((v) => v * 1.1);
    const interval = pairedRatioInterval(ours, reference);
    expect(interval.high - interval.low).toBeLessThan(0.3);
    expect(interval.low).toBeLessThanOrEqual(1.1 + 1e-9);
    expect(interval.high).toBeGreaterThanOrEqual(1.1 - 1e-9);
  });

  it("brackets the ratio of medians, and gives the same interval for the same seed", () => {
    const random = seededRandom(1);
    const reference = Array.from({ length: 40 }, () => 100 + random() * 40);
    const ours = Array.from({ length: 40 }, () => 130 + random() * 40);
    const first = pairedRatioInterval(ours, reference, { random: seededRandom(42) });
    const again = pairedRatioInterval(ours, reference, { random: seededRandom(42) });
    expect(again).toEqual(first);
    expect(first.estimate).toBeCloseTo(median(ours) / median(reference), 12);
    expect(first.low).toBeLessThan(first.estimate);
    expect(first.high).toBeGreaterThan(first.estimate);
    // True ratio of the medians of the two uniform distributions is 150 / 120 = 1.25.
    expect(first.low).toBeLessThan(1.25);
    expect(first.high).toBeGreaterThan(1.25);
    expect(first.high - first.low).toBeLessThan(0.2);
  });

  it("narrows the median's interval with more samples", () => {
    const random = seededRandom(3);
    const draw = (n: number) => Array.from({ length: n }, () => random() * 100);
    const few = medianInterval(draw(10));
    const many = medianInterval(draw(1_000));
    expect(many.high - many.low).toBeLessThan(few.high - few.low);
    expect(many.low).toBeLessThan(50);
    expect(many.high).toBeGreaterThan(50);
    expect(medianInterval([]).estimate).toBeNaN();
  });

  it("calls a target met only when the whole interval meets it", () => {
    const atMost = { of: "ratio", op: "≤", limit: 1.3 } as const;
    expect(judge({ low: 1.0, high: 1.29 }, atMost)).toBe("met");
    expect(judge({ low: 1.0, high: 1.3 }, atMost)).toBe("met");
    expect(judge({ low: 1.1, high: 1.51 }, atMost)).toBe("inconclusive");
    expect(judge({ low: 1.31, high: 1.6 }, atMost)).toBe("missed");
    const atLeast = { of: "value", op: "≥", limit: 5_000 } as const;
    expect(judge({ low: 5_100, high: 9_000 }, atLeast)).toBe("met");
    expect(judge({ low: 4_000, high: 9_000 }, atLeast)).toBe("inconclusive");
    expect(judge({ low: 3_000, high: 4_999 }, atLeast)).toBe("missed");
    expect(judge({ low: Number.NaN, high: Number.NaN }, atLeast)).toBe("inconclusive");
  });

  it("gives a metric its ratio and interval from the same paired bootstrap, the ratio inside the interval", () => {
    const fields = ratioFields(pairedRatioInterval([30, 31, 29, 60, 32, 28], [33, 32, 34, 33, 90, 31]));
    expect(fields.ratio).toBeCloseTo(30.5 / 33, 6);
    expect(fields.ratio).toBeGreaterThanOrEqual(fields.ratio_ci[0]);
    expect(fields.ratio).toBeLessThanOrEqual(fields.ratio_ci[1]);
  });
});
