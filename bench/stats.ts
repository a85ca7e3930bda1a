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
