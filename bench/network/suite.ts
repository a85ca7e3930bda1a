import { createHmac, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { launchBrowser } from "../../test/helpers/node/browser.ts";
import { startCoturn } from "../../test/helpers/node/coturn.ts";
import { startFloor } from "../floor/server.ts";
import { prerequisitesOf } from "../prerequisites.ts";
import { startTether } from "../servers.ts";
import type { SuiteContext } from "../signaling-suite.ts";
import { median, medianInterval, percentiles, quantile, sorted } from "../stats.ts";
import { floorTarget, type ShareTarget, tetherTarget } from "../webrtc-pages.ts";
import { type NetworkProfile, PROFILES, perCrossing, recoveryMs } from "./impair.ts";
import { type ImpairRelay, startRelay } from "./relay.ts";
import { assertPrivateNetwork, clearShaping, shapePort, shapingStats } from "./shaping.ts";

// glass_to_glass_{good,poor,bad}_ms and recover_after_outage_ms: Tether's real pages and the floor's, both
// relay-only through one coturn behind impair.ts's UDP relay, with the relay's port shaped on lo, sharing
// page-scripts/text-card.js's text test card.

const CARD_SCRIPT = readFileSync(path.join(import.meta.dirname, "page-scripts/text-card.js"), "utf8");
/**
 * The card's text is legible at or above this PSNR: every received or re-encoded frame seen at ≥ 20 dB (VP9 at its
 * coarsest quantiser is 26 dB) read right digit for digit, while at 14 dB (the card at half size, scaled back up)
 * 0 and 8 run together. docs/network.md has the ladder.
 */
export const LEGIBLE_PSNR_DB = 20;
const OUTAGE_MS = 3_000;
/** How long the picture runs between one outage's recovery and the next outage. */
const RECOVERED_MS = 4_000;
/** A recovery not seen within this long counts as this long (and is named in the note). */
const RECOVERY_LIMIT_MS = 15_000;
const PICTURES = path.resolve(import.meta.dirname, "../results/network-frames");
/** Not on the relay's ports or those of bench/webrtc-suite.ts's coturn, in case both ever run at once. */
const COTURN_PORTS = { plain: 23578, tls: 25449 };

type Frame = { painted: number; shown: number };
type Probe = { frames: Frame[]; psnr: number[]; rejected: number; sizes: Record<string, number> };
type Stats = Record<string, number | string | undefined>;

/** What one share through one profile showed. */
type Watched = {
  latencies: number[];
  fps: number;
  psnr: number[];
  rejected: number;
  sizes: string;
  viewer: Stats;
  customer: Stats;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const readProbe = (page: Page) =>
  page.evaluate(() => {
    const p = (globalThis as unknown as { __netProbe: Probe }).__netProbe;
    return { frames: [...p.frames], psnr: [...p.psnr], rejected: p.rejected, sizes: { ...p.sizes } };
  });
const readStates = (page: Page): Promise<[string, number][]> =>
  page.evaluate(() => [...(globalThis as unknown as { __netProbe: { states: [string, number][] } }).__netProbe.states]);
const readStats = (page: Page): Promise<Stats> =>
  page.evaluate(() => (globalThis as unknown as { __netProbe: { stats(): Promise<Stats> } }).__netProbe.stats());

/**
 * Keeps the last frame whose text was compared, and the card it was compared with, as PNGs in bench/results/ (not
 * committed), so that a person can see what a PSNR looks like.
 */
async function savePicture(viewer: Page, name: string, psnr: number | undefined): Promise<void> {
  type Pictures = { received: string; source: string };
  const pictures = await viewer.evaluate(() =>
    (globalThis as unknown as { __netProbe: { pictures(): Pictures } }).__netProbe.pictures(),
  );
  mkdirSync(PICTURES, { recursive: true });
  const db = psnr === undefined ? "none" : `${psnr.toFixed(1)}dB`;
  for (const [kind, url] of Object.entries(pictures)) {
    writeFileSync(path.join(PICTURES, `${name}-${kind}-${db}.png`), Buffer.from(url.split(",")[1] ?? "", "base64"));
  }
}

/** A browser whose every new context runs `scripts` first (before the targets' own init scripts). */
export function withInitScripts(browser: Browser, scripts: string[]): Browser {
  return new Proxy(browser, {
    get(target, key) {
      if (key === "newContext") {
        return async (options?: BrowserContextOptions) => {
          const context = await target.newContext(options);
          for (const content of scripts) await context.addInitScript({ content });
          return context;
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The floor's pages know no ICE servers: this hands them the relay with TURN REST credentials, relay-only. */
function relayOnlyScript(url: string, secret: string): string {
  const username = `${Math.floor(Date.now() / 1000) + 3_600}:floor`;
  const credential = createHmac("sha1", secret).update(username).digest("base64");
  const ice = JSON.stringify({ urls: url, username, credential });
  return `(() => {
    const Native = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Native {
      constructor(config) { super({ ...config, iceServers: [${ice}], iceTransportPolicy: "relay" }); }
    };
  })();`;
}

/**
 * Counter deltas over the window that explain a figure: bitrate, losses, repairs, freezes, the jitter buffer (what
 * frames waited in it, and the delay the receiver aimed at), decode and encode time per frame.
 */
function explain(before: Stats, after: Stats, windowMs: number): Stats {
  const delta = (key: string) => Number(after[key] ?? 0) - Number(before[key] ?? 0);
  const perSecond = (key: string) => (delta(key) * 1000) / windowMs;
  /** Milliseconds per frame from a seconds total and its frame count; undefined where the side has neither. */
  const perFrame = (seconds: string, frames: string) =>
    after[seconds] === undefined ? undefined : Math.round((delta(seconds) / Math.max(delta(frames), 1)) * 1000);
  return {
    codec: after.codec,
    kbit_s: Math.round((perSecond(after.type === "inbound-rtp" ? "bytesReceived" : "bytesSent") * 8) / 1000),
    lost: delta("packetsLost"),
    nacks: delta("nackCount"),
    plis: delta("pliCount"),
    freezes: delta("freezeCount"),
    freeze_ms: Math.round(delta("totalFreezesDuration") * 1000),
    jitter_buffer_ms: perFrame("jitterBufferDelay", "jitterBufferEmittedCount"),
    jitter_target_ms: perFrame("jitterBufferTargetDelay", "jitterBufferEmittedCount"),
    decode_ms: perFrame("totalDecodeTime", "framesDecoded"),
    encode_ms: perFrame("totalEncodeTime", "framesEncoded"),
    limited_by: after.qualityLimitationReason,
    target_kbit_s: after.targetBitrate === undefined ? undefined : Math.round(Number(after.targetBitrate) / 1000),
    rtt_ms:
      after.currentRoundTripTime === undefined ? undefined : Math.round(Number(after.currentRoundTripTime) * 1000),
  };
}

/** Shares the card through `target` and watches `windowMs` of it after `warmUpMs`. */
export async function watch(target: ShareTarget, line: string, warmUpMs: number, windowMs: number): Promise<Watched> {
  const share = await target.open({ isGlass: false });
  try {
    await share.allow();
    await sleep(warmUpMs);
    const [before, viewerBefore, customerBefore] = [
      await readProbe(share.viewer),
      await readStats(share.viewer),
      await readStats(share.customer),
    ];
    await sleep(windowMs);
    const [after, viewerAfter, customerAfter] = [
      await readProbe(share.viewer),
      await readStats(share.viewer),
      await readStats(share.customer),
    ];
    const frames = after.frames.slice(before.frames.length);
    await savePicture(share.viewer, `${target.name}-${line}`, after.psnr.at(-1));
    return {
      latencies: frames.map((f) => f.shown - f.painted),
      fps: (frames.length * 1000) / windowMs,
      psnr: after.psnr.slice(before.psnr.length),
      rejected: after.rejected - before.rejected,
      sizes: Object.keys(after.sizes).join(", "),
      viewer: explain(viewerBefore, viewerAfter, windowMs),
      customer: explain(customerBefore, customerAfter, windowMs),
    };
  } finally {
    await share.close();
  }
}

/** Black-holes the relay for OUTAGE_MS `count` times during one share and times the first live frame after each. */
async function timeOutages(target: ShareTarget, relay: ImpairRelay, warmUpMs: number, count: number) {
  const share = await target.open({ isGlass: false });
  try {
    await share.allow();
    await sleep(warmUpMs);
    const first = performance.timeOrigin + performance.now();
    const recoveries: (number | null)[] = [];
    for (let i = 0; i < count; i++) {
      // Each outage after the first starts once the picture is back and has run for a while.
      if (i > 0) await sleep(RECOVERED_MS);
      const end = relay.blackHole(OUTAGE_MS);
      await sleep(OUTAGE_MS);
      // The pages' painted times are ms modulo 2³².
      const endMod = Math.round(end) % 2 ** 32;
      let ms: number | null = null;
      for (const deadline = Date.now() + RECOVERY_LIMIT_MS; ms === null && Date.now() < deadline; await sleep(100)) {
        ms = recoveryMs((await readProbe(share.viewer)).frames, endMod);
      }
      recoveries.push(ms);
    }
    // What ICE did meanwhile, in s since the first outage began, on each side ("no change": it stayed connected).
    const since = (page: Page) =>
      readStates(page).then(
        (states) =>
          states
            .filter(([, at]) => at >= first)
            .map(([state, at]) => `${state} ${((at - first) / 1000).toFixed(1)}`)
            .join(", ") || "no change",
      );
    return { recoveries, ice: `viewer: ${await since(share.viewer)}; customer: ${await since(share.customer)}` };
  } finally {
    await share.close();
  }
}

function applyProfile(relay: ImpairRelay, profile: NetworkProfile): void {
  relay.setCrossing(perCrossing(profile));
  shapePort(relay.port, profile.rateKbit);
}

const f0 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? "?" : n.toFixed(0));
const f1 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? "?" : n.toFixed(1));
const statsNote = (s: Stats) =>
  Object.entries(s)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");

/** The text's PSNR: median, the worst 5 %, and the share of samples at or above LEGIBLE_PSNR_DB. */
function legibility(psnr: number[]) {
  const s = sorted(psnr);
  return {
    p50: quantile(s, 0.5),
    p5: quantile(s, 0.05),
    legible: psnr.filter((v) => v >= LEGIBLE_PSNR_DB).length / Math.max(psnr.length, 1),
  };
}

/** What the suite needs of the bench's context. */
export type NetworkContext = Pick<
  SuiteContext,
  "plan" | "snapshot" | "metrics" | "profile" | "defer" | "cleanUp" | "progress" | "prerequisites"
>;

const FIGURES = [
  "glass_to_glass_good_ms",
  "glass_to_glass_poor_ms",
  "glass_to_glass_bad_ms",
  "recover_after_outage_ms",
];

/** Measures the four figures into ctx.metrics (and what explains them into ctx.profile); stops what it started. */
export async function measureNetwork(ctx: NetworkContext): Promise<void> {
  const { plan, snapshot, metrics, profile } = ctx;
  const warmUpMs = plan.isQuick ? 3_000 : 4_000;
  const windowMs = plan.isQuick ? 5_000 : 10_000;
  const missing = prerequisitesOf(ctx).missing("chromium", "turnserver", "openssl");
  if (missing) {
    for (const name of FIGURES) metrics[name] = { value: null, unit: "ms", note: missing };
    return;
  }
  assertPrivateNetwork();
  const secret = randomBytes(24).toString("hex");
  ctx.progress("network: starting coturn, the impairment relay, wrangler dev (relay-only), the floor and Chromium");
  const coturn = await startCoturn(secret, COTURN_PORTS);
  ctx.defer(coturn.stop);
  const relay = await startRelay(COTURN_PORTS.plain, 20261130);
  ctx.defer(relay.stop);
  ctx.defer(clearShaping);
  const turnUrl = `turn:127.0.0.1:${relay.port}?transport=udp`;
  const vars = { TURN_PROVIDER: "coturn", TURN_URLS: turnUrl, TURN_SECRET: secret, ICE_POLICY: "relay" };
  const [tether, floor, browser] = await Promise.all([
    startTether(snapshot, 1, { isObserved: false, vars }),
    startFloor(),
    launchBrowser(),
  ]);
  for (const stop of [tether.stop, floor.stop, () => browser.close()]) ctx.defer(stop);
  const technician = tether.technicians[0];
  if (!technician) throw new Error("no technician");
  const targets = {
    ours: await tetherTarget("tether", withInitScripts(browser, [CARD_SCRIPT]), tether.origin, technician),
    floor: await floorTarget(
      "floor",
      withInitScripts(browser, [CARD_SCRIPT, relayOnlyScript(turnUrl, secret)]),
      floor.origin,
    ),
  };

  for (const line of PROFILES) {
    applyProfile(relay, line);
    ctx.progress(`network: ${line.name} line, ${(warmUpMs + windowMs) / 1000} s on Tether and on the floor`);
    relay.takeLateness();
    const ours = await watch(targets.ours, line.name, warmUpMs, windowMs);
    const shaped = shapingStats();
    const late = percentiles(relay.takeLateness());
    const base = await watch(targets.floor, line.name, warmUpMs, windowMs);
    const p = percentiles(ours.latencies);
    const pf = percentiles(base.latencies);
    const text = legibility(ours.psnr);
    const textFloor = legibility(base.psnr);
    const goal = line.name === "bad" ? `text PSNR ≥ ${LEGIBLE_PSNR_DB} dB` : `p95 ≤ ${line.rttMs + 80} ms`;
    metrics[`glass_to_glass_${line.name}_ms`] = {
      value: p.p50,
      unit: "ms",
      ...p,
      reference: pf.p50,
      ratio: p.p50 / pf.p50,
      note: `${line.rttMs} ms RTT (±${line.jitterMs / 2} ms jitter per relay crossing), ${line.loss * 100} % loss, ${line.rateKbit / 1000} Mbit/s (goal: ${goal}); text card 1280×720, ${ours.latencies.length} frames over ${windowMs / 1000} s after ${warmUpMs / 1000} s: ${f1(ours.fps)} fps, text PSNR p50 ${f1(text.p50)} dB, worst 5 % ${f1(text.p5)} dB, ${f0(text.legible * 100)} % of ${ours.psnr.length} samples ≥ ${LEGIBLE_PSNR_DB} dB, ${ours.rejected} unreadable, sizes ${ours.sizes}; viewer: ${statsNote(ours.viewer)}; customer: ${statsNote(ours.customer)}; relay's own lateness (this machine's load) p50 ${f1(late.p50)} / p95 ${f1(late.p95)} ms; shaping: ${shaped}; floor: p50 ${f0(pf.p50)} / p95 ${f0(pf.p95)} ms, ${f1(base.fps)} fps, text PSNR p50 ${f1(textFloor.p50)} dB, worst 5 % ${f1(textFloor.p5)} dB, ${f0(textFloor.legible * 100)} % ≥ ${LEGIBLE_PSNR_DB} dB; floor viewer: ${statsNote(base.viewer)}; floor customer: ${statsNote(base.customer)}`,
    };
    profile[`network_${line.name}_fps`] = {
      value: ours.fps,
      unit: "fps",
      reference: base.fps,
      note: `frames the viewer presented per second on the ${line.name} line; reference = the floor`,
    };
    profile[`network_${line.name}_text_psnr_db`] = {
      value: text.p50,
      unit: "dB",
      reference: textFloor.p50,
      note: `median PSNR (luma) of the received text against the card painted at the frame's own time, sampled twice a second, on the ${line.name} line; legible at ≥ ${LEGIBLE_PSNR_DB} dB; worst 5 % ${f1(text.p5)} dB; reference = the floor`,
    };
    profile[`network_${line.name}_floor_ms`] = {
      value: pf.p50,
      unit: "ms",
      ...pf,
      note: `the floor's glass to glass on the ${line.name} line, same path`,
    };
  }

  const good = PROFILES[0] as NetworkProfile;
  applyProfile(relay, good);
  const outages = plan.isQuick ? 3 : 5;
  ctx.progress(`network: ${outages} outages of ${OUTAGE_MS / 1000} s on the good line, on Tether and on the floor`);
  const recovered = await timeOutages(targets.ours, relay, warmUpMs, outages);
  const recoveredFloor = await timeOutages(targets.floor, relay, warmUpMs, outages);
  const times = (r: (number | null)[]) => r.map((ms) => ms ?? RECOVERY_LIMIT_MS);
  const [oursTimes, floorTimes] = [times(recovered.recoveries), times(recoveredFloor.recoveries)];
  const interval = medianInterval(oursTimes);
  const never = recovered.recoveries.filter((ms) => ms === null).length;
  metrics.recover_after_outage_ms = {
    value: interval.estimate,
    unit: "ms",
    value_ci: [interval.low, interval.high],
    runs: oursTimes,
    reference: median(floorTimes),
    ratio: interval.estimate / median(floorTimes),
    note: `good line; ${outages} times during one share, every packet both ways dropped by the relay for ${OUTAGE_MS / 1000} s, ${RECOVERED_MS / 1000} s apart after each recovery; from the network's return to the first frame the viewer presents that was painted after it; median of the ${outages} with its bootstrap interval${never ? `; ${never} not back within ${RECOVERY_LIMIT_MS / 1000} s, counted as that` : ""}; ICE states, s after the first outage began: ${recovered.ice}; reference: the floor's median (runs ${floorTimes.map((ms) => ms.toFixed(0)).join(", ")}), ICE ${recoveredFloor.ice}`,
  };
  const { packets, lost } = relay.counts();
  profile.network_relay_packets = {
    value: packets,
    unit: "packets",
    note: `datagrams through the impairment relay over the whole suite, ${lost} of them dropped`,
  };
  for (const target of Object.values(targets)) await target.close();
  await ctx.cleanUp();
}
