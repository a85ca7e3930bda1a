import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

// Servers started from Node (`npm start`, the tests, the bench) run in a process group of their own: `wrangler dev`
// starts workerd, which outlives wrangler if only wrangler is signalled. Every group started here is stopped when
// this process exits or is interrupted or terminated, so that no server is left behind holding a port.

/** How long a group has to stop after SIGTERM before it gets SIGKILL. */
const STOP_GRACE_MS = 5_000;

/** How much of a group's output is kept for error messages. */
const OUTPUT_TAIL_BYTES = 8_192;

/** A child process leading a process group of its own. */
export type ProcessGroup = {
  child: ChildProcess;
  /** The last 8 kB the group printed on stdout and stderr (empty when its output is inherited). */
  output(): string;
  /** Resolves with the leader's exit code (null when a signal ended it) once it has exited. */
  exited: Promise<number | null>;
  /**
   * `signal` (SIGTERM, or SIGINT as Ctrl+C sends) to the whole group, SIGKILL after 5 s, and SIGKILL once more when the
   * leader is gone (for workerd).
   */
  stop(signal?: NodeJS.Signals): Promise<void>;
};

const live = new Set<ChildProcess>();
let isReaping = false;

/** Signals a group's every process; a group that is gone already is fine. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Whether any process of the process group led by `pid` is still alive. */
export function isGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Kills every live group when this process exits, and on SIGINT, SIGTERM or SIGHUP; a signal nobody else listens for
 * is then raised again, so that this process still ends as it would have.
 */
function reapOnExit(): void {
  if (isReaping) return;
  isReaping = true;
  process.on("exit", () => {
    for (const child of live) signalGroup(child, "SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      for (const child of live) signalGroup(child, "SIGTERM");
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/**
 * Starts `command` as the leader of a new process group. With `stdio: "pipe"` (the default) its output is kept
 * (the last 8 kB, for errors); with "inherit" it goes to this process's terminal.
 */
export function spawnGroup(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; stdio?: "pipe" | "inherit" },
): ProcessGroup {
  reapOnExit();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: options.stdio === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => {
    const done = (code: number | null) => {
      live.delete(child);
      resolve(code);
    };
    child.once("exit", done);
    // A command that cannot be started (ENOENT) emits error and never exit.
    child.once("error", () => done(null));
  });
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    signalGroup(child, signal);
    const timer = setTimeout(() => signalGroup(child, "SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
    // A grandchild (workerd) may outlive its parent for a moment; make sure nothing of the group is left.
    signalGroup(child, "SIGKILL");
  };
  return { child, output: () => output, exited, stop };
}

/** A loopback port nobody is listening on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}

/**
 * Polls `url` (a server's /health) until it answers 200. Fails with a message naming `what` when the group's leader
 * exits, when /health answers with an error (its `{error:{message}}`, e.g. a configuration problem), or after
 * `timeoutMs`.
 */
export async function waitForHealth(
  what: string,
  url: string,
  group: ProcessGroup,
  timeoutMs: number,
): Promise<{ ok: true } | { ok: false; message: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (group.child.exitCode !== null || group.child.signalCode !== null) {
      return { ok: false, message: `${what} exited with code ${group.child.exitCode ?? group.child.signalCode}` };
    }
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
    if (res?.ok) return { ok: true };
    if (res) {
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      if (body?.error?.message) return { ok: false, message: `${what}: ${body.error.message}` };
    }
    if (Date.now() > deadline)
      return { ok: false, message: `${what} did not answer ${url} within ${timeoutMs / 1000} s` };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
