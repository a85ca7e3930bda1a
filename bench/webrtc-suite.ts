import { randomBytes } from "node:crypto";
import type { Browser } from "playwright-core";
import { CHROMIUM, launchBrowser } from "../test/helpers/node/browser.ts";
import { startCoturn } from "../test/helpers/node/coturn.ts";
import type { Panel } from "./chart.ts";
import { startFloor } from "./floor/server.ts";
import type { Metric } from "./report.ts";
import { startTether } from "./servers.ts";
import type { SuiteContext } from "./signaling-suite.ts";
import { median, percentiles } from "./stats.ts";
import { floorTarget, type Marks, type ShareTarget, tetherTarget } from "./webrtc-pages.ts";

// connect_ms, connect_relay_ms and glass_to_glass_ms: real Chromium pages sharing a screen through Tether (wrangler
// dev, and wrangler dev with a relay-only policy through coturn) and through the floor (bench/floor/), in one run,
// interleaved share by share so that a busy moment on the machine falls on all of them.

/** A timed share: Allow → first decoded frame, and both pages' marks. */
type Timed = { ms: number; customer: Marks; viewer: Marks };

/** The phases reported in the profile, each as time since Allow: [mark, which page, what it is]. */
const PHASES: [keyof Marks, "customer" | "viewer", string][] = [
  ["offerSent", "customer", "the customer's offer is set (Allow → RTCPeerConnection → createOffer)"],
  ["offerReceived", "viewer", "the offer reaches the viewer (through signaling)"],
  ["answerReceived", "customer", "the answer is back at the customer"],
  ["iceConnected", "viewer", "ICE connected at the viewer (a candidate pair works)"],
  ["dtlsConnected", "viewer", "DTLS done at the viewer (connectionState connected)"],
  [
    "firstFrameReceived",
    "viewer",
    "the first frame's last packet arrives at the viewer (requestVideoFrameCallback receiveTime)",
  ],
  ["firstFrame", "viewer", "the first frame is decoded and handed to the compositor (connect_ms itself)"],
];

async function timeShare(target: ShareTarget): Promise<Timed> {
  const share = await target.open({ isGlass: false });
  try {
    const { customer, viewer } = await share.allow();
    const start = customer.shareGranted;
    const end = viewer.firstFrame;
    if (start === undefined || end === undefined) throw new Error(`${target.name}: no shareGranted or firstFrame mark`);
    return { ms: end - start, customer, viewer };
  } finally {
    await share.close();
  }
}

/** Glass to glass on one share of the timestamp canvas: per-frame latency and frames decoded per second. */
async function timeGlass(target: ShareTarget, windowMs: number) {
  const share = await target.open({ isGlass: true });
  type Glass = { latencies: number[]; rejected: number; size: string };
  const read = () =>
    share.viewer.evaluate(() => {
      const g = (globalThis as unknown as { __benchGlass: Glass }).__benchGlass;
      return { latencies: [...g.latencies], rejected: g.rejected, size: g.size };
    });
  try {
    await share.allow();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const before = await read();
    const painted = () =>
      share.customer.evaluate(() => (globalThis as unknown as { __benchPainted: number }).__benchPainted);
    const paintedBefore = await painted();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const after = await read();
    const paintedAfter = await painted();
    const latencies = after.latencies.slice(before.latencies.length);
    return {
      latencies,
      fps: (latencies.length * 1000) / windowMs,
      paintedFps: ((paintedAfter - paintedBefore) * 1000) / windowMs,
      rejected: after.rejected - before.rejected,
      size: after.size,
    };
  } finally {
    await share.close();
  }
}

function chromiumVersion(browser: Browser): string {
  return `Chromium ${browser.version()} (${CHROMIUM}, headless)`;
}

const ms = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? "?" : n.toFixed(0));

function distribution(samples: number[], unit: string, note: string): Metric {
  const p = percentiles(samples);
  return { value: p.p50, unit, ...p, note };
}

/** Median of one phase over `shares`, as ms since Allow. */
function phase(shares: Timed[], mark: keyof Marks, page: "customer" | "viewer"): number {
  const values = shares.flatMap((s) => {
    const at = s[page][mark];
    const start = s.customer.shareGranted;
    return at === undefined || start === undefined ? [] : [at - start];
  });
  return values.length ? median(values) : Number.NaN;
}

/** Measures the three figures; returns the chart's panels (connect time, glass to glass). */
export async function measureWebRtc(ctx: SuiteContext): Promise<Panel[]> {
  const { plan, snapshot, metrics, profile } = ctx;
  const secret = randomBytes(24).toString("hex");
  ctx.progress("webrtc: starting coturn, wrangler dev (direct and relay-only), the floor's server and Chromium");
  const coturn = await startCoturn(secret);
  ctx.defer(coturn.stop);
  const turnVars = { TURN_PROVIDER: "coturn", TURN_URLS: coturn.urls.udp, TURN_SECRET: secret, ICE_POLICY: "relay" };
  const [tether, relay, floor, browser] = await Promise.all([
    startTether(snapshot, 1, { isObserved: false }),
    startTether(snapshot, 1, { isObserved: false, vars: turnVars }),
    startFloor(),
    launchBrowser(),
  ]);
  for (const stop of [tether.stop, relay.stop, floor.stop, () => browser.close()]) ctx.defer(stop);
  const technician = (server: typeof tether) => {
    const t = server.technicians[0];
    if (!t) throw new Error("no technician");
    return t;
  };
  const targets = {
    ours: await tetherTarget("tether", browser, tether.origin, technician(tether)),
    floor: await floorTarget("floor", browser, floor.origin),
    relay: await tetherTarget("tether-relay", browser, relay.origin, technician(relay)),
  };
  const timed: Record<keyof typeof targets, Timed[]> = { ours: [], floor: [], relay: [] };
  for (let i = -1; i < plan.shares; i++) {
    ctx.progress(`webrtc: share ${i < 0 ? "warm-up" : `${i + 1} of ${plan.shares}`} on each`);
    for (const key of ["ours", "floor", "relay"] as const) {
      const result = await timeShare(targets[key]);
      if (i >= 0) timed[key].push(result);
    }
  }
  ctx.progress(`webrtc: glass to glass, ${plan.glassMs / 1000} s on each`);
  const glass = await timeGlass(targets.ours, plan.glassMs);
  const glassFloor = await timeGlass(targets.floor, plan.glassMs);
  for (const target of Object.values(targets)) await target.close();

  const samples = (key: keyof typeof targets) => timed[key].map((t) => t.ms);
  const floorP = percentiles(samples("floor"));
  const phases = (key: keyof typeof targets) =>
    PHASES.map(([mark, page]) => `${mark} ${ms(phase(timed[key], mark, page))}`).join(", ");
  const browserNote = `${chromiumVersion(browser)}, fake screen (--use-fake-device-for-media-stream), loopback`;

  const connect = distribution(
    samples("ours"),
    "ms",
    `Allow (getDisplayMedia resolved on the customer's page) → first decoded frame in the technician's viewer (requestVideoFrameCallback presentationTime), wall clock, ${plan.shares} fresh sessions after one warm-up; technician signed in beforehand with a cookie, customer in a new browser context each time; through wrangler dev (X_LOCAL_OBSERVABILITY=false); ${browserNote}; median ms since Allow: ${phases("ours")}; reference: the floor (bench/floor/: bare pages, a ws relay, iceServers []), same count interleaved, p50 ${ms(floorP.p50)} / p95 ${ms(floorP.p95)} ms, ${phases("floor")}`,
  );
  metrics.connect_ms = { ...connect, reference: floorP.p50, ratio: (connect.p50 ?? 0) / floorP.p50 };

  const direct = connect.p50 ?? Number.NaN;
  const relayed = distribution(
    samples("relay"),
    "ms",
    `connect_ms through a real coturn (${coturn.urls.udp}, TURN REST credentials from GET /api/sessions/CODE/ice) with ICE_POLICY=relay, its own wrangler dev, interleaved with connect_ms; median ms since Allow: ${phases("relay")}`,
  );
  metrics.connect_relay_ms = relayed;
  profile.connect_relay_extra_ms = {
    value: (relayed.p50 ?? 0) - direct,
    unit: "ms",
    note: "connect_relay_ms − connect_ms at p50: what the relay adds (TURN allocation, permission, relayed checks)",
  };
  for (const [mark, page, what] of PHASES) {
    profile[`connect_at_${mark}_ms`] = {
      value: phase(timed.ours, mark, page),
      unit: "ms",
      reference: phase(timed.floor, mark, page),
      note: `median time since Allow until ${what}; reference = the floor; relay ${ms(phase(timed.relay, mark, page))} ms`,
    };
  }

  const glassFloorP = percentiles(glassFloor.latencies);
  const glassMetric = distribution(
    glass.latencies,
    "ms",
    `customer's getDisplayMedia replaced by a ${glass.size} canvas (captureStream(30)) that paints the wall-clock ms as 40 black/white blocks each animation frame; the viewer decodes them from every frame it presents (requestVideoFrameCallback, drawn into a canvas) and takes expectedDisplayTime − painted; ${glass.latencies.length} frames over ${plan.glassMs / 1000} s after 1 s warm-up, ${glass.fps.toFixed(1)} fps received (${glass.paintedFps.toFixed(0)} painted/s on the customer's page, ${glass.rejected} frames unreadable), VP9 as Tether sends it; reference: the floor (its browser's default codec), p50 ${ms(glassFloorP.p50)} / p95 ${ms(glassFloorP.p95)} ms at ${glassFloor.fps.toFixed(1)} fps`,
  );
  metrics.glass_to_glass_ms = {
    ...glassMetric,
    reference: glassFloorP.p50,
    ratio: (glassMetric.p50 ?? 0) / glassFloorP.p50,
  };
  profile.glass_fps = {
    value: glass.fps,
    unit: "fps",
    reference: glassFloor.fps,
    note: "frames decoded per second by the viewer during glass_to_glass_ms; reference = the floor",
  };

  return [
    {
      title: "Connect: Allow → first decoded frame in the viewer, loopback",
      unit: "ms",
      series: [
        { label: "Tether, direct (wrangler dev)", samples: samples("ours"), color: "#d9480f" },
        { label: "Tether, relay-only through coturn", samples: samples("relay"), color: "#d9480f", isDashed: true },
        { label: "floor: bare pages, ws relay", samples: samples("floor"), color: "#2b8a3e" },
      ],
    },
    {
      title: "Glass to glass at 1280×720: painted → shown in the viewer",
      unit: "ms",
      series: [
        { label: "Tether, direct", samples: glass.latencies.map((v) => Math.max(v, 1)), color: "#d9480f" },
        { label: "floor", samples: glassFloor.latencies.map((v) => Math.max(v, 1)), color: "#2b8a3e" },
      ],
    },
  ];
}
