import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, type ProcessGroup, spawnGroup } from "../worker/cli/process-group.ts";
import { WRANGLER } from "../worker/cli/wrangler.ts";
import { processTree } from "./procfs.ts";
import type { SuiteContext } from "./signaling-suite.ts";
import { TOOL_ENV } from "./snapshot.ts";
import { pairedRatioInterval, percentiles, ratioFields } from "./stats.ts";

// start_ready_ms: from launching `npm start` (on a fresh state folder, its port free, the client built by an earlier
// start) to the first admin's enrolment link on its output, beside the floor, a bare `wrangler dev` of an empty Worker
// until it answers HTTP; interleaved start by start. start_first_ms is the same start on a fresh clone, where
// `npm start` builds the client and bundles the Worker first.

/** How long one start may take before the run is called failed. */
const START_TIMEOUT_MS = 120_000;

/** What `npm start` prints once it is ready for the first admin (the one-time link, `ORIGIN/enrol#TOKEN`). */
const READY = "/enrol#";

/**
 * Stops a start as Ctrl+C in its terminal does (SIGINT to its process group) and waits until its leader has exited:
 * `npm start` then stops wrangler dev, which leads a process group of its own, and waits for it, and Node writes the
 * compile cache the next start loads. Whatever of it still runs after that (a start that did not stop in time) is
 * killed.
 */
async function stopTree(group: ProcessGroup): Promise<void> {
  const tree = group.child.pid === undefined ? [] : processTree(group.child.pid);
  await group.stop("SIGINT");
  for (const pid of tree) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
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

/**
 * One `npm start` in the snapshot: fresh PERSIST_TO and .dev.vars, a free PORT; ms until the enrolment link. With
 * `build`, the records of the last client build and Worker bundle are removed first, so that both are built as on a
 * fresh clone.
 */
async function timeNpmStart(dir: string, build: boolean): Promise<number> {
  const persistTo = mkdtempSync(path.join(tmpdir(), "tether-bench-start-"));
  rmSync(path.join(dir, ".dev.vars"), { force: true });
  if (build) {
    rmSync(path.join(dir, "client/web/.build-stamp.json"), { force: true });
    rmSync(path.join(dir, ".tether-dev"), { recursive: true, force: true });
  }
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
    // wrangler as installed: no compile cache for its CLI, even one this process's environment names.
    return await timeStart(WRANGLER, args, dir, { ...TOOL_ENV, NODE_COMPILE_CACHE: undefined }, answers);
  } finally {
    rmSync(persistTo, { recursive: true, force: true });
  }
}

type Side = "ours" | "first" | "floor";

/** The order of one round's three starts, rotated round by round so that none always goes first. */
function roundOrder(round: number): Side[] {
  const sides: Side[] = ["ours", "first", "floor"];
  const shift = ((round % 3) + 3) % 3;
  return [...sides.slice(shift), ...sides.slice(0, shift)];
}

/**
 * Measures start_ready_ms and start_first_ms: `npm start` with the client built, `npm start` building it, and the
 * floor, in rotating order round by round, after one warm-up round in a full run.
 */
export async function measureStartReady(ctx: SuiteContext): Promise<void> {
  const { plan, snapshot, metrics } = ctx;
  const runs: Record<Side, number[]> = { ours: [], first: [], floor: [] };
  const warmUps = plan.isQuick ? 0 : 1;
  const started = performance.now();
  for (let i = -warmUps; i < plan.starts; i++) {
    if (runs.ours.length >= 2 && performance.now() - started > plan.startBudgetMs) break;
    ctx.progress(
      `start: npm start (built, building) and a bare wrangler dev, ${i < 0 ? "warm-up" : `${i + 1} of ${plan.starts}`}`,
    );
    const round: Record<Side, number> = { ours: 0, first: 0, floor: 0 };
    for (const side of roundOrder(i)) {
      round[side] =
        side === "floor" ? await timeEmptyWorker(snapshot.dir) : await timeNpmStart(snapshot.dir, side === "first");
    }
    if (i < 0) continue;
    for (const side of ["ours", "first", "floor"] as const) runs[side].push(round[side]);
  }
  const f = percentiles(runs.floor);
  const floorText = `reference: a bare \`wrangler dev\` of an empty Worker (bench/baseline/empty/) until it answers HTTP, interleaved start by start, wrangler as installed (no compile cache for its CLI), p50 ${f.p50.toFixed(0)} ms (runs ${runs.floor.map((v) => v.toFixed(0)).join(", ")}); all with CLOUDFLARE_CF_FETCH_ENABLED=false and wrangler dev's defaults otherwise`;
  const starts = `${runs.ours.length} starts${warmUps ? " after a warm-up" : ""}`;
  for (const [name, side, what] of [
    [
      "start_ready_ms",
      "ours",
      "the client and the Worker already built by an earlier start, so `npm start` checks their records and builds neither, and Node's compile cache for wrangler's CLI (.tether-dev/node-compile-cache) filled by it",
    ],
    [
      "start_first_ms",
      "first",
      "the records of the last client build and Worker bundle and the compile cache removed (.tether-dev), so that `npm start` builds both as on a fresh clone",
    ],
  ] as const) {
    const p = percentiles(runs[side]);
    const ratio = pairedRatioInterval(runs[side], runs.floor);
    metrics[name] = {
      value: p.p50,
      unit: "ms",
      ...p,
      runs: runs[side],
      reference: f.p50,
      ...ratioFields(ratio),
      note: `launching \`npm start\` (PORT free, PERSIST_TO a fresh folder, no .dev.vars: a first start with D1 migrations and the enrolment link; ${what}) until its output shows the first admin's enrolment link (${READY}), ${starts}; ${floorText}`,
    };
  }
}
