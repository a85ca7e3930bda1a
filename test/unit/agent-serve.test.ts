import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { ed25519 } from "@noble/curves/ed25519.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HeartbeatBody, heartbeatMessage } from "#protocol/machines.ts";
import { saveIdentity } from "../../client/agent/machine/identity.ts";
import { keepLine } from "../../client/agent/machine/line.ts";
import { type KeepLine, serveCommand, serveMachine } from "../../client/agent/machine/serve.ts";
import { fromBase64url, toBase64url } from "../../client/core/base64url.ts";
import { machineIdOf } from "../../client/core/machine-handshake.ts";
import * as en from "../../client/web/src/i18n/catalogues/en.ts";
import { apiClient } from "../../client/web/src/lib/api.ts";

// An enrolled machine kept online by its agent (`serve`): a heartbeat signed with the machine's key as often as the
// site asks, retries that wait longer and longer while the site is out of reach, a stop when the machine is removed or
// unattended access is turned off, and each change said once; a wake on the machine's line has the next beat go out
// at once, a second after the last at the soonest. The clock and the waits are the test's: nothing sleeps.

const ORIGIN = "https://help.example.org";
const SEED = new Uint8Array(32).fill(7);
const PUBLIC_KEY = ed25519.getPublicKey(SEED);
const MACHINE_ID = machineIdOf(PUBLIC_KEY);
const START = Date.UTC(2026, 0, 5, 9);
const ENGLISH = { LANG: "en_GB.UTF-8" };
const words = en.agent.serve;

let folder: string;
let file: string;
beforeEach(async () => {
  folder = mkdtempSync(path.join(tmpdir(), "tether-agent-serve-"));
  file = path.join(folder, "machine.json");
  await saveIdentity(file, { origin: ORIGIN, machineId: MACHINE_ID, privateKey: SEED, name: "build-01" });
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** The site's answer to one heartbeat. */
type Reply = () => Response;

const beatAgainIn = (nextInS: number) => () => Response.json({ nextInS });
/** A session code, and a seat key, for the heartbeats' answers. */
const join = (code: string) => ({ code, seatKey: toBase64url(new Uint8Array(32).fill(code.charCodeAt(0))) });
const beatWith =
  (...codes: string[]) =>
  () =>
    Response.json({ nextInS: 1, sessions: codes.map(join) });
const refusal = (status: number, code: string) => () =>
  Response.json({ error: { code, message: `site says ${code}` } }, { status });
const unreachable = () => {
  throw new TypeError("fetch failed");
};

/** Resolves once `signal` aborts. */
const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });

/** The machine's line as the site would keep it: `wake()` passes a wake to the agent. */
function siteLine() {
  let onWake = () => {};
  const signals: AbortSignal[] = [];
  const line: KeepLine = (identity, wake, signal) => {
    expect(identity.machineId).toBe(MACHINE_ID);
    onWake = wake;
    signals.push(signal);
    return aborted(signal);
  };
  return { line, signals, wake: () => onWake() };
}

/**
 * Serves with a site that answers the heartbeats with `replies` in turn and never answers the one after, which the
 * run then stops during (Ctrl+C). `tick` sets the machine's clock after each wait (by default: the wait's length
 * later). What the site was sent, the waits asked for, what the terminal said, and how it ended.
 */
async function serve(
  replies: Reply[],
  options: {
    /** The clock after the wait `index` (from 0), `ms` long. */
    tick?: (clock: number, ms: number, index: number) => number;
    /** Called during the wait `index`, which ends when it resolves (at once by default). */
    onWait?: (stop: AbortController, wait: { index: number; signal: AbortSignal }) => void | Promise<void>;
    /** How long a joined session lasts: until it is stopped (the default), or not at all. */
    isJoinInstant?: boolean;
    /** The machine's line: by default one that never connects. */
    line?: KeepLine;
    /** Whether the technician of the joined session `code` is connected to it (by default: never). */
    technician?: (code: string) => boolean;
    /** Called as the session `code` is joined, with a way to end it there and to say its technician came or went. */
    onJoin?: (code: string, end: () => void, changed: () => void) => void;
  } = {},
) {
  const joined: string[] = [];
  /** The sessions stopped from the agent's side (replaced, or serving stopped), and the beats sent by each join. */
  const stopped: string[] = [];
  const beatsAtJoin: number[] = [];
  const stop = new AbortController();
  const output = new PassThrough();
  const sent: { url: string; body: HeartbeatBody }[] = [];
  const waits: number[] = [];
  let clock = START;
  const code = await serveMachine({
    file,
    api: (origin) =>
      apiClient(origin, async (url, init) => {
        sent.push({ url, body: HeartbeatBody.parse(JSON.parse(String(init.body))) });
        const reply = replies[sent.length - 1];
        if (reply) return reply();
        stop.abort();
        return new Promise<Response>(() => undefined);
      }),
    now: () => clock,
    sleep: async (ms, signal) => {
      waits.push(ms);
      clock = (options.tick ?? ((now, wait) => now + wait))(clock, ms, waits.length - 1);
      await options.onWait?.(stop, { index: waits.length - 1, signal });
    },
    signal: stop.signal,
    output,
    env: ENGLISH,
    join: (session, identity, signal, watch) => {
      expect(identity.machineId).toBe(MACHINE_ID);
      joined.push(session.code);
      beatsAtJoin.push(sent.length);
      watch.started(() => options.technician?.(session.code) ?? false);
      if (options.isJoinInstant) return Promise.resolve();
      return new Promise((resolve) => {
        let isOver = false;
        const over = (isStopped: boolean) => {
          if (isOver) return;
          isOver = true;
          if (isStopped) stopped.push(session.code);
          resolve();
        };
        options.onJoin?.(
          session.code,
          () => over(false),
          () => watch.changed(),
        );
        signal.addEventListener("abort", () => over(true), { once: true });
      });
    },
    line: options.line ?? ((_identity, _onWake, signal) => aborted(signal)),
  });
  output.end();
  const said = String(output.read() ?? "");
  // Nothing of the site's own words, and nothing of the key, reaches the terminal.
  expect(said).not.toContain("site says");
  expect(said).not.toContain(toBase64url(SEED));
  return { code, sent, waits, joined, stopped, beatsAtJoin, lines: said.split("\n").slice(0, -1) };
}

const isSignedAt = (body: HeartbeatBody, at: number, isBusy = body.isBusy) =>
  ed25519.verify(
    fromBase64url(body.signature) ?? new Uint8Array(),
    heartbeatMessage(ORIGIN, MACHINE_ID, at, isBusy),
    PUBLIC_KEY,
  );

describe("serveMachine", () => {
  it("joins each session the site names once, newest first, one at a time, and ends the one under way when stopped", async () => {
    // Sessions that end as soon as joined: each new one named is joined, none twice, one named again after it was
    // dropped from the answers (it ended) is a new one.
    const instant = await serve(
      [beatWith("111111111"), beatWith("222222222", "111111111"), beatWith("222222222"), beatWith()],
      { isJoinInstant: true },
    );
    expect(instant.joined).toEqual(["111111111", "222222222"]);
    // One screen, one session: while the newest runs, the other waits, and the stop reaches the one under way.
    const busy = await serve([beatWith("333333333", "444444444"), beatWith("333333333", "444444444")]);
    expect(busy.joined).toEqual(["333333333"]);
    expect(busy.code).toBe("ended");
    expect(busy.lines.at(-1)).toBe(words.stopped);
    // A failed heartbeat names nothing to join.
    const failed = await serve([refusal(503, "INTERNAL"), beatWith("555555555")], { isJoinInstant: true });
    expect(failed.joined).toEqual(["555555555"]);
  });

  it("lets a newer session take the screen from one whose technician left, and keeps it waiting while they are there", async () => {
    // Nobody on 111 any more (its technician closed the tab): 222, opened after it, ends it and is joined at once.
    const left = await serve([beatWith("111111111"), beatWith("222222222", "111111111")]);
    expect(left.joined).toEqual(["111111111", "222222222"]);
    // 111 for 222, then 222 as serving stopped.
    expect(left.stopped).toEqual(["111111111", "222222222"]);
    // Its technician on 333: 444 waits, and is joined as soon as 333 ends, without waiting for a heartbeat.
    const ends = new Map<string, () => void>();
    const there = await serve([beatWith("333333333"), beatWith("444444444", "333333333"), beatWith("444444444")], {
      technician: (code) => code === "333333333",
      onJoin: (code, end) => ends.set(code, end),
      onWait: (_stop, wait) => {
        if (wait.index === 1) ends.get("333333333")?.();
      },
    });
    expect(there.joined).toEqual(["333333333", "444444444"]);
    expect(there.beatsAtJoin).toEqual([1, 2]);
    // 333 ended there, not from the agent's side; 444 as serving stopped.
    expect(there.stopped).toEqual(["444444444"]);
    // Its technician on 777 when 888 is named, and gone during the wait after: 888 is joined then, not at a beat.
    let isThere = true;
    const changes = new Map<string, () => void>();
    const gone = await serve([beatWith("777777777"), beatWith("888888888", "777777777")], {
      technician: (code) => code === "777777777" && isThere,
      onJoin: (code, _end, changed) => changes.set(code, changed),
      onWait: (_stop, wait) => {
        if (wait.index !== 1) return;
        // Told again while the technician is still there: 888 goes on waiting.
        changes.get("777777777")?.();
        expect([...changes.keys()]).toEqual(["777777777"]);
        isThere = false;
        changes.get("777777777")?.();
      },
    });
    expect(gone.joined).toEqual(["777777777", "888888888"]);
    expect(gone.beatsAtJoin).toEqual([1, 2]);
    expect(gone.stopped).toEqual(["777777777", "888888888"]);
    // An older session never takes the screen from a newer one, with or without its technician.
    const older = await serve([beatWith("555555555"), beatWith("555555555", "666666666")]);
    expect(older.joined).toEqual(["555555555"]);
  });

  it("says in its beats whether a technician is connected to the session under way, and beats at once when that changes", async () => {
    const named = () => Response.json({ nextInS: 20, sessions: [join("111111111")] });
    let isThere = false;
    let changed = () => {};
    const run = await serve([named, named, named], {
      technician: () => isThere,
      onJoin: (_code, _end, onChange) => {
        changed = onChange;
        // The technician connects as soon as the session is joined.
        isThere = true;
        changed();
      },
      onWait: (_stop, wait) => {
        if (wait.index !== 1) return;
        isThere = false;
        changed();
      },
    });
    // Free, then busy, then free again, each signed as said.
    expect(run.sent.map(({ body }) => body.isBusy)).toEqual([false, true, false, false]);
    for (const { body } of run.sent) expect(isSignedAt(body, body.at), String(body.at)).toBe(true);
    // Busy came within the first 20 s wait: the beat that says so went out a second after the one before.
    expect(run.waits[0]).toBe(1_000);
    expect(run.sent[1]?.body.at).toBe(START + 1_000);
  });

  it("beats as often as the site says, each beat signed with the machine's key at the clock's time", async () => {
    const { code, sent, waits, lines } = await serve([beatAgainIn(7), beatAgainIn(7), beatAgainIn(20)]);
    expect(waits).toEqual([7_000, 7_000, 20_000]);
    expect(sent.map(({ url }) => url)).toEqual(Array(4).fill(`${ORIGIN}/api/machines/${MACHINE_ID}/heartbeat`));
    expect(sent.map(({ body }) => body.at)).toEqual([START, START + 7_000, START + 14_000, START + 34_000]);
    for (const { body } of sent) expect(isSignedAt(body, body.at), String(body.at)).toBe(true);
    // A signature is good for its own time only.
    const first = sent[0]?.body ?? { at: 0, isBusy: false, signature: "" };
    expect(first.isBusy).toBe(false);
    expect(isSignedAt(first, first.at + 1)).toBe(false);
    // And for what it says: this one said free.
    expect(isSignedAt(first, first.at, true)).toBe(false);
    // Online is said once, not on every beat; stopped while the fourth beat went unanswered.
    expect(lines).toEqual([words.online("build-01"), words.stopped]);
    expect(code).toBe("ended");
  });

  it("sends ever newer times when the machine's clock goes back or stands still", async () => {
    const back = START - 60_000;
    const { sent } = await serve([beatAgainIn(5), beatAgainIn(5), beatAgainIn(5)], { tick: () => back });
    expect(sent.map(({ body }) => body.at)).toEqual([START, START + 1, START + 2, START + 3]);
    for (const { body } of sent) expect(isSignedAt(body, body.at)).toBe(true);
  });

  it("says once that the site is out of reach, tries again ever later up to 30 s apart, and says online when back", async () => {
    const { code, waits, lines } = await serve([
      beatAgainIn(5),
      unreachable,
      unreachable,
      // A proxy's error page and the site's own failure are the site out of reach as well.
      () => new Response("<h1>Bad gateway</h1>", { status: 502 }),
      refusal(503, "SERVER_BUSY"),
      unreachable,
      unreachable,
      unreachable,
      beatAgainIn(5),
      unreachable,
      beatAgainIn(5),
    ]);
    expect(waits).toEqual([5_000, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 5_000, 1_000, 5_000]);
    expect(lines).toEqual([
      words.online("build-01"),
      words.unreachable,
      words.online("build-01"),
      words.unreachable,
      words.online("build-01"),
      words.stopped,
    ]);
    expect(code).toBe("ended");
  });

  it("keeps beating after a refused heartbeat, and waits longer when rate limited, saying nothing of it", async () => {
    const refused = await serve([
      beatAgainIn(5),
      refusal(400, "MACHINE_KEY_INVALID"),
      refusal(400, "BAD_REQUEST"),
      refusal(429, "RATE_LIMITED"),
      beatAgainIn(5),
    ]);
    expect(refused.waits).toEqual([5_000, 1_000, 2_000, 4_000, 5_000]);
    expect(refused.lines).toEqual([words.online("build-01"), words.refused, words.online("build-01"), words.stopped]);

    const limited = await serve([beatAgainIn(5), refusal(429, "RATE_LIMITED"), refusal(429, "RATE_LIMITED")]);
    expect(limited.waits).toEqual([5_000, 1_000, 2_000]);
    expect(limited.lines).toEqual([words.online("build-01"), words.stopped]);
  });

  it("stops when the machine was removed in the console", async () => {
    const { code, sent, lines } = await serve([beatAgainIn(5), unreachable, refusal(404, "NOT_FOUND")]);
    expect(lines).toEqual([words.online("build-01"), words.unreachable, words.removed]);
    expect(sent).toHaveLength(3);
    expect(code).toBe("cannotServe");
  });

  it("stops when unattended access is turned off on the site", async () => {
    const { code, sent, lines } = await serve([refusal(403, "UNATTENDED_OFF")]);
    expect(lines).toEqual([words.off]);
    expect(sent).toHaveLength(1);
    expect(code).toBe("cannotServe");
  });

  it("stops when stopped while waiting for the next beat", async () => {
    const { code, sent, waits, lines } = await serve([beatAgainIn(5), beatAgainIn(5)], {
      onWait: (stop) => stop.abort(),
    });
    expect(sent).toHaveLength(1);
    expect(waits).toEqual([5_000]);
    expect(lines).toEqual([words.online("build-01"), words.stopped]);
    expect(code).toBe("ended");
  });

  it("beats at once when the line wakes it during the wait, and joins the session that beat names", async () => {
    const site = siteLine();
    const { sent, waits, joined, lines } = await serve([beatAgainIn(20), beatWith("111111111")], {
      line: site.line,
      // Woken 3 s into the first wait, which the wake ends.
      tick: (clock, ms, index) => clock + (index === 0 ? 3_000 : ms),
      onWait: (_stop, { index, signal }) => {
        if (index !== 0) return;
        site.wake();
        return aborted(signal);
      },
    });
    expect(sent.map(({ body }) => body.at)).toEqual([START, START + 3_000, START + 4_000]);
    expect(waits).toEqual([20_000, 1_000]);
    expect(joined).toEqual(["111111111"]);
    // The line says nothing on the terminal.
    expect(lines).toEqual([words.online("build-01"), words.stopped]);
    expect(site.signals).toHaveLength(1);
    expect(site.signals[0]?.aborted).toBe(true);
  });

  it("beats at most once a second however many wakes come", async () => {
    const site = siteLine();
    const { sent, waits } = await serve([beatAgainIn(20), beatAgainIn(20)], {
      line: site.line,
      // A burst 300 ms into the first wait, and more while the beat waits out its second; then one just as the
      // second beat was answered (no time after it started).
      tick: (clock, ms, index) => clock + ([300, ms, 0, ms][index] ?? ms),
      onWait: (_stop, { index, signal }) => {
        if (index === 1) {
          site.wake();
          site.wake();
          // The rest of the second is waited out all the same.
          expect(signal.aborted).toBe(false);
          return;
        }
        if (index !== 0 && index !== 2) return;
        site.wake();
        site.wake();
        site.wake();
        return aborted(signal);
      },
    });
    expect(waits).toEqual([20_000, 700, 20_000, 1_000]);
    expect(sent.map(({ body }) => body.at)).toEqual([START, START + 1_000, START + 2_000]);
  });

  it("beats again right after the answer when the line wakes it while a beat is in flight", async () => {
    const site = siteLine();
    // The session was opened after the site answered the first beat: the wake comes while it is in flight.
    const wokenInFlight = () => {
      site.wake();
      return beatAgainIn(20)();
    };
    const { sent, waits, joined } = await serve([wokenInFlight, beatWith("111111111")], { line: site.line });
    // No 20 s wait: only the rest of the second since the first beat started.
    expect(waits).toEqual([1_000, 1_000]);
    expect(sent.map(({ body }) => body.at)).toEqual([START, START + 1_000, START + 2_000]);
    expect(joined).toEqual(["111111111"]);
  });

  it("serves as before with a line that never connects or fails at once, and closes it however serving ends", async () => {
    const opened: string[] = [];
    const lineSignals: AbortSignal[] = [];
    const neverConnects: KeepLine = (identity, onWake, signal) => {
      lineSignals.push(signal);
      return keepLine({
        identity,
        openSocket: (url) => {
          opened.push(url);
          throw new TypeError("connect ECONNREFUSED");
        },
        onWake,
        signal,
        sleep: (_ms, stop) => aborted(stop),
        every: () => () => undefined,
      });
    };
    const { code, sent, waits, lines } = await serve([beatAgainIn(7), beatAgainIn(7), beatAgainIn(20)], {
      line: neverConnects,
    });
    expect(opened).toEqual([`wss://help.example.org/api/machines/${MACHINE_ID}/line`]);
    expect(waits).toEqual([7_000, 7_000, 20_000]);
    expect(sent.map(({ body }) => body.at)).toEqual([START, START + 7_000, START + 14_000, START + 34_000]);
    expect(lines).toEqual([words.online("build-01"), words.stopped]);
    expect(code).toBe("ended");

    const failing: KeepLine = () => Promise.reject(new Error("no line"));
    const failed = await serve([beatAgainIn(7), beatAgainIn(7)], { line: failing });
    expect(failed.waits).toEqual([7_000, 7_000]);
    expect(failed.lines).toEqual([words.online("build-01"), words.stopped]);

    // Removed in the console: serving ends, and the line with it.
    const removed = await serve([beatAgainIn(5), refusal(404, "NOT_FOUND")], { line: neverConnects });
    expect(removed.code).toBe("cannotServe");
    expect(lineSignals).toHaveLength(2);
    for (const signal of lineSignals) expect(signal.aborted).toBe(true);
  });

  it("refuses to start without an identity it can use, sending nothing", async () => {
    const none = () => {
      throw new Error("nothing may be reached");
    };
    const run = async (identityFile: string) => {
      const output = new PassThrough();
      const signal = new AbortController().signal;
      const deps = { api: none, now: none, sleep: none, join: none, line: none, signal, output, env: ENGLISH };
      const code = await serveMachine({ ...deps, file: identityFile });
      output.end();
      return { code, said: String(output.read()) };
    };
    const missing = path.join(folder, "none", "machine.json");
    expect(await run(missing)).toEqual({ code: "cannotServe", said: `${words.noIdentity(missing)}\n` });
    writeFileSync(file, "{");
    expect(await run(file)).toEqual({ code: "cannotServe", said: `${words.badIdentity(file)}\n` });
    // A directory where the file should be cannot be read.
    const folderInstead = path.join(folder, "folder.json");
    mkdirSync(folderInstead);
    expect(await run(folderInstead)).toEqual({ code: "cannotServe", said: `${words.badIdentity(folderInstead)}\n` });
  });
});

describe("serveCommand", () => {
  it("reads --identity without a file as no identity", async () => {
    const output = new PassThrough();
    const join = () => Promise.reject(new Error("nothing may be joined"));
    expect(await serveCommand(["--identity"], ENGLISH, output, new AbortController().signal, join)).toBe("cannotServe");
    output.end();
    expect(String(output.read())).toBe(`${words.noIdentity("--identity FILE")}\n`);
  });
});
