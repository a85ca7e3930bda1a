import { readdirSync, readFileSync } from "node:fs";
import WebSocket from "ws";
import { listeningPorts, rssBytes } from "../../../bench/procfs.ts";
import { withDeadline } from "../frame-queue.ts";

// What workerd itself says about the Worker's memory: the V8 heap of the Worker's isolate (where the Worker and its
// Durable Objects keep their JavaScript objects) after a full garbage collection, through workerd's own inspector, and
// the process's resident memory. For soak tests against `wrangler dev`.

/** The workerd process that serves `port`. */
export function workerdServing(port: number): number {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "workerd" && listeningPorts(pid).includes(port))
        return pid;
    } catch {
      // Gone while we looked.
    }
  }
  throw new Error(`no workerd process listens on port ${port}`);
}

type Target = { title: string; webSocketDebuggerUrl: string };

/** The DevTools target of the Worker's isolate, among the inspector ports workerd listens on. */
async function workerTarget(pid: number): Promise<Target> {
  for (const port of listeningPorts(pid)) {
    const list = await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(5_000) })
      .then((res) => res.json() as Promise<unknown>)
      .catch(() => null);
    if (!Array.isArray(list)) continue;
    const target = (list as Target[]).find((t) => typeof t.webSocketDebuggerUrl === "string");
    if (target) return target;
  }
  throw new Error(`workerd ${pid} has no inspector target`);
}

/** An upper bound for a loaded machine (a full collection of a large heap can take seconds), not an expectation. */
const INSPECTOR_WAIT_MS = 60_000;

export type WorkerMemory = { heapUsedBytes: number; rssBytes: number };

/** Collects garbage in the Worker's isolate (twice, so that finalisers' garbage goes too), then reads its heap. */
export async function workerMemoryAfterGc(pid: number): Promise<WorkerMemory> {
  const target = await workerTarget(pid);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await withDeadline(
    new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    }),
    () => `workerd's inspector did not accept a session within ${INSPECTOR_WAIT_MS} ms`,
    INSPECTOR_WAIT_MS,
  );
  let id = 0;
  const call = (method: string) =>
    withDeadline(
      new Promise<Record<string, unknown>>((resolve) => {
        const mine = ++id;
        const onMessage = (data: WebSocket.RawData) => {
          const msg = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown> };
          if (msg.id !== mine) return;
          socket.off("message", onMessage);
          resolve(msg.result ?? {});
        };
        socket.on("message", onMessage);
        socket.send(JSON.stringify({ id: mine, method }));
      }),
      () => `workerd's inspector did not answer ${method} within ${INSPECTOR_WAIT_MS} ms`,
      INSPECTOR_WAIT_MS,
    );
  try {
    await call("HeapProfiler.collectGarbage");
    await call("HeapProfiler.collectGarbage");
    const usage = await call("Runtime.getHeapUsage");
    return { heapUsedBytes: Number(usage.usedSize), rssBytes: rssBytes(pid) };
  } finally {
    socket.close();
  }
}
