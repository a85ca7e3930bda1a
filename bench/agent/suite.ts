/// <reference path="../../client/agent/input/x11.d.ts" />
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import path from "node:path";
import type { Page } from "playwright-core";
import { connect } from "../../client/agent/input/xtest.ts";
import { toBase64url } from "../../client/core/base64url.ts";
import { newLinkSecret, seatKeyHash, seatKeyOf } from "../../client/core/link-secret.ts";
import { launchBrowser } from "../../test/helpers/node/browser.ts";
import { startVirtualScreen } from "../../test/helpers/node/firefox.ts";
import { keepPeerConnections } from "../../test/helpers/node/rtc-stats.ts";
import { createSession } from "../clients.ts";
import { prerequisitesOf } from "../prerequisites.ts";
import { cpuMsBetween, cpuMsEach, processTree } from "../procfs.ts";
import { type Metric, sampled } from "../report.ts";
import { startTether } from "../servers.ts";
import type { SuiteContext } from "../signaling-suite.ts";
import { median } from "../stats.ts";
import { GLASS_PROBE_SCRIPT } from "../webrtc-pages.ts";

// agent_glass_to_glass_ms, agent_input_ms and agent_cpu_pct: the native agent's program (client/agent/main.ts, on
// werift and ffmpeg) shares a 1920×1080 Xvfb screen with a technician's viewer in Chromium through Tether (wrangler
// dev), after the same answers a person gives in its terminal. A painter of its own (painter.ts) paints the wall-clock
// time on the X screen, which glass-probe.js reads back in the viewer from each decoded frame; the agent's CPU (its
// Node and its ffmpeg) is read over the same window. Then, with control allowed, each pointer move of the viewer is
// timed from the page's pointermove to the X server's MotionNotify on the root window, seen on an X connection of
// the bench's own.

const SIZE = { width: 1920, height: 1080 };
const STEP_TIMEOUT_MS = 60_000;
const PAINTER = path.join(import.meta.dirname, "painter.ts");
export const AGENT_FIGURES = ["agent_glass_to_glass_ms", "agent_input_ms", "agent_cpu_pct"] as const;

type Agent = { child: ChildProcessWithoutNullStreams; output: () => string; stop(): Promise<void> };

/** Starts `node client/agent/main.ts LINK` in `cwd` on `display`, in English, in a process group of its own. */
function startAgent(cwd: string, link: string, display: string): Agent {
  const child = spawn(
    process.execPath,
    ["--disable-warning=ExperimentalWarning", "client/agent/main.ts", "--allow-loopback", link],
    { cwd, env: { ...process.env, DISPLAY: display, LANG: "en_GB.UTF-8", LC_ALL: "" }, detached: true },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-(child.pid ?? 0), "SIGINT");
      const timer = setTimeout(() => process.kill(-(child.pid ?? 0), "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits until `isDone`, checking every 20 ms; fails naming `what` after STEP_TIMEOUT_MS. */
async function until(what: string, isDone: () => boolean | Promise<boolean>, detail = () => ""): Promise<void> {
  const deadline = performance.now() + STEP_TIMEOUT_MS;
  while (!(await isDone())) {
    if (performance.now() > deadline) throw new Error(`agent: no ${what} within ${STEP_TIMEOUT_MS} ms\n${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

type Glass = { latencies: number[]; rejected: number; size: string };

function readGlass(viewer: Page): Promise<Glass> {
  return viewer.evaluate(() => {
    const glass = (globalThis as unknown as { __benchGlass: Glass }).__benchGlass;
    return { latencies: [...glass.latencies], rejected: glass.rejected, size: glass.size };
  });
}

/** The viewer's inbound video figures (RTCInboundRtpStreamStats) of its newest connection, as one line. */
async function inboundVideo(viewer: Page): Promise<string> {
  return viewer.evaluate(async () => {
    const connections = (globalThis as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections;
    const stats = await connections.at(-1)?.getStats();
    let line = "none";
    stats?.forEach((report: Record<string, number | string>) => {
      if (report.type !== "inbound-rtp" || report.kind !== "video") return;
      const delay = Number(report.jitterBufferDelay ?? 0) / Math.max(1, Number(report.jitterBufferEmittedCount ?? 0));
      line = [
        `frames received ${report.framesReceived}, decoded ${report.framesDecoded}, dropped ${report.framesDropped}`,
        `key frames ${report.keyFramesDecoded}, packets lost ${report.packetsLost}, NACKs ${report.nackCount}`,
        `PLIs ${report.pliCount}, FIRs ${report.firCount}, jitter buffer ${Math.round(delay * 1000)} ms a frame`,
        `decode ${Math.round((Number(report.totalDecodeTime ?? 0) / Math.max(1, Number(report.framesDecoded ?? 0))) * 1000)} ms a frame`,
      ].join(", ");
    });
    // Whether the viewer took the agent's zero playout delay (client/agent/werift-rtc.ts).
    const answer = connections.at(-1)?.localDescription?.sdp ?? "";
    const playoutDelay = answer.includes("rtp-hdrext/playout-delay") ? "negotiated" : "not negotiated";
    return `${line}, playout delay ${playoutDelay}`;
  });
}

/** The X server's pointer motions on the root window of `display`: where, and when they reached this process. */
async function watchMotion(display: string) {
  const { client, root } = await connect(display);
  client.on("error", () => undefined);
  const POINTER_MOTION = 0x40;
  (client as unknown as { ChangeWindowAttributes(w: number, v: { eventMask: number }): void }).ChangeWindowAttributes(
    root,
    { eventMask: POINTER_MOTION },
  );
  const motions: { x: number; y: number; at: number }[] = [];
  client.on("event", (event) => {
    const e = event as { name: string; rootx?: number; rooty?: number };
    if (e.name === "MotionNotify")
      motions.push({ x: e.rootx ?? -1, y: e.rooty ?? -1, at: performance.timeOrigin + performance.now() });
  });
  return { motions, close: () => client.terminate() };
}

/** Measures the three figures. */
export async function measureAgent(ctx: SuiteContext): Promise<void> {
  const { plan, snapshot, metrics } = ctx;
  const missing = prerequisitesOf(ctx).missing("chromium", "xvfb", "ffmpeg");
  if (missing) {
    for (const name of AGENT_FIGURES)
      metrics[name] = { value: null, unit: name.endsWith("pct") ? "%" : "ms", note: missing };
    return;
  }
  ctx.progress("agent: starting wrangler dev, Xvfb (1920×1080), the painter and Chromium");
  const [tether, screen, browser] = await Promise.all([
    startTether(snapshot, 1, { isObserved: false }),
    startVirtualScreen(`${SIZE.width}x${SIZE.height}`),
    launchBrowser(),
  ]);
  ctx.defer(tether.stop);
  ctx.defer(screen.stop);
  ctx.defer(() => browser.close());
  const painter = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", PAINTER, screen.display], {
    stdio: "ignore",
  });
  ctx.defer(() => {
    painter.kill("SIGTERM");
  });

  const technician = tether.technicians[0];
  if (!technician) throw new Error("agent: no technician");
  const secret = newLinkSecret();
  const seatKey = seatKeyOf(secret);
  if (!seatKey) throw new Error("agent: a fresh link secret gave no seat key");
  const { code } = await createSession(tether.origin, technician, {
    seatKey: toBase64url(seatKey),
    customerKeyHash: seatKeyHash(seatKey),
  });
  const context = await browser.newContext({ baseURL: tether.origin, viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const [cookieName = "", value = ""] = technician.cookie.split(/=(.*)/s);
  await context.addCookies([{ name: cookieName, value, url: tether.origin, httpOnly: true, sameSite: "Strict" }]);
  await keepPeerConnections(context);
  const viewer = await context.newPage();
  await viewer.addInitScript({ path: GLASS_PROBE_SCRIPT });
  await viewer.addInitScript(({ key, value: link }) => sessionStorage.setItem(key, link), {
    key: `tether.link.${code}`,
    value: secret,
  });
  await viewer.goto(`/console#view=${code}`);

  // The person's answers: the code (which the technician confirms too), viewing, control.
  const agent = startAgent(snapshot.dir, `${tether.origin}/j/${code}#${secret}`, screen.display);
  ctx.defer(agent.stop);
  const said = (text: string) => until(`"${text}"`, () => agent.output().includes(text), agent.output);
  await said("Does your technician read out exactly these four words?");
  agent.child.stdin.write("y\n");
  await viewer
    .getByRole("region", { name: "Check the verification code" })
    .getByRole("button", { name: "Matches" })
    .click();
  await said("Allow them to see your screen");
  agent.child.stdin.write("y\n");
  await until("decoded frame of the clock", async () => (await readGlass(viewer)).latencies.length > 0, agent.output);
  await said("Also let them use your mouse and keyboard?");
  agent.child.stdin.write("y\n");
  await said("Your technician can now use your mouse and keyboard.");

  // Glass to glass, and the agent's CPU over the same window.
  const windowMs = plan.glassMs / 2;
  ctx.progress(`agent: glass to glass and the agent's CPU over ${windowMs / 1000} s`);
  const tree = () => processTree(agent.child.pid ?? 0);
  const before = await readGlass(viewer);
  const cpuBefore = cpuMsEach(tree());
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const cpuAfter = cpuMsEach(tree());
  const elapsed = performance.now() - started;
  const after = await readGlass(viewer);
  const received = await inboundVideo(viewer);
  const latencies = after.latencies.slice(before.latencies.length);
  const cpuPct = (cpuMsBetween(cpuBefore, cpuAfter) / elapsed) * 100;
  const fps = latencies.length / (elapsed / 1000);

  // Pointer moves: the viewer's pointermove to the X server's motion at that point.
  const samples = plan.agentMoves;
  ctx.progress(`agent: ${samples} pointer moves, viewer → X server`);
  await viewer.getByRole("button", { name: "Control", exact: true }).click();
  const video = viewer.getByLabel("Customer's screen");
  const box = await video.boundingBox();
  if (!box) throw new Error("agent: the picture has no box");
  // Read where the page first hears them (the annotation layer above the picture takes them).
  // Each move's timeStamp (when the browser took the input), and when the page first ran code for it (its dispatch).
  await viewer.evaluate(() => {
    const moves: [number, number][] = [];
    (globalThis as unknown as { __benchMoves: [number, number][] }).__benchMoves = moves;
    const type = "onpointerrawupdate" in globalThis ? "pointerrawupdate" : "pointermove";
    addEventListener(
      type,
      (event) => moves.push([performance.timeOrigin + event.timeStamp, performance.timeOrigin + performance.now()]),
      { capture: true },
    );
  });
  const motion = await watchMotion(screen.display);
  const inputMs: number[] = [];
  /** Of each: from the input's timeStamp to the page's code running for it (the browser's own dispatch). */
  const dispatchMs: number[] = [];
  let lost = 0;
  try {
    const scale = Math.min(box.width / SIZE.width, box.height / SIZE.height);
    const left = box.x + (box.width - SIZE.width * scale) / 2;
    const top = box.y + (box.height - SIZE.height * scale) / 2;
    for (let i = 0; i < samples + 3; i++) {
      // A point of its own each time, away from the strip at the top; the first three warm up.
      const at = { x: 0.2 + 0.06 * (i % 10), y: 0.3 + 0.4 * (Math.floor(i / 10) % 2) };
      const expected = { x: Math.round(SIZE.width * at.x), y: Math.round(SIZE.height * at.y) };
      const seen = motion.motions.length;
      const moved = await viewer.evaluate(
        () => (globalThis as unknown as { __benchMoves: [number, number][] }).__benchMoves.length,
      );
      await viewer.mouse.move(left + SIZE.width * scale * at.x, top + SIZE.height * scale * at.y);
      const deadline = performance.now() + 2_000;
      let arrived: number | null = null;
      while (arrived === null && performance.now() < deadline) {
        const hit = motion.motions
          .slice(seen)
          .find((m) => Math.abs(m.x - expected.x) <= 3 && Math.abs(m.y - expected.y) <= 3);
        if (hit) arrived = hit.at;
        else await new Promise((resolve) => setTimeout(resolve, 1));
      }
      const sent = await viewer.evaluate(
        (from) =>
          (globalThis as unknown as { __benchMoves: [number, number][] }).__benchMoves.slice(from).at(-1) ?? null,
        moved,
      );
      if (i < 3) continue;
      if (arrived === null || sent === null) lost++;
      else {
        inputMs.push(arrived - sent[0]);
        dispatchMs.push(sent[1] - sent[0]);
      }
      // Moves further apart than the viewer's 60 a second, so that none waits for the last.
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  } finally {
    motion.close();
  }
  await agent.stop();

  metrics.agent_glass_to_glass_ms = sampled(
    latencies,
    "ms",
    `the wall-clock time painted on a ${SIZE.width}×${SIZE.height} Xvfb screen (8 × 5 blocks, every 4 ms, by a process of its own) → decoded in the viewer (requestVideoFrameCallback expectedDisplayTime), ${latencies.length} frames over ${(elapsed / 1000).toFixed(1)} s: ${fps.toFixed(1)} fps, ${after.rejected - before.rejected} frames unreadable, size ${after.size}; the viewer's inbound video over the whole share: ${received}; the agent's program (werift, ffmpeg x11grab → VP8 real-time, 30 fps, 2,500 kbit/s, at nice 10) on loopback through wrangler dev, Chromium viewer`,
  );
  metrics.agent_input_ms = sampled(
    inputMs.map((ms) => Math.round(ms * 10) / 10),
    "ms",
    `a pointer move in the viewer (the event's timeStamp, Control on) → the X server's MotionNotify at that point on the root window, seen by an X connection of the bench's own; ${inputMs.length} moves after 3 warm-up${lost ? `, ${lost} not seen within 2 s` : ""}; of which the browser's dispatch (timeStamp → the page's first code for it) p50 ${dispatchMs.length ? median(dispatchMs).toFixed(1) : "—"} ms; the pointer channel (unordered, no retransmits) of the agent's connection, XTEST`,
  );
  metrics.agent_cpu_pct = {
    value: Math.round(cpuPct * 10) / 10,
    unit: "% of a core",
    note: `the agent's process tree (its Node with werift, and ffmpeg) while streaming the ${SIZE.width}×${SIZE.height} screen with the clock changing every 4 ms, over the glass window (/proc stat, user + system)`,
  } satisfies Metric;
}
