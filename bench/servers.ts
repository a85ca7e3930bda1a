import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { signTechnicianToken } from "../worker/auth/session-cookie.ts";
import { freePort, type ProcessGroup, spawnGroup } from "../worker/cli/process-group.ts";
import { WRANGLER } from "../worker/cli/wrangler.ts";
import { parseConfig } from "../worker/config.ts";
import { groupProcesses, listeningPorts } from "./procfs.ts";
import { type Snapshot, TOOL_ENV, wrangler } from "./snapshot.ts";

const root = path.resolve(import.meta.dirname, "..");

/** How long a server may take to answer after it was started. */
const START_TIMEOUT_MS = 90_000;

/** Limits raised for the bench (passed with `--var`); each is within the range worker/config.ts accepts. */
export const BENCH_VARS: Record<string, string> = {
  // The RTT loop sends ~2,000 offers a second on one socket and the throughput loop far more; the default
  // 200/s (burst 400) would refuse them. 100,000 is the most the config allows.
  WS_MESSAGES_PER_S: "100000",
  WS_MESSAGE_BURST: "100000",
  // 1,000 idle sessions from one address: 100 per technician (the most allowed) across several technicians, and
  // per-IP creation and join rates well above 1,000 creations and 2,000 joins a minute.
  MAX_SESSIONS_PER_TECHNICIAN: "100",
  RATE_CREATE_PER_MIN: "10000",
  RATE_JOIN_PER_MIN: "10000",
  // One handshake per session, all from one technician address: 1,000 sessions set up within a minute.
  RATE_HANDSHAKE_PER_MIN: "10000",
};

/**
 * Whether wrangler dev's local observability is on (X_LOCAL_OBSERVABILITY, on by default): it streams a trace of
 * every invocation, and so of every hibernatable WebSocket message, to a collector in the same workerd.
 */
export type DevOptions = {
  isObserved: boolean;
  /** More [vars] for this server (`--var`), e.g. the TURN settings of connect_relay_ms. */
  vars?: Record<string, string>;
};

/** V8's figures for a server that can report them, after a memory-reducing full garbage collection, in bytes. */
export type HeapUsage = { heapUsed: number; external: number };

/** A signed-in technician of the bench: their id and the Cookie header that carries their sign-in. */
export type BenchTechnician = { id: string; cookie: string };

/**
 * The errors a Worker logged (its `unhandled_error` events: the path, the error's name and message, never a secret)
 * in `logTail`, the last `count` of them: what a dropped round's 500 was, on the server's side.
 */
export function loggedErrors(logTail: string, count = 3): string[] {
  return logTail
    .split("\n")
    .filter((line) => line.includes('"event":"unhandled_error"'))
    .slice(-count);
}

/** A running `wrangler dev` with its own state folder. */
export type TetherServer = {
  /** `http://127.0.0.1:PORT`, the address wrangler dev listens on. */
  origin: string;
  technicians: BenchTechnician[];
  /** The workerd processes of this wrangler dev: its dev proxy (which listens on the port) and the Worker's runtime. */
  workerdProcesses(): { pid: number; isProxy: boolean }[];
  /** The last 8 kB that wrangler printed, for diagnosing a failed run. */
  logTail(): string;
  /** The address of the workerd that runs the Worker itself, behind wrangler dev's proxy; null if not found. */
  findDirectOrigin(): Promise<string | null>;
  stop(): Promise<void>;
};

/** A running PeerJS server. */
export type PeerJsServer = { origin: string; pid: number; stop(): Promise<void> };

/** Starts `command` in its own process group; `stateDir`, if given, is deleted once the group has stopped. */
function spawnIn(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, stateDir?: string) {
  const group = spawnGroup(command, args, { cwd, env });
  const stop = async () => {
    await group.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  };
  return { ...group, stop };
}

/** Waits until `isReady`, failing with the server's output when it exits or takes longer than START_TIMEOUT_MS. */
async function waitFor(what: string, isReady: () => Promise<boolean>, group: ProcessGroup) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (group.child.exitCode !== null)
      throw new Error(`${what} exited with ${group.child.exitCode}:\n${group.output()}`);
    if (await isReady()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not start within ${START_TIMEOUT_MS / 1000} s:\n${group.output()}`);
}

function isHealthy(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    (res) => res.ok,
    () => false,
  );
}

/** Technician ids bench-tech-001 … and the SQL that inserts them, each with a sign-in record (id signin-<id>). */
function benchTechnicians(count: number): { ids: string[]; sql: string } {
  const ids = Array.from({ length: count }, (_, i) => `bench-tech-${String(i + 1).padStart(3, "0")}`);
  const now = Date.now();
  const rows = ids.map((id, i) => `('${id}', 'Bench technician ${i + 1}', 0, 'wa-${id}', ${now})`);
  const signIns = ids.map((id) => `('signin-${id}', '${id}', NULL, ${now}, ${now + 86_400_000})`);
  const sql = [
    `INSERT INTO technicians (id, display_name, is_admin, webauthn_user_id, created_at) VALUES ${rows.join(", ")}`,
    `INSERT INTO sign_ins (id, technician_id, passkey_id, created_at, expires_at) VALUES ${signIns.join(", ")}`,
  ].join("; ");
  return { ids, sql };
}

/** Each technician's sign-in cookie (naming the sign-in benchTechnicians recorded), signed as the Worker signs it. */
async function signIn(ids: string[], secret: string): Promise<BenchTechnician[]> {
  const parsed = parseConfig({ JWT_SECRET: secret, AUDIT_SIGNING_KEY: randomBytes(32).toString("base64url") });
  if (!parsed.ok) throw new Error(parsed.issues.join("; "));
  const { config } = parsed;
  return Promise.all(
    ids.map(async (id) => {
      const token = await signTechnicianToken({ technicianId: id, signInId: `signin-${id}` }, config);
      return { id, cookie: `tether_session=${token}` };
    }),
  );
}

/**
 * Migrates a fresh local D1, adds `technicianCount` technicians (signed in with cookies under a random
 * JWT_SECRET) and starts the real `wrangler dev` on a free loopback port with BENCH_VARS.
 */
export async function startTether(
  snapshot: Snapshot,
  technicianCount: number,
  options: DevOptions,
): Promise<TetherServer> {
  const persistTo = mkdtempSync(path.join(tmpdir(), "tether-bench-"));
  const cleanUp = () => rmSync(persistTo, { recursive: true, force: true });
  const secret = randomBytes(36).toString("base64url");
  const { ids, sql } = benchTechnicians(technicianCount);
  try {
    const local = ["--local", "--persist-to", persistTo];
    await wrangler(["d1", "migrations", "apply", "DB", ...local], snapshot.dir);
    await wrangler(["d1", "execute", "DB", ...local, "--command", sql], snapshot.dir);
  } catch (err) {
    cleanUp();
    throw err;
  }
  const technicians = await signIn(ids, secret);

  const vars = Object.entries({
    ...BENCH_VARS,
    ...options.vars,
    JWT_SECRET: secret,
    AUDIT_SIGNING_KEY: randomBytes(32).toString("base64url"),
  }).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const dev = await startWranglerDev(snapshot.dir, vars, persistTo, options);
  return { ...dev, technicians };
}

/** A running `wrangler dev`, whatever it runs. */
export type WranglerDev = Omit<TetherServer, "technicians">;

/** Starts `wrangler dev` on a free loopback port with state in `persistTo` (deleted on stop) and waits for /health. */
async function startWranglerDev(
  cwd: string,
  extraArgs: string[],
  persistTo: string,
  options: DevOptions,
): Promise<WranglerDev> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort)];
  args.push("--persist-to", persistTo, ...extraArgs, "--show-interactive-dev-session=false");
  const env = { ...TOOL_ENV, X_LOCAL_OBSERVABILITY: String(options.isObserved) };
  const group = spawnIn(WRANGLER, args, env, cwd, persistTo);
  const { child, output, stop } = group;
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitFor("wrangler dev", () => isHealthy(`${origin}/health`), group);
  } catch (err) {
    await stop();
    throw err;
  }
  const pgid = child.pid ?? 0;
  const workerdProcesses = () =>
    groupProcesses(pgid, "workerd").map((pid) => ({ pid, isProxy: listeningPorts(pid).includes(port) }));
  return {
    origin,
    workerdProcesses,
    logTail: output,
    async findDirectOrigin() {
      // The dev proxy listens on `port`; the other workerd runs the Worker and answers /health on one of its ports.
      for (const { pid, isProxy } of workerdProcesses()) {
        if (isProxy) continue;
        const ports = listeningPorts(pid);
        for (const candidate of ports) {
          if (await isHealthy(`http://127.0.0.1:${candidate}/health`)) return `http://127.0.0.1:${candidate}`;
        }
      }
      return null;
    },
    stop,
  };
}

/** Starts the baseline relay (bench/baseline/relay-worker.ts) under its own `wrangler dev`. */
export function startBaseline(snapshot: Snapshot, options: DevOptions): Promise<WranglerDev> {
  const persistTo = mkdtempSync(path.join(tmpdir(), "tether-bench-baseline-"));
  return startWranglerDev(snapshot.dir, ["--config", "bench/baseline/wrangler.toml"], persistTo, options);
}

/** Starts the PeerJS server (bench/peerjs-server.ts) in its own process on a free loopback port. */
export async function startPeerJs(): Promise<PeerJsServer> {
  const port = await freePort();
  const group = spawnIn(process.execPath, [path.join(root, "bench/peerjs-server.ts"), String(port)], process.env, root);
  const { child, output, stop } = group;
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitFor("the PeerJS server", async () => output().includes("ready"), group);
  } catch (err) {
    await stop();
    throw err;
  }
  return { origin, pid: child.pid ?? 0, stop };
}

/**
 * Reads a Deno process's memory: SIGUSR2 makes bench/deno/host.js and bench/baseline/deno-relay.js collect garbage
 * and print one `bench-memory {…}` line of Deno.memoryUsage().
 */
function heapReader(group: ProcessGroup): () => Promise<HeapUsage> {
  let lines = "";
  group.child.stdout?.on("data", (chunk: Buffer) => {
    lines = (lines + chunk.toString()).slice(-4096);
  });
  return async () => {
    lines = "";
    if (group.child.pid) process.kill(group.child.pid, "SIGUSR2");
    for (let i = 0; i < 100; i++) {
      const match = /bench-memory (\{.*\})/.exec(lines);
      if (match?.[1]) return JSON.parse(match[1]) as HeapUsage;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the Deno process did not report its memory:\n${group.output()}`);
  };
}

/** The bare Deno relay (bench/baseline/deno-relay.js): the floor of the Deno host's memory per idle session. */
export type DenoRelay = Pick<DenoHost, "origin" | "pid" | "workerdProcesses" | "heap" | "stop">;

/** Starts the bare Deno relay on a free loopback port, with the same Deno and flags as the Deno host. */
export async function startDenoRelay(snapshot: Snapshot): Promise<DenoRelay> {
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), DENO_NO_UPDATE_CHECK: "1" };
  const deno = path.join(root, "node_modules/.bin/deno");
  const args = ["run", "--allow-net", "--allow-env", "--v8-flags=--expose-gc", "bench/baseline/deno-relay.js"];
  const group = spawnIn(deno, args, env, snapshot.dir);
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitFor("the bare Deno relay", () => isHealthy(`${origin}/health`), group);
  } catch (err) {
    await group.stop();
    throw err;
  }
  const pid = group.child.pid ?? 0;
  return { origin, pid, workerdProcesses: () => [{ pid, isProxy: false }], heap: heapReader(group), stop: group.stop };
}

/** The Deno host under the bench: a TetherServer whose one process is Deno, and which reports its V8 heap. */
export type DenoHost = Omit<TetherServer, "findDirectOrigin"> & { pid: number; heap(): Promise<HeapUsage> };

/**
 * Starts the Deno host (bench/deno/host.js, which runs worker/deno/main.ts) on a free loopback port with fresh state
 * and BENCH_VARS in its environment, then adds `technicianCount` technicians to its SQLite D1, signed in with cookies.
 */
export async function startDenoHost(snapshot: Snapshot, technicianCount: number): Promise<DenoHost> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "tether-bench-deno-"));
  const port = await freePort();
  const secret = randomBytes(36).toString("base64url");
  const env = {
    ...process.env,
    ...BENCH_VARS,
    // 1,000 idle sessions hold 2,000 sockets: above the default cap of 1,000 connections (3 open files each).
    DENO_MAX_CONNECTIONS: "5000",
    PORT: String(port),
    TETHER_DATA_DIR: dataDir,
    JWT_SECRET: secret,
    DENO_NO_UPDATE_CHECK: "1",
  };
  const deno = path.join(root, "node_modules/.bin/deno");
  const flags = ["--allow-net", "--allow-read", "--allow-write", "--allow-env", "--v8-flags=--expose-gc"];
  const args = ["run", ...flags, "bench/deno/host.js"];
  const group = spawnIn(deno, args, env, snapshot.dir, dataDir);
  const { child, output, stop } = group;
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitFor("the Deno host", () => isHealthy(`${origin}/health`), group);
    const { ids, sql } = benchTechnicians(technicianCount);
    const db = new DatabaseSync(path.join(dataDir, "d1.sqlite"));
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
    const technicians = await signIn(ids, secret);
    const pid = child.pid ?? 0;
    return {
      origin,
      technicians,
      pid,
      workerdProcesses: () => [{ pid, isProxy: false }],
      logTail: output,
      heap: heapReader(group),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
