import type { Pair } from "./clients.ts";
import type { Metric } from "./report.ts";
import { measureRoundTrips, measureThroughput, type ThroughputRun } from "./signaling.ts";
import { median, percentiles } from "./stats.ts";

/** A server under test, reached through one connected pair. */
export type Target = { name: string; pair: Pair; serverCpuMs?: () => number };

/** How much of each loop to run. */
export type SignalingPlan = {
  rtt: { warmUp: number; runs: number; perRun: number };
  throughput: { runs: number; warmUpMs: number; windowMs: number; inFlight: number };
};

/** Every run's round-trip samples (ms) and throughput of one target. */
export type TargetResult = { rtt: number[][]; throughput: ThroughputRun[] };

/**
 * Runs the round-trip and throughput loops on every target, interleaved run by run, so that a noisy moment on the
 * machine (it is shared) falls on all of them rather than on one.
 */
export async function compareTargets(
  targets: Target[],
  plan: SignalingPlan,
  progress: (what: string) => void,
): Promise<Map<string, TargetResult>> {
  const results = new Map<string, TargetResult>(targets.map((t) => [t.name, { rtt: [], throughput: [] }]));
  for (const target of targets) await measureRoundTrips(target.pair, plan.rtt.warmUp);
  // Odd runs go in reverse order (ABBA…), so that no target always follows the same one.
  const inTurn = (run: number) => (run % 2 ? [...targets].reverse() : targets);
  for (let run = 0; run < plan.rtt.runs; run++) {
    if (run % 10 === 0) progress(`round trips, run ${run + 1} of ${plan.rtt.runs}`);
    for (const target of inTurn(run)) {
      results.get(target.name)?.rtt.push(await measureRoundTrips(target.pair, plan.rtt.perRun));
    }
  }
  for (let run = 0; run < plan.throughput.runs; run++) {
    progress(`throughput, run ${run + 1} of ${plan.throughput.runs}`);
    for (const target of inTurn(run)) {
      const { warmUpMs, windowMs, inFlight } = plan.throughput;
      const measured = await measureThroughput(target.pair, {
        warmUpMs,
        windowMs,
        inFlight,
        ...(target.serverCpuMs ? { serverCpuMs: target.serverCpuMs } : {}),
      }).catch((err: unknown) => {
        throw new Error(`${target.name}, throughput run ${run + 1}: ${err instanceof Error ? err.message : err}`);
      });
      results.get(target.name)?.throughput.push(measured);
    }
  }
  return results;
}

/** Round trips of a target as a metric: percentiles over all samples, each run's median in `runs`. */
export function rttMetric(result: TargetResult, note: string): Metric {
  const all = result.rtt.flat();
  const { p50, p95, p99 } = percentiles(all);
  return { value: p50, unit: "ms", p50, p95, p99, runs: result.rtt.map((r) => median(r)), note };
}

/** Throughput of a target as a metric: the median run, each run in `runs`. */
export function throughputMetric(result: TargetResult, note: string): Metric {
  const rates = result.throughput.map((r) => r.messagesPerS);
  const stalled = result.throughput.filter((r) => r.lost > 0);
  const lost = stalled.length
    ? `; in ${stalled.length} run(s) ${stalled.map((r) => r.lost).join(", ")} frames in flight after the window never arrived`
    : "";
  return { value: median(rates), unit: "messages/s", runs: rates, note: note + lost };
}

/** Median server CPU per relayed message over the throughput runs, µs, and the CPU share it took (% of a core). */
export function cpuPerMessage(result: TargetResult): { us: number; percent: number } | null {
  const us = result.throughput.map((r) => r.serverCpuUsPerMessage).filter((v): v is number => v !== null);
  const pct = result.throughput.map((r) => r.serverCpuPercent).filter((v): v is number => v !== null);
  return us.length === 0 ? null : { us: median(us), percent: median(pct) };
}
