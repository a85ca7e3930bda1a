import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { assertNever } from "#protocol/assert-never.ts";
import { HeartbeatResponse, type MachineJoin } from "#protocol/machines.ts";
import type { CallApi } from "../../web/src/lib/api.ts";
import { siteApi, socketOpener } from "../node-runtime.ts";
import { plain, terminalText } from "../terminal.ts";
import { BeatPace } from "./BeatPace.ts";
import { afterBeat, heartbeatBody, nextBeatAt, type Standing } from "./heartbeat.ts";
import { defaultIdentityFile, loadIdentity, type MachineIdentity } from "./identity.ts";
import { keepLine } from "./line.ts";
import { Sessions, type TechnicianWatch } from "./Sessions.ts";

// `serve [--identity FILE]`: keeps an enrolled machine online for unattended access until it is stopped (Ctrl+C, a
// service manager's SIGTERM), removed in the console, or unattended access is turned off on the site. It beats, signed
// with the machine's key, as often as the site asks, and keeps trying while the site is out of reach. The terminal hears
// each change of standing once, in the catalogue's words: never the site's, never anything of the key. Beside the
// heartbeat it keeps the machine's line open, on which the site wakes it when a technician opens a session with it, so
// that the technician does not wait for the next heartbeat; the line says nothing on the terminal.

/** What serving depends on, passed in so that a test can run it with its own site and clock, and without waiting. */
export type ServeDeps = {
  /** Where the machine's identity is kept (an absolute path: the terminal names it). */
  file: string;
  /** The API client for the site at `origin` (siteApi: Node's fetch, with the Origin header the site requires). */
  api: (origin: string) => CallApi;
  /** The machine's clock, in milliseconds since the epoch (the heartbeat's time). */
  now: () => number;
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Aborts to stop serving (Ctrl+C, SIGTERM). */
  signal: AbortSignal;
  output: NodeJS.WritableStream;
  /** The environment, for the terminal's language. */
  env: Record<string, string | undefined>;
  /** Joins one session a technician opened with the machine, until it ends or is stopped (join-x11.ts). */
  join: JoinSession;
  /** Keeps the machine's line open until `signal` aborts, calling `onWake` for each wake (line.ts keepLine). */
  line: KeepLine;
};

/** Keeps the line of the machine `identity` open until `signal` aborts; a wake has the next heartbeat go out now. */
export type KeepLine = (identity: MachineIdentity, onWake: () => void, signal: AbortSignal) => Promise<void>;

/**
 * Runs one unattended session of the machine `identity` (join-x11.ts on X11) until it ends or `signal` aborts, keeping
 * `watch` told whether its technician is connected (Sessions.ts).
 */
export type JoinSession = (
  join: MachineJoin,
  identity: MachineIdentity,
  signal: AbortSignal,
  watch: TechnicianWatch,
) => Promise<void>;

/**
 * How serving ended, as the name of its exit code in exit-codes.ts (stopped: `ended`; no identity, removed, turned
 * off: `cannotServe`), which main.ts turns into the number.
 */
export type ServeExit = "ended" | "cannotServe";

/** Serves the machine whose identity is in `deps.file` until it is stopped; resolves with how it ended. */
export async function serveMachine(deps: ServeDeps): Promise<ServeExit> {
  const words = terminalText(deps.env).agent.serve;
  const say = (line: string) => deps.output.write(`${line}\n`);
  const loaded = await loadIdentity(deps.file);
  if (!loaded.ok) {
    say(loaded.problem === "missing" ? words.noIdentity(deps.file) : words.badIdentity(deps.file));
    return "cannotServe";
  }
  const { identity } = loaded;
  const pace = new BeatPace(deps);
  // The line lasts as long as serving, however serving ends; a line that fails leaves the heartbeats to their pace.
  const ending = new AbortController();
  const line = deps
    .line(identity, () => pace.wake(), AbortSignal.any([deps.signal, ending.signal]))
    .catch(() => undefined);
  const exit = await beatUntilStopped(deps, identity, pace);
  ending.abort();
  await line;
  return exit;
}

/** Beats as often as the site asks, or sooner when woken, and joins the sessions it names, until serving stops. */
async function beatUntilStopped(deps: ServeDeps, identity: MachineIdentity, pace: BeatPace): Promise<ServeExit> {
  const words = terminalText(deps.env).agent.serve;
  const say = (line: string) => deps.output.write(`${line}\n`);
  const api = deps.api(identity.origin);
  const beatPath = `/api/machines/${identity.machineId}/heartbeat`;
  let standing: Standing | null = null;
  let failures = 0;
  let lastAt: number | null = null;
  /** Whether the last heartbeat sent said the machine is busy: a change is told at once, not at the next beat. */
  let saidBusy = false;
  const sessions: Sessions = new Sessions(
    (join, signal, watch) => deps.join(join, identity, signal, watch),
    deps.signal,
    () => {
      if (sessions.isBusy() !== saidBusy) pace.wake();
    },
  );
  // One turn per heartbeat, each ending in what the answer means; the sessions it names are joined beside the loop.
  while (!deps.signal.aborted) {
    const at = nextBeatAt(deps.now(), lastAt);
    lastAt = at;
    pace.started();
    saidBusy = sessions.isBusy();
    const beat = api("POST", beatPath, HeartbeatResponse, heartbeatBody(identity, at, saidBusy));
    const answer = await unlessStopped(beat, deps.signal);
    if (answer === null) break;
    const next = afterBeat(answer, failures);
    switch (next.type) {
      case "stop":
        say(words[next.reason]);
        return "cannotServe";
      case "beat":
        if (next.standing !== null && next.standing !== standing) {
          standing = next.standing;
          say(standing === "online" ? words.online(plain(identity.name)) : words[standing]);
        }
        failures = next.failures;
        if (next.standing === "online") sessions.offer(next.sessions);
        await pace.rest(next.waitMs);
        break;
      default:
        assertNever(next);
    }
  }
  // A session under way hears the stop too (its technician sees it end), and ends before serving does.
  await sessions.settled();
  say(words.stopped);
  return "ended";
}

/** What `work` resolves with, or null as soon as `signal` aborts: a stop does not wait for a site that does not answer. */
function unlessStopped<T>(work: Promise<T>, signal: AbortSignal): Promise<T | null> {
  if (signal.aborted) return Promise.resolve(null);
  return new Promise((resolve) => {
    const onAbort = () => resolve(null);
    signal.addEventListener("abort", onAbort, { once: true });
    void work.then((value) => {
      // Removed each turn: a machine online for months would otherwise pile up a listener per heartbeat.
      signal.removeEventListener("abort", onAbort);
      resolve(value);
    });
  });
}

/**
 * The `serve` command on this machine, with `args` after the word: `[--identity FILE]`, the file `enrol` saved the
 * identity in. Serves until `signal` aborts; resolves with how it ended.
 */
export function serveCommand(
  args: readonly string[],
  env: Record<string, string | undefined>,
  output: NodeJS.WritableStream,
  signal: AbortSignal,
  join: JoinSession,
): Promise<ServeExit> {
  const flag = args.indexOf("--identity");
  const given = flag === -1 ? defaultIdentityFile(env, os.homedir()) : args[flag + 1];
  if (given === undefined || given === "") {
    // `--identity` without a file names no identity to serve: refused as missing, in the words the person typed.
    output.write(`${terminalText(env).agent.serve.noIdentity("--identity FILE")}\n`);
    return Promise.resolve("cannotServe");
  }
  const sleep = (ms: number, stop: AbortSignal) => delay(ms, undefined, { signal: stop }).catch(() => undefined);
  const every = (ms: number, tick: () => void) => {
    const timer = setInterval(tick, ms);
    return () => clearInterval(timer);
  };
  return serveMachine({
    file: path.resolve(given),
    api: siteApi,
    now: () => Date.now(),
    sleep,
    signal,
    output,
    env,
    join,
    line: (identity, onWake, stop) =>
      keepLine({ identity, openSocket: socketOpener(identity.origin), onWake, signal: stop, sleep, every }),
  });
}
