import { readFileSync } from "node:fs";
import path from "node:path";
import type { Series } from "./chart.ts";
import { createSession, joinBaseline, joinPeerJs, joinTether, type Pair } from "./clients.ts";
import {
  compareTargets,
  cpuPerMessage,
  rttMetric,
  type Target,
  type TargetResult,
  throughputMetric,
} from "./compare.ts";
import type { Plan } from "./plan.ts";
import type { Prerequisites } from "./prerequisites.ts";
import { cpuMs } from "./procfs.ts";
import type { Metric } from "./report.ts";
import { BENCH_VARS, startBaseline, startPeerJs, startTether, type TetherServer } from "./servers.ts";
import { measureCustomerPage } from "./sizes.ts";
import type { Snapshot } from "./snapshot.ts";
import { medianInterval, pairedRatioInterval, ratioFields } from "./stats.ts";

const root = path.resolve(import.meta.dirname, "..");

function packageVersion(name: string): string {
  const file = path.join(root, "node_modules", name, "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

const fixed = (n: number | null | undefined, digits = 2) => (n ?? Number.NaN).toFixed(digits);

function cpuNote(label: string, result: TargetResult): string {
  const cpu = cpuPerMessage(result);
  return cpu ? `${label} ${fixed(cpu.us, 0)} µs CPU per message (${fixed(cpu.percent, 0)}% of a core)`.trim() : "";
}

/** Where the signaling figures go, and what to stop afterwards. */
export type SuiteContext = {
  plan: Plan;
  snapshot: Snapshot;
  metrics: Record<string, Metric>;
  profile: Record<string, Metric>;
  /**
   * Which programs the suites start are present (a figure whose program is missing is skipped with a note); checked
   * on first use when absent (see prerequisitesOf).
   */
  prerequisites?: Prerequisites;
  /** Registers something to stop at the end of the phase. */
  defer(stop: () => Promise<void> | void): void;
  /** Stops everything registered so far, last first. */
  cleanUp(): Promise<void>;
  progress(what: string): void;
};

/** The pairs of one round of targets, closed with the round's servers. */
function targetList(ctx: SuiteContext) {
  const targets: Target[] = [];
  const pairs: Pair[] = [];
  ctx.defer(() => {
    for (const pair of pairs) pair.close();
  });
  const add = async (name: string, open: Promise<Pair>, serverCpuMs: () => number) => {
    const pair = await open;
    pairs.push(pair);
    targets.push({ name, pair, serverCpuMs });
  };
  return { targets, add };
}

const workerdCpu = (server: { workerdProcesses(): { pid: number }[] }) => () =>
  cpuMs(server.workerdProcesses().map((p) => p.pid));

/** A new session on `server` reached through `origin` (its own, or its Worker's workerd directly). */
async function session(server: TetherServer, origin: string, index: number): Promise<Pair> {
  const technician = server.technicians[index];
  if (!technician) throw new Error(`no technician ${index}`);
  return joinTether(origin, await createSession(origin, technician), technician);
}

/**
 * Signaling round trips and throughput through Tether (wrangler dev with its local observability off), straight to
 * the Worker's workerd, through the baseline relay and through PeerJS, interleaved; then, on servers of their own so
 * that their trace collectors cannot disturb the others, Tether and the baseline under wrangler dev's defaults. Also
 * the customer page's size, which needs a running server. Returns the round-trip series for the chart.
 */
export async function measureSignaling(ctx: SuiteContext): Promise<Series[]> {
  const { plan, snapshot, metrics, profile } = ctx;
  const results = new Map<string, TargetResult>();
  const progress = (what: string) => ctx.progress(`signaling: ${what}`);

  ctx.progress("starting wrangler dev (Tether and the baseline relay) and the PeerJS server");
  const [tether, baseline, peerjs] = await Promise.all([
    startTether(snapshot, 2, { isObserved: false }),
    startBaseline(snapshot, { isObserved: false }),
    startPeerJs(),
  ]);
  for (const server of [tether, baseline, peerjs]) ctx.defer(server.stop);
  ctx.progress("customer page size");
  const page = await measureCustomerPage(tether.origin, path.join(snapshot.dir, "client/web/dist"));
  metrics.customer_page_js_gzip_bytes = { value: page.gzipBytes, unit: "bytes", note: page.note };
  profile.customer_page_js_total_gzip_bytes = {
    value: page.total.gzipBytes,
    unit: "bytes",
    note: "customer_page_js_gzip_bytes with the chunks the page imports after its first view (needed after Allow)",
  };
  const first = targetList(ctx);
  await first.add("tether", session(tether, tether.origin, 0), workerdCpu(tether));
  await first.add("peerjs", joinPeerJs(peerjs.origin), () => cpuMs([peerjs.pid]));
  const direct = await tether.findDirectOrigin();
  if (direct) await first.add("tether-direct", session(tether, direct, 1), workerdCpu(tether));
  for (const variant of ["hibernated", "accepted"]) {
    await first.add(`baseline-${variant}`, joinBaseline(baseline.origin, variant, variant), workerdCpu(baseline));
  }
  for (const [name, result] of await compareTargets(first.targets, plan, progress)) results.set(name, result);
  await ctx.cleanUp();

  ctx.progress("starting wrangler dev with its defaults (local observability on)");
  const [tetherObserved, baselineObserved] = await Promise.all([
    startTether(snapshot, 1, { isObserved: true }),
    startBaseline(snapshot, { isObserved: true }),
  ]);
  for (const server of [tetherObserved, baselineObserved]) ctx.defer(server.stop);
  const second = targetList(ctx);
  await second.add("tether-observed", session(tetherObserved, tetherObserved.origin, 0), workerdCpu(tetherObserved));
  for (const variant of ["hibernated", "accepted"]) {
    const pair = joinBaseline(baselineObserved.origin, variant, variant);
    await second.add(`baseline-${variant}-observed`, pair, workerdCpu(baselineObserved));
  }
  for (const [name, result] of await compareTargets(second.targets, plan, progress)) results.set(name, result);
  await ctx.cleanUp();

  const get = (name: string): TargetResult => {
    const result = results.get(name);
    if (!result) throw new Error(`no result for ${name}`);
    return result;
  };
  const ours = get("tether");
  const observed = get("tether-observed");
  const reference = get("peerjs");
  const { rtt, throughput } = plan;

  const rttRef = rttMetric(reference, "");
  const rttObserved = rttMetric(observed, "");
  const rttOurs = rttMetric(
    ours,
    `customer sends an offer (2.4 kB SDP), the technician's client answers on receipt (2.4 kB), until the answer is back: ${rtt.runs} runs × ${rtt.perRun} round trips after ${rtt.warmUp} warm-up, through wrangler dev ${packageVersion("wrangler")} (its proxy workerd, the Worker, SessionRoom) started with X_LOCAL_OBSERVABILITY=false; with wrangler dev's defaults (local observability on) p50 ${fixed(rttObserved.p50, 3)} / p99 ${fixed(rttObserved.p99, 3)} ms, ratio ${fixed((rttObserved.p50 ?? 0) / (rttRef.p50 ?? 1))}; reference: PeerJS server (peer ${packageVersion("peer")}) on loopback in its own Node process, OFFER/ANSWER relayed by dst, p50 ${fixed(rttRef.p50, 3)} / p99 ${fixed(rttRef.p99, 3)} ms; runs = each run's median`,
  );
  // Each run's median, ours and PeerJS's measured back to back: the pairs of the bootstrap.
  const rttRatio = pairedRatioInterval(rttOurs.runs ?? [], rttRef.runs ?? []);
  metrics.signaling_rtt_ms = {
    ...rttOurs,
    reference: rttRef.p50 ?? 0,
    ...ratioFields(rttRatio),
  };

  const tpRef = throughputMetric(reference, "");
  const tpObserved = throughputMetric(observed, "");
  const tpOurs = throughputMetric(
    ours,
    `ICE candidates customer → technician (228-byte frames), up to ${throughput.inFlight} in flight, counted on arrival over ${throughput.windowMs / 1000} s after ${throughput.warmUpMs / 1000} s warm-up, ${throughput.runs} runs (median; runs = each run), wrangler dev with X_LOCAL_OBSERVABILITY=false; WS_MESSAGES_PER_S and WS_MESSAGE_BURST raised to ${BENCH_VARS.WS_MESSAGES_PER_S} with --var for the bench (the defaults, 200/s with a burst of 400, would refuse the loop); ${cpuNote("both workerd:", ours)}; with wrangler dev's defaults ${fixed(tpObserved.value, 0)}/s (${cpuNote("", observed)}); reference PeerJS ${fixed(tpRef.value, 0)}/s (${cpuNote("", reference)})`,
  );
  const tpInterval = medianInterval(tpOurs.runs ?? []);
  const tpRatio = pairedRatioInterval(tpOurs.runs ?? [], tpRef.runs ?? []);
  metrics.signaling_msgs_per_s = {
    ...tpOurs,
    value_ci: [tpInterval.low, tpInterval.high],
    reference: tpRef.value ?? 0,
    ...ratioFields(tpRatio),
  };

  profile.signaling_rtt_observed_ms = rttMetric(
    observed,
    "signaling_rtt_ms under wrangler dev's defaults (local observability on)",
  );
  profile.signaling_msgs_per_s_observed = throughputMetric(
    observed,
    `the same with wrangler dev's defaults; ${cpuNote("both workerd:", observed)}`,
  );
  if (direct) {
    const d = get("tether-direct");
    profile.signaling_rtt_direct_ms = rttMetric(
      d,
      "signaling_rtt_ms straight to the Worker's workerd, bypassing wrangler dev's proxy",
    );
    profile.signaling_msgs_per_s_direct = throughputMetric(
      d,
      `the same bypassing the dev proxy; ${cpuNote("workerd:", d)}`,
    );
  }
  const what: Record<string, string> = {
    hibernated: "a Durable Object with hibernatable sockets (as SessionRoom) relaying frames untouched",
    accepted: "a Durable Object holding ordinary accepted sockets (no hibernation) relaying frames untouched",
  };
  for (const suffix of ["", "-observed"]) {
    const mode = suffix ? "wrangler dev defaults (local observability on)" : "X_LOCAL_OBSERVABILITY=false";
    for (const variant of ["hibernated", "accepted"]) {
      const r = get(`baseline-${variant}${suffix}`);
      const key = `baseline_${variant}${suffix.replace("-", "_")}`;
      profile[`${key}_rtt_ms`] = rttMetric(r, `baseline relay: ${what[variant]}; ${mode}`);
      profile[`${key}_msgs_per_s`] = throughputMetric(r, cpuNote("workerd:", r));
    }
  }

  return [
    { label: "Tether, wrangler dev (local observability off)", samples: ours.rtt.flat(), color: "#d9480f" },
    { label: "Tether, wrangler dev defaults", samples: observed.rtt.flat(), color: "#d9480f", isDashed: true },
    {
      label: "bare hibernatable-socket DO (observability off)",
      samples: get("baseline-hibernated").rtt.flat(),
      color: "#7048e8",
      isDashed: true,
    },
    { label: "PeerJS server", samples: reference.rtt.flat(), color: "#2b8a3e" },
  ];
}
