import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, type ProcessGroup, spawnGroup } from "../worker/cli/process-group.ts";
import { WRANGLER } from "../worker/cli/wrangler.ts";
import { processTree } from "./procfs.ts";
import type { SuiteContext } from "./signaling-suite.ts";
import { TOOL_ENV } from "./snapshot.ts";
import { pairedRatioInterval, percentiles } from "./stats.ts";

// start_ready_ms: from launching `npm start` (on a fresh state folder, its port free) to the first admin's enrolment
// link on its output, beside the floor, a bare `wrangler dev` of an empty Worker until it answers HTTP; interleaved
// start by start.

/** How long one start may take before the run is called failed. */
const START_TIMEOUT_MS = 120_000;

/** What `npm start` prints once it is ready for the first admin (the one-time link, `ORIGIN/enrol#TOKEN`). */
const READY = "/enrol#";

/**
 * Stops a started group and every process it started: `npm start`'s wrangler dev leads a process group of its own,
 * which signalling npm's group does not reach.
 */
async function stopTree(group: ProcessGroup): Promise<void> {
  const tree = group.child.pid === undefined ? [] : processTree(group.child.pid);
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of tree) {
      try {
        process.kill(pid, sig);
      } catch {
        // Gone already.
      }
    }
  };
  signal("SIGTERM");
  await group.stop();
  signal("SIGKILL");
}

/** Spawns `command` on a fresh state folder and times it until `isReady` (checked on each output and every 50 ms). */
async function timeStart(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  isReady: (output: string) => Promise<boolean> | boolean,
): Promise<number> {
  const started = performance.now();
  const group = spawnGroup(command, args, { cwd, env });
  try {
    for (;;) {
      if (await isReady(group.output())) return performance.now() - started;
      if (group.child.exitCode !== null)
        throw new Error(`${command} ${args.join(" ")} exited with ${group.child.exitCode}:\n${group.output()}`);
      if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`${command} not ready:\n${group.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await stopTree(group);
  }
}

/** One `npm start` in the snapshot: fresh PERSIST_TO and .dev.vars, a free PORT; ms until the enrolment link. */
async function timeNpmStart(dir: string): Promise<number> {
  const persistTo = mkdtempSync(path.join(tmpdir(), "tether-bench-start-"));
  rmSync(path.join(dir, ".dev.vars"), { force: true });
  try {
    const env = { ...TOOL_ENV, PORT: String(await freePort()), PERSIST_TO: persistTo };
    return await timeStart("npm", ["start"], dir, env, (output) => output.includes(READY));
  } finally {
    rmSync(persistTo, { recursive: true, force: true });
  }
}

/** One bare `wrangler dev` of bench/baseline/empty/: ms until it answers HTTP. */
async function timeEmptyWorker(dir: string): Promise<number> {
  const persistTo = mkdtempSync(path.join(tmpdir(), "tether-bench-empty-"));
  try {
    const [port, inspectorPort] = [await freePort(), await freePort()];
    const args = ["dev", "--config", "bench/baseline/empty/wrangler.toml", "--ip", "127.0.0.1", "--port", String(port)];
    args.push(
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      persistTo,
      "--show-interactive-dev-session=false",
    );
    const answers = () =>
      fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) }).then(
        () => true,
        () => false,
      );
    return await timeStart(WRANGLER, args, dir, TOOL_ENV, answers);
  } finally {
    rmSync(persistTo, { recursive: true, force: true });
  }
}

/** Measures start_ready_ms: `npm start` and the floor, alternately (ABBA…), after one warm-up each in a full run. */
export async function measureStartReady(ctx: SuiteContext): Promise<void> {
  const { plan, snapshot, metrics } = ctx;
  const ours: number[] = [];
  const floor: number[] = [];
  const warmUps = plan.isQuick ? 0 : 1;
  const started = performance.now();
  for (let i = -warmUps; i < plan.starts; i++) {
    if (ours.length >= 2 && performance.now() - started > plan.startBudgetMs) break;
    ctx.progress(`start: npm start and a bare wrangler dev, ${i < 0 ? "warm-up" : `${i + 1} of ${plan.starts}`}`);
    const pair = { ours: 0, floor: 0 };
    for (const side of i % 2 ? (["floor", "ours"] as const) : (["ours", "floor"] as const)) {
      pair[side] = side === "ours" ? await timeNpmStart(snapshot.dir) : await timeEmptyWorker(snapshot.dir);
    }
    if (i < 0) continue;
    ours.push(pair.ours);
    floor.push(pair.floor);
  }
  const p = percentiles(ours);
  const f = percentiles(floor);
  const ratio = pairedRatioInterval(ours, floor);
  metrics.start_ready_ms = {
    value: p.p50,
    unit: "ms",
    ...p,
    runs: ours,
    reference: f.p50,
    ratio: ratio.estimate,
    ratio_ci: [ratio.low, ratio.high],
    note: `launching \`npm start\` (PORT free, PERSIST_TO a fresh folder, no .dev.vars: a first start, client build and D1 migrations included) until its output shows the first admin's enrolment link (${READY}), ${ours.length} starts${warmUps ? " after a warm-up" : ""}; reference: a bare \`wrangler dev\` of an empty Worker (bench/baseline/empty/) until it answers HTTP, interleaved start by start, p50 ${f.p50.toFixed(0)} ms (runs ${floor.map((v) => v.toFixed(0)).join(", ")}); both with CLOUDFLARE_CF_FETCH_ENABLED=false and wrangler dev's defaults otherwise`,
  };
}
