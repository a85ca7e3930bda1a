import { createSession, frameType, joinTether, type Pair } from "./clients.ts";
import { rssBytes } from "./procfs.ts";
import type { HeapUsage, TetherServer, WranglerDev } from "./servers.ts";
import { median } from "./stats.ts";

/** Sessions one technician may own at once in the bench (MAX_SESSIONS_PER_TECHNICIAN in BENCH_VARS). */
export const SESSIONS_PER_TECHNICIAN = 100;

/** Connections set up at once while filling the server. */
const CONCURRENCY = 8;

/** How long to let the runtime settle before sampling memory, and the samples taken. */
const SETTLE_MS = 1_500;
const SAMPLES = 5;
const SAMPLE_GAP_MS = 200;

/** What holding `count` idle sessions (or baseline rooms) cost. */
export type IdleSessionsResult = {
  count: number;
  /** (RSS after − RSS before) / count, summed over the workerd processes, in kB. */
  kbPerSession: number;
  /** The same, measured over each step of count / steps sessions. */
  stepKbPerSession: number[];
  /** Of that, the dev proxy's and the Worker runtime's shares (kB per session). */
  proxyKbPerSession: number;
  workerKbPerSession: number;
  /** RSS of the workerd processes before any of the sessions, MB. */
  baselineMb: number;
  /** Sessions set up per second while filling (for Tether: create + both joins with hello). */
  setupPerS: number;
  /** Sessions that relayed a candidate customer → technician after being held. */
  relayed: number;
  /** kB per session after a further idle wait (when asked), to see whether idle objects shrink. */
  afterIdle: { waitedMs: number; kbPerSession: number } | null;
  /** For a server that reports its V8 heap (the Deno host): heap used and external memory after − before, kB per session. */
  heap: { usedKbPerSession: number; externalKbPerSession: number; stepUsedKbPerSession: number[] } | null;
};

/** What measureIdle needs of a server: its processes, and its heap when it can report it. */
export type MemoryServer = Pick<WranglerDev, "workerdProcesses"> & { heap?(): Promise<HeapUsage> };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` over `items` with at most `limit` at once, in order of start. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Median RSS (bytes) of the dev proxy and of the Worker runtime over a few samples after settling. */
async function sampleRss(server: MemoryServer): Promise<{ proxy: number; worker: number }> {
  await sleep(SETTLE_MS);
  const proxy: number[] = [];
  const worker: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    let [p, w] = [0, 0];
    for (const { pid, isProxy } of server.workerdProcesses()) {
      if (isProxy) p += rssBytes(pid);
      else w += rssBytes(pid);
    }
    proxy.push(p);
    worker.push(w);
    await sleep(SAMPLE_GAP_MS);
  }
  return { proxy: median(proxy), worker: median(worker) };
}

/** Sends one candidate customer → technician in every pair and counts those that arrive within `timeoutMs`. */
async function countRelays(pairs: readonly Pair[], timeoutMs: number): Promise<number> {
  let arrived = 0;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    for (const pair of pairs) {
      pair.technician.onFrame = (frame) => {
        if (frameType(frame) !== pair.types.candidate) return;
        pair.technician.onFrame = () => {};
        if (++arrived === pairs.length) {
          clearTimeout(timer);
          resolve();
        }
      };
      pair.customer.send(pair.candidate);
    }
  });
  return arrived;
}

/**
 * Holds `count` sessions open (technician and customer connected, both said hello and ran the handshake's frames),
 * added in `steps` equal steps after `warmUps` (default 1) warm-up sessions, and measures the server's RSS before and
 * after each step. The server must have technicianCount(count, warmUps) technicians.
 */
export function measureIdleSessions(
  server: MemoryServer & Pick<TetherServer, "origin" | "technicians">,
  options: { count: number; steps: number; idleWaitMs: number; warmUps?: number },
): Promise<IdleSessionsResult> {
  const warmUps = options.warmUps ?? 1;
  const needed = technicianCount(options.count, warmUps);
  if (server.technicians.length < needed) throw new Error(`${options.count} sessions need ${needed} technicians`);
  return measureIdle(server, options, async (index) => {
    // Warm-up sessions (negative indexes) come first, then the measured ones, 100 to a technician.
    const slot = index < 0 ? -index - 1 : warmUps + index;
    const technician = server.technicians[Math.floor(slot / SESSIONS_PER_TECHNICIAN)];
    if (!technician) throw new Error(`no technician for session ${index}`);
    return joinTether(server.origin, await createSession(server.origin, technician), technician);
  });
}

/** How many technicians `count` sessions after `warmUps` warm-ups need (each owns at most 100 at once). */
export function technicianCount(count: number, warmUps = 1): number {
  return Math.ceil((count + warmUps) / SESSIONS_PER_TECHNICIAN);
}

/**
 * Holds `count` pairs open, opened by `open(index)` (index −1 is a warm-up pair opened before the baseline is
 * taken, so that the code is loaded and compiled) in `steps` equal steps; samples RSS after each step; then checks
 * that every pair still relays a candidate.
 */
export async function measureIdle(
  server: MemoryServer,
  options: { count: number; steps: number; idleWaitMs: number; warmUps?: number },
  open: (index: number) => Promise<Pair>,
): Promise<IdleSessionsResult> {
  const { count, steps, warmUps = 1 } = options;
  const pairs: Pair[] = [];
  try {
    const warmUp = await open(-1);
    pairs.push(warmUp);
    await countRelays([warmUp], 5_000);
    // More warm-up pairs, held open through the measurement: a process's first few hundred connections also pay
    // for its allocator's arenas and V8's young generation growing to size, which the next thousand do not.
    const extra = Array.from({ length: warmUps - 1 }, (_, i) => -2 - i);
    pairs.push(...(await mapLimit(extra, CONCURRENCY, open)));
    // The heap is read first: on a host that reports it, that also collects garbage, so RSS is not sampled with
    // garbage still on it.
    const heapBefore = await server.heap?.();
    const before = await sampleRss(server);
    const heapSteps: number[] = [];
    let heapPrevious = heapBefore;
    const stepKbPerSession: number[] = [];
    let previous = before;
    let setupMs = 0;
    for (let step = 0; step < steps; step++) {
      const from = Math.round((count * step) / steps);
      const to = Math.round((count * (step + 1)) / steps);
      const indexes = Array.from({ length: to - from }, (_, i) => from + i);
      const started = performance.now();
      const added = await mapLimit(indexes, CONCURRENCY, open);
      setupMs += performance.now() - started;
      pairs.push(...added);
      const heapNow = await server.heap?.();
      const now = await sampleRss(server);
      stepKbPerSession.push((now.proxy + now.worker - previous.proxy - previous.worker) / 1024 / added.length);
      previous = now;
      if (heapNow && heapPrevious) heapSteps.push((heapNow.heapUsed - heapPrevious.heapUsed) / 1024 / added.length);
      heapPrevious = heapNow;
    }
    const after = previous;
    let afterIdle: IdleSessionsResult["afterIdle"] = null;
    if (options.idleWaitMs > 0) {
      await sleep(options.idleWaitMs);
      const idle = await sampleRss(server);
      afterIdle = {
        waitedMs: options.idleWaitMs,
        kbPerSession: (idle.proxy + idle.worker - before.proxy - before.worker) / 1024 / count,
      };
    }
    const relayed = await countRelays(pairs.slice(warmUps), 30_000);
    return {
      count,
      kbPerSession: (after.proxy + after.worker - before.proxy - before.worker) / 1024 / count,
      stepKbPerSession,
      proxyKbPerSession: (after.proxy - before.proxy) / 1024 / count,
      workerKbPerSession: (after.worker - before.worker) / 1024 / count,
      baselineMb: (before.proxy + before.worker) / 1024 / 1024,
      setupPerS: (count * 1000) / setupMs,
      relayed,
      afterIdle,
      heap:
        heapBefore && heapPrevious
          ? {
              usedKbPerSession: (heapPrevious.heapUsed - heapBefore.heapUsed) / 1024 / count,
              externalKbPerSession: (heapPrevious.external - heapBefore.external) / 1024 / count,
              stepUsedKbPerSession: heapSteps,
            }
          : null,
    };
  } finally {
    for (const pair of pairs) pair.close();
  }
}
