// `node bench/network/run.ts [--quick]`, inside a private network namespace (docs/network.md has the command): the
// network figures alone. Prints them and writes bench/results/network.json; `npm run bench` includes them too.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describeLoad, watchLoad } from "../load.ts";
import { FULL, QUICK } from "../plan.ts";
import { describeMachine, type Metric, textTable, tidy } from "../report.ts";
import { takeSnapshot } from "../snapshot.ts";
import { measureNetwork, type NetworkContext } from "./suite.ts";

const plan = process.argv.includes("--quick") ? QUICK : FULL;
const t0 = performance.now();
const log = (what: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${what}`);
const stops: (() => Promise<void> | void)[] = [];
const stopAll = async () => {
  while (stops.length > 0) await stops.pop()?.();
};

async function measure(): Promise<void> {
  const machine = describeMachine(plan.isQuick ? "quick" : "full");
  const load = watchLoad();
  const figures = { metrics: {} as Record<string, Metric>, profile: {} as Record<string, Metric> };
  log("copying the sources and building the client");
  const snapshot = await takeSnapshot();
  stops.push(snapshot.remove);
  const defer = (stop: () => Promise<void> | void) => void stops.push(stop);
  const ctx: NetworkContext = { plan, snapshot, ...figures, defer, cleanUp: stopAll, progress: log };
  await measureNetwork(ctx);
  const tidied = (m: Record<string, Metric>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, tidy(v)]));
  const network = load.stop();
  const results = { machine, metrics: tidied(figures.metrics), profile: tidied(figures.profile), load: { network } };
  const out = path.resolve(import.meta.dirname, "../results/network.json");
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`${textTable(results.metrics)}\n\nprofile:\n${textTable(results.profile)}`);
  log(`${describeLoad(network)}; wrote ${path.relative(process.cwd(), out)}`);
}

await measure()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(stopAll);
// A failure can leave sockets or timers behind; they must not keep the process (and its namespace) alive.
process.exit();
