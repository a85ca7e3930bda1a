import { randomBytes } from "node:crypto";
import type { Browser } from "playwright-core";
import { CHROMIUM, launchBrowser } from "../test/helpers/node/browser.ts";
import { startCoturn } from "../test/helpers/node/coturn.ts";
import type { Panel } from "./chart.ts";
import { startFloor } from "./floor/server.ts";
import { prerequisitesOf } from "./prerequisites.ts";
import { childProcesses, cpuMsBetween, cpuMsEach, processTree } from "./procfs.ts";
import type { Metric } from "./report.ts";
import { loggedErrors, startTether } from "./servers.ts";
import type { SuiteContext } from "./signaling-suite.ts";
import { median, medianInterval, pairedRatioInterval, percentiles, ratioFields } from "./stats.ts";
import { measureTogether } from "./together.ts";
import { floorTarget, type Marks, type ShareTarget, tetherTarget } from "./webrtc-pages.ts";

// connect_ms, connect_relay_ms, pake_ms, glass_to_glass_ms and customer_cpu_pct: real Chromium pages sharing a screen through
// Tether (wrangler dev, and wrangler dev with a relay-only policy through coturn) and through the floor
// (bench/floor/), in one run, interleaved share by share so that a busy moment on the machine falls on all of them.
// The customers' pages run in a Chromium of their own, so that its process tree is the customer's machine.

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

/**
 * Glass to glass on one share of the timestamp canvas: per-frame latency and frames decoded per second; and the CPU
 * the customer's browser (every process of `customerPid`'s tree) used over the same window, in % of one core.
 */
async function timeGlass(target: ShareTarget, windowMs: number, customerPid: number) {
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
    const cpuBefore = cpuMsEach(processTree(customerPid));
    const windowStart = performance.now();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const cpuAfter = cpuMsEach(processTree(customerPid));
    const elapsedMs = performance.now() - windowStart;
    const after = await read();
    const paintedAfter = await painted();
    const latencies = after.latencies.slice(before.latencies.length);
    return {
      latencies,
      fps: (latencies.length * 1000) / windowMs,
      paintedFps: ((paintedAfter - paintedBefore) * 1000) / windowMs,
      rejected: after.rejected - before.rejected,
      size: after.size,
      customerCpuPct: (100 * cpuMsBetween(cpuBefore, cpuAfter)) / elapsedMs,
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

/**
 * One share's handshake: from the console's pakeStart (of the run that confirmed) to both pages confirmed, and
 * where both confirmed relative to Allow (negative: before it, so outside connect_ms). Null without the marks.
 */
function pakeOf(share: Timed): { ms: number; sinceAllowMs: number } | null {
  const start = share.viewer.handshakeStart;
  const [viewer, customer, allow] = [
    share.viewer.handshakeConfirmed,
    share.customer.handshakeConfirmed,
    share.customer.shareGranted,
  ];
  if (start === undefined || viewer === undefined || customer === undefined || allow === undefined) return null;
  const bothConfirmed = Math.max(viewer, customer);
  return { ms: bothConfirmed - start, sinceAllowMs: bothConfirmed - allow };
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
/** Launches the customers' Chromium and finds its browser process: the one child of ours that was not there before. */
async function launchCustomerBrowser(): Promise<{ browser: Browser; pid: number }> {
  const before = new Set(childProcesses(process.pid));
  const browser = await launchBrowser();
  const pid = childProcesses(process.pid).find((p) => !before.has(p));
  if (pid === undefined) throw new Error("could not find the customers' Chromium process");
  return { browser, pid };
}

const NEEDS_CHROMIUM = [
  "connect_ms",
  "connect_relay_ms",
  "pake_ms",
  "glass_to_glass_ms",
  "customer_cpu_pct",
  "input_rtt_ms",
  "file_mb_per_s",
];

/** Measures the four figures; returns the chart's panels (connect time, glass to glass). */
export async function measureWebRtc(ctx: SuiteContext): Promise<Panel[]> {
  const { plan, snapshot, metrics, profile } = ctx;
  const prerequisites = prerequisitesOf(ctx);
  const noChromium = prerequisites.missing("chromium");
  if (noChromium) {
    for (const name of NEEDS_CHROMIUM)
      metrics[name] = {
        value: null,
        unit: name.endsWith("pct") ? "%" : name.endsWith("per_s") ? "MB/s" : "ms",
        note: noChromium,
      };
    return [];
  }
  const noRelay = prerequisites.missing("turnserver", "openssl");
  const secret = randomBytes(24).toString("hex");
  ctx.progress(
    `webrtc: starting ${noRelay ? "" : "coturn, "}wrangler dev (direct${noRelay ? "" : " and relay-only"}), the floor's server and two Chromiums`,
  );
  const coturn = noRelay ? null : await startCoturn(secret);
  if (coturn) ctx.defer(coturn.stop);
  const [tether, relay, floor, browser, customers] = await Promise.all([
    startTether(snapshot, 1, { isObserved: false }),
    coturn
      ? startTether(snapshot, 1, {
          isObserved: false,
          vars: { TURN_PROVIDER: "coturn", TURN_URLS: coturn.urls.udp, TURN_SECRET: secret, ICE_POLICY: "relay" },
        })
      : null,
    startFloor(),
    launchBrowser(),
    launchCustomerBrowser(),
  ]);
  for (const stop of [tether.stop, relay?.stop, floor.stop, () => browser.close(), () => customers.browser.close()]) {
    if (stop) ctx.defer(stop);
  }
  const technician = (server: typeof tether) => {
    const t = server.technicians[0];
    if (!t) throw new Error("no technician");
    return t;
  };
  const targets = {
    ours: await tetherTarget("tether", browser, tether.origin, technician(tether), customers.browser),
    floor: await floorTarget("floor", browser, floor.origin, customers.browser),
    relay: relay
      ? await tetherTarget("tether-relay", browser, relay.origin, technician(relay), customers.browser)
      : null,
  };
  const timed: Record<keyof typeof targets, Timed[]> = { ours: [], floor: [], relay: [] };
  const dropped: string[] = [];
  /** Why a round was dropped: the error's first line, and what the servers logged as their own errors. */
  const whyDropped = (err: unknown) => {
    const serverErrors = [tether, relay].flatMap((server) => (server ? loggedErrors(server.logTail()) : []));
    const first = String(err).split("\n")[0] ?? "";
    return serverErrors.length ? `${first} (the server logged: ${serverErrors.join(" ")})` : first;
  };
  for (let i = -1; i < plan.shares; i++) {
    ctx.progress(`webrtc: share ${i < 0 ? "warm-up" : `${i + 1} of ${plan.shares}`} on each`);
    // Every other round in reverse order (ABBA…), so that neither side always follows the other.
    const order = (["ours", "floor", "relay"] as const).filter((key) => targets[key]);
    const round: Partial<Record<keyof typeof targets, Timed>> = {};
    try {
      for (const key of i % 2 ? order.reverse() : order) {
        const target = targets[key];
        if (target) round[key] = await timeShare(target);
      }
    } catch (err) {
      // A share that times out on an overloaded machine drops its whole round, so the pairs stay pairs.
      dropped.push(whyDropped(err));
      ctx.progress(`webrtc: round ${i + 1} dropped: ${dropped.at(-1)}`);
      continue;
    }
    if (i < 0) continue;
    for (const key of order) {
      const result = round[key];
      if (result) timed[key].push(result);
    }
  }
  if (timed.ours.length < Math.ceil(plan.shares / 2)) {
    throw new Error(
      `webrtc: only ${timed.ours.length} of ${plan.shares} share rounds completed: ${dropped.join("; ")}`,
    );
  }
  const glassWindowMs = plan.glassMs / plan.glassRounds;
  ctx.progress(
    `webrtc: glass to glass and the customer's CPU, ${plan.glassRounds} rounds of ${glassWindowMs / 1000} s on each`,
  );
  type Glass = Awaited<ReturnType<typeof timeGlass>>;
  const glassRounds: { ours: Glass; floor: Glass }[] = [];
  for (let round = 0; round < plan.glassRounds; round++) {
    const pair: Partial<Record<"ours" | "floor", Glass>> = {};
    try {
      for (const key of round % 2 ? (["floor", "ours"] as const) : (["ours", "floor"] as const)) {
        pair[key] = await timeGlass(targets[key], glassWindowMs, customers.pid);
      }
    } catch (err) {
      dropped.push(whyDropped(err));
      ctx.progress(`webrtc: glass round ${round + 1} dropped: ${dropped.at(-1)}`);
      continue;
    }
    if (pair.ours && pair.floor) glassRounds.push({ ours: pair.ours, floor: pair.floor });
  }
  if (glassRounds.length === 0) throw new Error(`webrtc: no glass-to-glass round completed: ${dropped.join("; ")}`);
  const droppedNote = dropped.length ? `; ${dropped.length} round(s) dropped after a timeout (${dropped[0]})` : "";
  try {
    await measureTogether(ctx, targets.ours, targets.floor);
  } catch (err) {
    // The other figures stand; these two say why they are missing.
    const why = `not measured: ${String(err).split("\n")[0]}`;
    metrics.input_rtt_ms = { value: null, unit: "ms", note: why };
    metrics.file_mb_per_s = { value: null, unit: "MB/s", note: why };
  }
  for (const target of Object.values(targets)) await target?.close();

  const samples = (key: keyof typeof targets) => timed[key].map((t) => t.ms);
  const floorP = percentiles(samples("floor"));
  const phases = (key: keyof typeof targets) =>
    PHASES.map(([mark, page]) => `${mark} ${ms(phase(timed[key], mark, page))}`).join(", ");
  const browserNote = `${chromiumVersion(browser)}, fake screen (--use-fake-device-for-media-stream), loopback; customers in a second Chromium`;

  const connect = distribution(
    samples("ours"),
    "ms",
    `Allow (getDisplayMedia resolved on the customer's page) → first decoded frame in the technician's viewer (requestVideoFrameCallback presentationTime), wall clock, ${timed.ours.length} fresh sessions after one warm-up; technician signed in beforehand with a cookie, customer in a new browser context each time; through wrangler dev (X_LOCAL_OBSERVABILITY=false); ${browserNote}; median ms since Allow: ${phases("ours")}; reference: the floor (bench/floor/: bare pages, a ws relay, iceServers []), same count interleaved share by share (ABBA), p50 ${ms(floorP.p50)} / p95 ${ms(floorP.p95)} ms, ${phases("floor")}; ratio interval: paired bootstrap over the shares${droppedNote}`,
  );
  const connectRatio = pairedRatioInterval(samples("ours"), samples("floor"));
  const connectValue = medianInterval(samples("ours"));
  metrics.connect_ms = {
    ...connect,
    value_ci: [connectValue.low, connectValue.high],
    reference: floorP.p50,
    ...ratioFields(connectRatio),
  };

  const direct = connect.p50 ?? Number.NaN;
  if (coturn) {
    const relayed = distribution(
      samples("relay"),
      "ms",
      `connect_ms through a real coturn (${coturn.urls.udp}, TURN REST credentials from GET /api/sessions/CODE/ice) with ICE_POLICY=relay, its own wrangler dev, interleaved with connect_ms; median ms since Allow: ${phases("relay")}`,
    );
    const relayedValue = medianInterval(samples("relay"));
    metrics.connect_relay_ms = { ...relayed, value_ci: [relayedValue.low, relayedValue.high] };
    profile.connect_relay_extra_ms = {
      value: (relayed.p50 ?? 0) - direct,
      unit: "ms",
      note: "connect_relay_ms − connect_ms at p50: what the relay adds (TURN allocation, permission, relayed checks)",
    };
  } else {
    metrics.connect_relay_ms = { value: null, unit: "ms", note: noRelay ?? "" };
  }
  for (const [mark, page, what] of PHASES) {
    profile[`connect_at_${mark}_ms`] = {
      value: phase(timed.ours, mark, page),
      unit: "ms",
      reference: phase(timed.floor, mark, page),
      note: `median time since Allow until ${what}; reference = the floor${coturn ? `; relay ${ms(phase(timed.relay, mark, page))} ms` : ""}`,
    };
  }

  const pakes = (key: keyof typeof targets) => timed[key].flatMap((t) => pakeOf(t) ?? []);
  const pake = pakes("ours");
  if (pake.length === 0) throw new Error("webrtc: no share recorded the handshake's performance marks");
  const pakeSinceAllow = median(pake.map((p) => p.sinceAllowMs));
  const pakeValue = medianInterval(pake.map((p) => p.ms));
  const pakeRelay = pakes("relay");
  metrics.pake_ms = {
    ...distribution(
      pake.map((p) => p.ms),
      "ms",
      `the handshake of the connect_ms shares: the console's pakeStart (the run that confirmed) → both pages confirmed (performance marks tether:handshake-start and tether:handshake-confirmed, client/web/src/lib/handshake-marks.ts, read by page-scripts/marks.js), wall clock, ${pake.length} shares; CPace over ristretto255 in both pages plus four frames through the room (wrangler dev), the customer's page in the second Chromium${pakeRelay.length ? `; relay-only server: median ${ms(median(pakeRelay.map((p) => p.ms)))} ms` : ""}`,
    ),
    value_ci: [pakeValue.low, pakeValue.high],
  };
  metrics.connect_ms.note += `; the handshake (pake_ms) confirmed ${ms(Math.abs(pakeSinceAllow))} ms ${pakeSinceAllow < 0 ? "before" : "after"} Allow at the median (pake_done_since_allow_ms)`;
  profile.pake_done_since_allow_ms = {
    value: pakeSinceAllow,
    unit: "ms",
    runs: pake.map((p) => p.sinceAllowMs),
    note: "median time from Allow to both pages' confirmation of the handshake: negative when it had confirmed before the customer clicked Allow (the page opens, the handshake runs while the person reads the consent screen), so that none of it falls inside connect_ms; positive when connect_ms waited for it",
  };

  const glassOf = (key: "ours" | "floor") => {
    const rounds = glassRounds.map((r) => r[key]);
    const latencies = rounds.flatMap((r) => r.latencies);
    return {
      rounds,
      latencies,
      fps: rounds.map((r) => r.fps),
      cpu: rounds.map((r) => r.customerCpuPct),
      rejected: rounds.reduce((sum, r) => sum + r.rejected, 0),
      painted: median(rounds.map((r) => r.paintedFps)),
      size: rounds[0]?.size ?? "?",
    };
  };
  const glass = glassOf("ours");
  const glassFloor = glassOf("floor");
  const glassFloorP = percentiles(glassFloor.latencies);
  const fixed1 = (values: number[]) => values.map((v) => v.toFixed(1)).join(", ");
  const glassMetric = distribution(
    glass.latencies,
    "ms",
    `customer's getDisplayMedia replaced by a ${glass.size} canvas (captureStream(30)) that paints the wall-clock ms as 40 black/white blocks each animation frame; the viewer decodes them from every frame it presents (requestVideoFrameCallback, drawn into a canvas) and takes expectedDisplayTime − painted; ${glass.latencies.length} frames over ${plan.glassRounds} shares of ${glassWindowMs / 1000} s (each after 1 s warm-up), alternating with the floor's (ABBA), ${fixed1(glass.fps)} fps received per share (${glass.painted.toFixed(0)} painted/s on the customer's page, ${glass.rejected} frames unreadable), VP9 as Tether sends it; reference: the floor (its browser's default codec), p50 ${ms(glassFloorP.p50)} / p95 ${ms(glassFloorP.p95)} ms at ${fixed1(glassFloor.fps)} fps; value interval: bootstrap of the frames' median; ratio interval: paired over the shares' medians`,
  );
  const glassValue = medianInterval(glass.latencies);
  const perRound = (g: typeof glass) => g.rounds.map((r) => median(r.latencies));
  const glassRatio = pairedRatioInterval(perRound(glass), perRound(glassFloor));
  metrics.glass_to_glass_ms = {
    ...glassMetric,
    value_ci: [glassValue.low, glassValue.high],
    reference: glassFloorP.p50,
    ...ratioFields(glassRatio),
  };
  profile.glass_fps = {
    value: median(glass.fps),
    unit: "fps",
    reference: median(glassFloor.fps),
    runs: glass.fps,
    note: "frames decoded per second by the viewer during glass_to_glass_ms, median of the shares (runs = each share); reference = the floor",
  };

  const cpuRatio = pairedRatioInterval(glass.cpu, glassFloor.cpu);
  const cpuValue = medianInterval(glass.cpu);
  metrics.customer_cpu_pct = {
    value: median(glass.cpu),
    unit: "% of a core",
    value_ci: [cpuValue.low, cpuValue.high],
    runs: glass.cpu,
    reference: median(glassFloor.cpu),
    ...ratioFields(cpuRatio),
    note: `CPU time (utime + stime from /proc/PID/stat) of the customer's whole Chromium (browser, zygote, renderer, GPU and utility processes: the process tree of a Chromium that runs only the customer's page) over each glass_to_glass_ms window of ${glassWindowMs / 1000} s while sharing the same ${glass.size} timestamp canvas at 30 fps, as % of one core; runs = each share; reference: the floor's customer page in the same browser, shares alternated with ours (runs ${fixed1(glassFloor.cpu)}); ratio interval: paired bootstrap over the shares; 10 ms tick resolution`,
  };

  return [
    {
      title: "Connect: Allow → first decoded frame in the viewer, loopback",
      unit: "ms",
      series: [
        { label: "Tether, direct (wrangler dev)", samples: samples("ours"), color: "#d9480f" },
        ...(coturn
          ? [
              {
                label: "Tether, relay-only through coturn",
                samples: samples("relay"),
                color: "#d9480f",
                isDashed: true,
              },
            ]
          : []),
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
