// `npm run bench [-- --quick]`: Tether's performance figures beside the PeerJS server's, all on loopback inside a
// private network namespace. Writes bench/results.json and prints a table; a full run also rewrites the table in
// docs/performance.md and the chart docs/bench-latency.svg.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { measureAgent } from "./agent/suite.ts";
import { type Panel, renderChart, type Series } from "./chart.ts";
import { describeLoad, type LoadSummary, watchLoad } from "./load.ts";
import { measureMemory } from "./memory-suite.ts";
import { measureNetwork } from "./network/suite.ts";
import { FULL, QUICK } from "./plan.ts";
import { checkPrerequisites } from "./prerequisites.ts";
import { profileRelay } from "./profile.ts";
import {
  describeMachine,
  type Metric,
  markdownTable,
  type Results,
  textTable,
  tidy,
  updateDocs,
  withVerdict,
} from "./report.ts";
import { measureSignaling, type SuiteContext } from "./signaling-suite.ts";
import { measureWorkerBundle } from "./sizes.ts";
import { measureSlowLine } from "./slow-suite.ts";
import { takeSnapshot } from "./snapshot.ts";
import { measureStartReady } from "./start-suite.ts";
import { measureWebRtc } from "./webrtc-suite.ts";

const root = path.resolve(import.meta.dirname, "..");
const plan = process.argv.includes("--quick") ? QUICK : FULL;
/** `--only memory,start`: run just these suites (a partial run writes bench/results.json only, never docs/). */
const onlyArg = process.argv.find((arg) => arg.startsWith("--only="));
const only = onlyArg ? new Set(onlyArg.slice("--only=".length).split(",")) : null;

const started = performance.now();
const progress = (what: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${what}`);

/** What the current phase must stop: its servers and sockets, last started first. */
const pending: (() => Promise<void> | void)[] = [];

async function cleanUp(): Promise<void> {
  for (const stop of pending.splice(0).reverse()) await stop();
}

/** Figures that wait for later work, present so that the results keep one shape. */
const AWAITING: Record<string, [unit: string, note: string]> = {};

const ORDER = [
  "signaling_rtt_ms",
  "signaling_msgs_per_s",
  "sessions_idle_kb",
  "deno_sessions_idle_kb",
  "customer_page_js_gzip_bytes",
  "customer_first_view_slow_ms",
  "worker_bundle_gzip_bytes",
  "start_ready_ms",
  "start_first_ms",
  "connect_ms",
  "connect_relay_ms",
  "pake_ms",
  "glass_to_glass_ms",
  "customer_cpu_pct",
  "glass_to_glass_good_ms",
  "glass_to_glass_poor_ms",
  "glass_to_glass_bad_ms",
  "recover_after_outage_ms",
  "input_rtt_ms",
  "file_mb_per_s",
  "agent_glass_to_glass_ms",
  "agent_input_ms",
  "agent_cpu_pct",
  ...Object.keys(AWAITING),
];

function measureMicro(profile: Record<string, Metric>): void {
  progress("micro-benchmarks of the room's JavaScript");
  for (const [name, { us, what }] of Object.entries(profileRelay({ iterations: plan.micro, runs: 5 }))) {
    profile[`${name}_us`] = { value: us, unit: "µs", note: `${what}; Node ${process.version}, median of 5 runs` };
  }
}

async function main(): Promise<void> {
  const machine = describeMachine(plan.isQuick ? "quick" : "full");
  const metrics: Record<string, Metric> = {};
  const profile: Record<string, Metric> = {};
  const prerequisites = checkPrerequisites();
  for (const line of prerequisites.report()) progress(line);
  const watch = watchLoad();
  const load: Record<string, LoadSummary> = {};
  progress("copying the sources and building the client");
  const snapshot = await takeSnapshot();
  const ctx: SuiteContext = {
    plan,
    snapshot,
    metrics,
    profile,
    prerequisites,
    defer: (stop) => pending.push(stop),
    cleanUp,
    progress,
  };
  const failed: string[] = [];
  /**
   * Runs one suite, stops what it started, and records the machine's load meanwhile; a suite that fails is reported
   * and the others still run.
   */
  const suite = async <T>(name: string, measure: () => Promise<T>): Promise<T | undefined> => {
    if (only && !only.has(name)) return undefined;
    watch.mark();
    try {
      return await measure();
    } catch (err) {
      console.error(err);
      progress(`${name} failed; its figures stay null`);
      failed.push(name);
      return undefined;
    } finally {
      await cleanUp();
      load[name] = watch.mark();
      progress(`${name}: ${describeLoad(load[name])}`);
    }
  };
  let series: Series[] = [];
  let webrtcPanels: Panel[] = [];
  try {
    await suite("sizes", async () => {
      progress("worker bundle size (wrangler deploy --dry-run)");
      const bundle = await measureWorkerBundle(snapshot.dir);
      metrics.worker_bundle_gzip_bytes = { value: bundle.gzipBytes, unit: "bytes", note: bundle.note };
    });
    series = (await suite("signaling", () => measureSignaling(ctx))) ?? [];
    await suite("memory", () => measureMemory(ctx));
    await suite("start", () => measureStartReady(ctx));
    webrtcPanels = (await suite("webrtc", () => measureWebRtc(ctx))) ?? [];
    await suite("slow", () => measureSlowLine(ctx));
    await suite("network", () => measureNetwork(ctx));
    await suite("agent", () => measureAgent(ctx));
  } finally {
    await cleanUp();
    snapshot.remove();
  }
  measureMicro(profile);
  for (const [name, [unit, note]] of Object.entries(AWAITING)) metrics[name] = { value: null, unit, note };
  const failure = failed.length ? `not measured: the ${failed.join(" and ")} suite failed (see the log)` : "";

  load.run = watch.stop();
  const results: Results = {
    machine,
    metrics: Object.fromEntries(
      ORDER.map((name) => [name, tidy(withVerdict(name, metrics[name] ?? { value: null, unit: "", note: failure }))]),
    ),
    profile: Object.fromEntries(Object.entries(profile).map(([name, metric]) => [name, tidy(metric)])),
    load,
  };
  writeFileSync(path.join(root, "bench/results.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(textTable(results.metrics));
  console.log(`\nprofile:\n${textTable(results.profile)}`);
  console.log(
    `\nload:\n${Object.entries(load)
      .map(([name, l]) => `  ${name}: ${describeLoad(l)}`)
      .join("\n")}`,
  );
  if (failed.length) process.exitCode = 1;
  if (plan.isQuick || only || failed.length) {
    progress(
      `wrote bench/results.json${failed.length ? "; docs/ left as they were, since a suite failed" : " (a full run of every suite also updates docs/)"}`,
    );
    return;
  }
  const caption = `npm run bench, ${String(machine.date).slice(0, 10)}, ${machine.cpu}, ${machine.cores} cores`;
  const chart = [
    { title: "Signaling round trip: offer → answer → back, loopback", unit: "ms", series },
    ...webrtcPanels,
  ];
  writeFileSync(path.join(root, "docs/bench-latency.svg"), renderChart(chart, caption));
  updateDocs(path.join(root, "docs/performance.md"), markdownTable(results));
  progress("wrote bench/results.json, docs/bench-latency.svg and the table in docs/performance.md");
}

try {
  await main();
  progress("done");
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
// Sockets or timers left by a failure must not keep the process (and its namespace) alive.
process.exit();
