/** The value at quantile `q` (0–1) of `sorted`, interpolating between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lower = Math.floor(at);
  const upper = Math.ceil(at);
  const low = sorted[lower] ?? Number.NaN;
  const high = sorted[upper] ?? Number.NaN;
  return low + (high - low) * (at - lower);
}

/** A sorted copy. */
export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  return quantile(sorted(values), 0.5);
}

/** p50, p95 and p99 of `values`. */
export function percentiles(values: readonly number[]): { p50: number; p95: number; p99: number } {
  const s = sorted(values);
  return { p50: quantile(s, 0.5), p95: quantile(s, 0.95), p99: quantile(s, 0.99) };
}

/** Rounds to `digits` decimals, for results that a person reads. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** A seeded pseudo-random source in [0, 1) (mulberry32), so that a bootstrap gives the same interval every time. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A figure with its confidence interval. */
export type Interval = { estimate: number; low: number; high: number; level: number };

/** Options of a bootstrap: how many resamples, the interval's level (0.95) and the random source. */
export type BootstrapOptions = { resamples?: number; level?: number; random?: () => number };

/** Seed of the bench's bootstraps: fixed, so that the same samples always give the same interval. */
export const BOOTSTRAP_SEED = 20_261_123;

function percentileInterval(stats: number[], estimate: number, level: number): Interval {
  const s = sorted(stats.filter(Number.isFinite));
  return { estimate, low: quantile(s, (1 - level) / 2), high: quantile(s, (1 + level) / 2), level };
}

/**
 * Bootstrap percentile interval of median(ours) / median(reference) over paired blocks: block i of each was measured
 * back to back (ABAB…), and a resample draws block indices with replacement, keeping each pair together, so that a
 * busy moment of the machine weighs on both sides of the ratio. A block is one sample (a share) or the median of a
 * run; `ours` and `reference` must have the same length.
 */
export function pairedRatioInterval(
  ours: readonly number[],
  reference: readonly number[],
  { resamples = 2_000, level = 0.95, random = seededRandom(BOOTSTRAP_SEED) }: BootstrapOptions = {},
): Interval {
  const n = Math.min(ours.length, reference.length);
  if (n === 0) return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN, level };
  const estimate = median(ours.slice(0, n)) / median(reference.slice(0, n));
  const stats: number[] = [];
  const a: number[] = new Array(n);
  const b: number[] = new Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const at = Math.floor(random() * n);
      a[i] = ours[at] as number;
      b[i] = reference[at] as number;
    }
    stats.push(median(a) / median(b));
  }
  return percentileInterval(stats, estimate, level);
}

/** A metric's ratio and its interval, both from one paired bootstrap: the same statistic, never two. */
export function ratioFields(interval: Interval): { ratio: number; ratio_ci: [number, number] } {
  return { ratio: interval.estimate, ratio_ci: [interval.low, interval.high] };
}

/** Bootstrap percentile interval of the median of `values`. */
export function medianInterval(
  values: readonly number[],
  { resamples = 2_000, level = 0.95, random = seededRandom(BOOTSTRAP_SEED) }: BootstrapOptions = {},
): Interval {
  const n = values.length;
  if (n === 0) return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN, level };
  const stats: number[] = [];
  const a: number[] = new Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) a[i] = values[Math.floor(random() * n)] as number;
    stats.push(median(a));
  }
  return percentileInterval(stats, median(values), level);
}

/** A goal: the figure (or its ratio to the reference) must be at most or at least `limit`. */
export type Target = { of: "value" | "ratio"; op: "≤" | "≥"; limit: number };

/** What an interval says about a target. */
export type Verdict = "met" | "inconclusive" | "missed";

/**
 * Met only when the whole interval meets the target (for ≤, its upper end; for ≥, its lower end); missed when even
 * its better end misses; inconclusive in between.
 */
export function judge(interval: Pick<Interval, "low" | "high">, target: Target): Verdict {
  const { low, high } = interval;
  if (!Number.isFinite(low) || !Number.isFinite(high)) return "inconclusive";
  const [worst, best] = target.op === "≤" ? [high, low] : [low, high];
  const meets = (v: number) => (target.op === "≤" ? v <= target.limit : v >= target.limit);
  if (meets(worst)) return "met";
  return meets(best) ? "inconclusive" : "missed";
}
