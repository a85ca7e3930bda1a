import { joinBaseline } from "./clients.ts";
import { type IdleSessionsResult, measureIdle, measureIdleSessions, technicianCount } from "./memory.ts";
import { prerequisitesOf } from "./prerequisites.ts";
import { BENCH_VARS, startBaseline, startDenoHost, startDenoRelay, startTether } from "./servers.ts";
import type { SuiteContext } from "./signaling-suite.ts";

const kb = (n: number) => n.toFixed(0);

/**
 * sessions_idle_kb: idle sessions held open in a fresh wrangler dev, and the same number of bare hibernatable-socket
 * Durable Objects in another, for comparison. Both run with local observability off, whose trace store would
 * otherwise grow with every message and count as the sessions' memory.
 */
export async function measureMemory(ctx: SuiteContext): Promise<void> {
  const { plan, snapshot, metrics, profile } = ctx;
  const count = plan.idleSessions;
  ctx.progress(`starting fresh servers for ${count} idle sessions`);
  const technicians = technicianCount(count);
  const [tether, baseline] = await Promise.all([
    startTether(snapshot, technicians, { isObserved: false }),
    startBaseline(snapshot, { isObserved: false }),
  ]);
  ctx.defer(tether.stop);
  ctx.defer(baseline.stop);
  const options = { count, steps: plan.idleSteps, idleWaitMs: 0 };

  ctx.progress(`memory: ${count} idle baseline rooms`);
  const base = await measureIdle(baseline, options, (i) => joinBaseline(baseline.origin, "hibernated", `idle-${i}`));
  profile.baseline_hibernated_idle_kb = {
    value: base.kbPerSession,
    unit: "kB",
    runs: base.stepKbPerSession,
    note: `${count} idle bare hibernatable-socket Durable Objects (two sockets each, no storage) in one wrangler dev: dev proxy ${kb(base.proxyKbPerSession)} kB + Worker runtime ${kb(base.workerKbPerSession)} kB per room; ${base.relayed}/${count} relayed afterwards`,
  };

  ctx.progress(`memory: ${count} idle Tether sessions`);
  const idle = await measureIdleSessions(tether, { ...options, idleWaitMs: plan.idleWaitMs });
  const after = idle.afterIdle
    ? `; after a further ${idle.afterIdle.waitedMs / 1000} s idle: ${kb(idle.afterIdle.kbPerSession)} kB per session`
    : "";
  metrics.sessions_idle_kb = {
    value: idle.kbPerSession,
    unit: "kB",
    runs: idle.stepKbPerSession,
    reference: base.kbPerSession,
    ratio: idle.kbPerSession / base.kbPerSession,
    note: `${count} sessions${plan.isQuick ? " (--quick; a full run holds 1,000)" : ""} held open in one wrangler dev (X_LOCAL_OBSERVABILITY=false), each with its technician's and customer's socket connected and past hello; (RSS of both workerd processes after − before) / ${count} = dev proxy ${kb(idle.proxyKbPerSession)} kB + Worker runtime ${kb(idle.workerKbPerSession)} kB; runs = the same over each of ${plan.idleSteps} steps; RSS before: ${kb(idle.baselineMb)} MB; set up at ${idle.setupPerS.toFixed(1)} sessions/s; ${idle.relayed}/${count} still relayed a candidate afterwards${after}; --var MAX_SESSIONS_PER_TECHNICIAN=${BENCH_VARS.MAX_SESSIONS_PER_TECHNICIAN} over ${technicians - 1} technicians (+1 for a warm-up session) and RATE_CREATE_PER_MIN=RATE_JOIN_PER_MIN=${BENCH_VARS.RATE_JOIN_PER_MIN}; reference: the bare hibernatable-socket Durable Object of bench/baseline/ (baseline_hibernated_idle_kb), same count, same run`,
  };
  await ctx.cleanUp();
  await measureDenoMemory(ctx);
}

/** Warm-up sessions on a Deno process before its baseline RSS is taken (see measureIdle). */
const DENO_WARM_UPS = 200;

/**
 * deno_sessions_idle_kb: the same idle sessions on the Deno host, one process; RSS after − before per session, and
 * V8's heap, both after a memory-reducing full garbage collection; the heap says how much of it is JavaScript objects.
 * The reference is the bare Deno relay (bench/baseline/deno-relay.js) holding as many idle pairs of WebSockets in the
 * same run: the part of a session's memory that is Deno's own.
 */
async function measureDenoMemory(ctx: SuiteContext): Promise<void> {
  const { plan, snapshot, metrics, profile } = ctx;
  const count = plan.idleSessions;
  const skipped = prerequisitesOf(ctx).missing("deno");
  if (skipped) {
    metrics.deno_sessions_idle_kb = { value: null, unit: "kB", note: skipped };
    return;
  }
  const options = { count, steps: plan.idleSteps, idleWaitMs: 0, warmUps: DENO_WARM_UPS };

  ctx.progress(`memory: ${count} idle pairs on a bare Deno relay`);
  const relay = await startDenoRelay(snapshot);
  let floor: IdleSessionsResult;
  try {
    floor = await measureIdle(relay, options, (i) => joinBaseline(relay.origin, "accepted", `idle-${i}`));
  } finally {
    await relay.stop();
  }

  ctx.progress(`memory: ${count} idle sessions on the Deno host`);
  const deno = await startDenoHost(snapshot, technicianCount(count, DENO_WARM_UPS));
  ctx.defer(deno.stop);
  const idle = await measureIdleSessions(deno, options);
  const heap = idle.heap;
  const floorHeap = floor.heap ? `, V8 heap ${floor.heap.usedKbPerSession.toFixed(1)} kB` : "";
  metrics.deno_sessions_idle_kb = {
    value: idle.kbPerSession,
    unit: "kB",
    runs: idle.stepKbPerSession,
    reference: floor.kbPerSession,
    note: `${count} sessions${plan.isQuick ? " (--quick; a full run holds 1,000)" : ""} held open on the Deno host (worker/deno/main.ts through bench/deno/host.js, one process), each with its technician's and customer's socket connected, past hello and the handshake's frames, after ${DENO_WARM_UPS} warm-up sessions held open throughout; (RSS after − before) / ${count}, the process's resident memory after a memory-reducing full garbage collection (what V8's memory reducer does once the process is idle: it also gives back the young generation that setting the sessions up grew), which is what a machine pays (V8's heap alone is in deno_sessions_idle_heap_kb); runs = each of ${plan.idleSteps} steps; RSS before: ${kb(idle.baselineMb)} MB; set up at ${idle.setupPerS.toFixed(1)} sessions/s; ${idle.relayed}/${count} still relayed a candidate afterwards; BENCH_VARS in its environment; reference: the bare Deno relay (bench/baseline/deno-relay.js: Deno.serve, two upgraded WebSockets per room in a Map, nothing else) holding as many idle pairs the same way in the same run${floorHeap}, runs ${floor.stepKbPerSession.map((v) => v.toFixed(1)).join(", ")} kB`,
  };
  profile.deno_sessions_idle_own_kb = {
    value: idle.kbPerSession - floor.kbPerSession,
    unit: "kB",
    note: "deno_sessions_idle_kb − its reference: what a session costs on the Deno host beyond Deno's own two idle WebSockets (the part Tether controls)",
  };
  if (heap) {
    profile.deno_sessions_idle_heap_kb = {
      value: heap.usedKbPerSession,
      unit: "kB",
      runs: heap.stepUsedKbPerSession,
      ...(floor.heap ? { reference: floor.heap.usedKbPerSession } : {}),
      note: `V8 heap used after a memory-reducing full GC (Deno.memoryUsage().heapUsed, gc({ flavor: "last-resort" }) through --v8-flags=--expose-gc), after − before / ${count}; external (ArrayBuffers and other memory V8 tracks outside its heap) ${heap.externalKbPerSession.toFixed(1)} kB per session; the rest of deno_sessions_idle_kb is native: sockets, TLS-free HTTP upgrade state, SQLite, the allocator; reference: the bare Deno relay's`,
    };
  }
}
