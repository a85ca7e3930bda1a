import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { assertNever } from "#protocol/assert-never.ts";
import { HeartbeatResponse, type MachineJoin } from "#protocol/machines.ts";
import type { CallApi } from "../../web/src/lib/api.ts";
import { siteApi } from "../node-runtime.ts";
import { plain, terminalText } from "../terminal.ts";
import { afterBeat, heartbeatBody, nextBeatAt, type Standing } from "./heartbeat.ts";
import { defaultIdentityFile, loadIdentity, type MachineIdentity } from "./identity.ts";

// `serve [--identity FILE]`: keeps an enrolled machine online for unattended access until it is stopped (Ctrl+C, a
// service manager's SIGTERM), removed in the console, or unattended access is turned off on the site. It beats, signed
// with the machine's key, as often as the site asks, and keeps trying while the site is out of reach. The terminal hears
// each change of standing once, in the catalogue's words: never the site's, never anything of the key.

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
  /** Joins one session a technician opened with the machine, until it ends or `signal` aborts (unattended.ts). */
  join: JoinSession;
};

/** Runs one unattended session of the machine `identity` (join-x11.ts on X11). */
export type JoinSession = (join: MachineJoin, identity: MachineIdentity, signal: AbortSignal) => Promise<void>;

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
  const api = deps.api(identity.origin);
  const beatPath = `/api/machines/${identity.machineId}/heartbeat`;
  let standing: Standing | null = null;
  let failures = 0;
  let lastAt: number | null = null;
  const sessions = new Sessions((join) => deps.join(join, identity, deps.signal));
  // One turn per heartbeat, each ending in what the answer means; the sessions it names are joined beside the loop.
  while (!deps.signal.aborted) {
    const at = nextBeatAt(deps.now(), lastAt);
    lastAt = at;
    const beat = api("POST", beatPath, HeartbeatResponse, heartbeatBody(identity, at));
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
        await deps.sleep(next.waitMs, deps.signal);
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

/**
 * The sessions the machine joins, one at a time (they share its one screen): the newest named that it has not joined
 * yet, once none runs. Each is joined once; a session the site stopped naming has ended, and is forgotten.
 */
class Sessions {
  readonly #join: (join: MachineJoin) => Promise<void>;
  readonly #joined = new Set<string>();
  #running: Promise<void> | null = null;

  constructor(join: (join: MachineJoin) => Promise<void>) {
    this.#join = join;
  }

  /** The live sessions the site named, newest first. */
  offer(named: readonly MachineJoin[]): void {
    const live = new Set(named.map((join) => join.code));
    for (const code of this.#joined) if (!live.has(code)) this.#joined.delete(code);
    const next = named.find((join) => !this.#joined.has(join.code));
    if (this.#running || !next) return;
    this.#joined.add(next.code);
    this.#running = this.#join(next)
      .catch(() => undefined)
      .finally(() => {
        this.#running = null;
      });
  }

  /** Resolves once no session runs. */
  async settled(): Promise<void> {
    await this.#running;
  }
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
  return serveMachine({
    file: path.resolve(given),
    api: siteApi,
    now: () => Date.now(),
    sleep: (ms, stop) => delay(ms, undefined, { signal: stop }).catch(() => undefined),
    signal,
    output,
    env,
    join,
  });
}
