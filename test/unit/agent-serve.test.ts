import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { ed25519 } from "@noble/curves/ed25519.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HeartbeatBody, heartbeatMessage } from "#protocol/machines.ts";
import { machineIdOf, saveIdentity } from "../../client/agent/machine/identity.ts";
import { serveCommand, serveMachine } from "../../client/agent/machine/serve.ts";
import { fromBase64url, toBase64url } from "../../client/core/base64url.ts";
import * as en from "../../client/web/src/i18n/catalogues/en.ts";
import { apiClient } from "../../client/web/src/lib/api.ts";

// An enrolled machine kept online by its agent (`serve`): a heartbeat signed with the machine's key as often as the
// site asks, retries that wait longer and longer while the site is out of reach, a stop when the machine is removed or
// unattended access is turned off, and each change said once. The clock and the waits are the test's: nothing sleeps.

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

/**
 * Serves with a site that answers the heartbeats with `replies` in turn and never answers the one after, which the
 * run then stops during (Ctrl+C). `tick` sets the machine's clock after each wait (by default: the wait's length
 * later). What the site was sent, the waits asked for, what the terminal said, and how it ended.
 */
async function serve(
  replies: Reply[],
  options: {
    tick?: (clock: number, ms: number) => number;
    onWait?: (stop: AbortController) => void;
    /** How long a joined session lasts: until it is stopped (the default), or not at all. */
    isJoinInstant?: boolean;
  } = {},
) {
  const joined: string[] = [];
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
    sleep: async (ms) => {
      waits.push(ms);
      clock = (options.tick ?? ((now, wait) => now + wait))(clock, ms);
      options.onWait?.(stop);
    },
    signal: stop.signal,
    output,
    env: ENGLISH,
    join: (session, identity, signal) => {
      expect(identity.machineId).toBe(MACHINE_ID);
      joined.push(session.code);
      if (options.isJoinInstant) return Promise.resolve();
      return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    },
  });
  output.end();
  const said = String(output.read() ?? "");
  // Nothing of the site's own words, and nothing of the key, reaches the terminal.
  expect(said).not.toContain("site says");
  expect(said).not.toContain(toBase64url(SEED));
  return { code, sent, waits, joined, lines: said.split("\n").slice(0, -1) };
}

const isSignedAt = (body: HeartbeatBody, at: number) =>
  ed25519.verify(
    fromBase64url(body.signature) ?? new Uint8Array(),
    heartbeatMessage(ORIGIN, MACHINE_ID, at),
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

  it("beats as often as the site says, each beat signed with the machine's key at the clock's time", async () => {
    const { code, sent, waits, lines } = await serve([beatAgainIn(7), beatAgainIn(7), beatAgainIn(20)]);
    expect(waits).toEqual([7_000, 7_000, 20_000]);
    expect(sent.map(({ url }) => url)).toEqual(Array(4).fill(`${ORIGIN}/api/machines/${MACHINE_ID}/heartbeat`));
    expect(sent.map(({ body }) => body.at)).toEqual([START, START + 7_000, START + 14_000, START + 34_000]);
    for (const { body } of sent) expect(isSignedAt(body, body.at), String(body.at)).toBe(true);
    // A signature is good for its own time only.
    const first = sent[0]?.body ?? { at: 0, signature: "" };
    expect(isSignedAt(first, first.at + 1)).toBe(false);
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

  it("refuses to start without an identity it can use, sending nothing", async () => {
    const none = () => {
      throw new Error("nothing may be reached");
    };
    const run = async (identityFile: string) => {
      const output = new PassThrough();
      const signal = new AbortController().signal;
      const deps = { api: none, now: none, sleep: none, join: none, signal, output, env: ENGLISH };
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
