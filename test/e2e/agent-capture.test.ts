import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandLine } from "../../bench/procfs.ts";
import type { CaptureEnd } from "../../client/agent/capture/capture.ts";
import { isVp8KeyframeStart, rtpPayloadOffset, vp8HeaderOffset } from "../../client/agent/capture/vp8.ts";
import {
  FFMPEG_NICENESS,
  MIN_RESTART_INTERVAL_MS,
  VP8_PAYLOAD_TYPE,
  X11Capture,
} from "../../client/agent/capture/x11.ts";
import { isGroupAlive } from "../../worker/cli/process-group.ts";
import { startVirtualScreen, type VirtualScreen } from "../helpers/node/firefox.ts";

// The agent's X11 capture on a virtual screen: Debian's ffmpeg grabs Xvfb and sends VP8 over RTP to the agent on
// loopback; a keyframe request restarts it, and its first frame is a keyframe again (requests that frame answers
// restart nothing, however slow ffmpeg is to start); a switch to another part of the
// screen restarts it there, once for a burst, as one RTP stream. ffmpeg ends with the agent, however the agent ends.

const WAIT = { timeout: 60_000, interval: 50 };

/** The niceness of each ffmpeg that grabs `display` (the 19th field of /proc/PID/stat). */
function ffmpegNiceness(display: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const args = commandLine(Number(pid)).split("\0");
      if (!args[0]?.endsWith("ffmpeg") || !args.includes(display)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      found.push(Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** ffmpeg through a wrapper that counts its starts and waits `delayS` before each. */
function countedFfmpeg(delayS = 0): { program: string; starts: () => number; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "tether-ffmpeg-"));
  const starts = join(dir, "starts");
  const program = join(dir, "ffmpeg");
  writeFileSync(program, `#!/bin/sh\necho start >> '${starts}'\nsleep ${delayS}\nexec ffmpeg "$@"\n`, { mode: 0o755 });
  return {
    program,
    starts: () => (existsSync(starts) ? readFileSync(starts, "utf8").trim().split("\n").length : 0),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe("the agent's X11 capture", () => {
  let screen: VirtualScreen;

  beforeAll(async () => {
    screen = await startVirtualScreen();
  });

  afterAll(() => {
    screen?.stop();
  });

  it("sends VP8 RTP packets of the display, and a new keyframe when one is asked for", async () => {
    const capture = new X11Capture({ display: screen.display, frameRate: 15 });
    const packets: Uint8Array[] = [];
    const ends: CaptureEnd[] = [];
    await capture.start(
      (packet) => packets.push(packet),
      (end) => ends.push(end),
    );
    const keyframes = () => packets.filter(isVp8KeyframeStart).length;
    await expect.poll(keyframes, WAIT).toBeGreaterThanOrEqual(1);
    const [first] = packets;
    expect(first && rtpPayloadOffset(first)).toBe(12);
    expect((first?.[1] ?? 0) & 0x7f).toBe(VP8_PAYLOAD_TYPE);

    // ffmpeg runs niced, so that the person's programs, the X server and the technician's input come first.
    expect(ffmpegNiceness(screen.display)).toEqual([FFMPEG_NICENESS]);

    // Frames keep coming after the first keyframe; a request brings another keyframe.
    const before = keyframes();
    await expect.poll(() => packets.length, WAIT).toBeGreaterThan(packets.length + 5);
    capture.requestKeyframe();
    await expect.poll(keyframes, WAIT).toBeGreaterThan(before);

    await capture.stop();
    // Stopped on purpose: not reported as an end of its own.
    expect(ends).toEqual([]);
  });

  it("moves to another part of the screen once for a burst of switches, going on as one RTP stream", async () => {
    const ffmpeg = countedFfmpeg();
    const startCount = ffmpeg.starts;
    const capture = new X11Capture({ display: screen.display, frameRate: 15, ffmpeg: ffmpeg.program });
    const packets: Uint8Array[] = [];
    try {
      await capture.start(
        (packet) => packets.push(packet),
        () => undefined,
      );
      /** The width and height a packet's keyframe says (RFC 6386 §9.1), or null for any other packet. */
      const sizeOf = (packet: Uint8Array) => {
        const at = vp8HeaderOffset(packet);
        if (at === null || ((packet[at] ?? 1) & 1) !== 0 || packet[at + 3] !== 0x9d) return null;
        const word = (i: number) => ((packet[at + i] ?? 0) | ((packet[at + i + 1] ?? 0) << 8)) & 0x3fff;
        return { width: word(6), height: word(8) };
      };
      const lastKeyframe = () => packets.findLastIndex((packet) => sizeOf(packet) !== null);
      await expect.poll(lastKeyframe, WAIT).toBeGreaterThanOrEqual(0);
      expect(sizeOf(packets[lastKeyframe()] ?? new Uint8Array())).toEqual({ width: 1280, height: 720 });

      // Ten switches at once between the two halves, the left one last: one restart, on the left half.
      const left = { x: 0, y: 0, width: 640, height: 720 };
      const right = { x: 640, y: 0, width: 640, height: 720 };
      for (let i = 0; i < 10; i++) void capture.showArea(i % 2 ? left : right);
      await expect.poll(() => sizeOf(packets[lastKeyframe()] ?? new Uint8Array())?.width, WAIT).toBe(640);
      expect(startCount()).toBe(2);
      // And none after it: frames keep coming from that one run.
      const seen = packets.length;
      await expect.poll(() => packets.length, WAIT).toBeGreaterThan(seen + 30);
      expect(startCount()).toBe(2);

      // The new run's first packet follows the old run's last, in sequence and in time.
      const first = packets.findIndex((packet) => sizeOf(packet)?.width === 640);
      const header = (packet: Uint8Array | undefined) => {
        const view = new DataView((packet ?? new Uint8Array(12)).buffer, packet?.byteOffset ?? 0);
        return { seq: view.getUint16(2), ts: view.getUint32(4) };
      };
      const [before, after] = [header(packets[first - 1]), header(packets[first])];
      expect(after.seq).toBe((before.seq + 1) & 0xffff);
      expect((after.ts - before.ts) >>> 0).toBeGreaterThan(0);
      expect((after.ts - before.ts) >>> 0).toBeLessThan(2 ** 31);
    } finally {
      await capture.stop();
      ffmpeg.remove();
    }
  });

  it("starts once for a viewer that re-asks for a keyframe every 200 ms while ffmpeg is slow to start", async () => {
    // Each start takes longer than MIN_RESTART_INTERVAL_MS before ffmpeg begins.
    const ffmpeg = countedFfmpeg((MIN_RESTART_INTERVAL_MS * 1.5) / 1000);
    const startCount = ffmpeg.starts;
    const capture = new X11Capture({ display: screen.display, frameRate: 15, ffmpeg: ffmpeg.program });
    const packets: Uint8Array[] = [];
    const keyframes = () => packets.filter(isVp8KeyframeStart).length;
    // As a viewer does while it has no picture: a request every 200 ms until the first keyframe comes.
    const asking = setInterval(() => {
      if (keyframes() === 0) capture.requestKeyframe();
    }, 200);
    try {
      await capture.start(
        (packet) => packets.push(packet),
        () => undefined,
      );
      await expect.poll(keyframes, WAIT).toBeGreaterThanOrEqual(1);
      clearInterval(asking);
      // Every request came before that run's first keyframe, which answered them all.
      expect(startCount()).toBe(1);
      const seen = packets.length;
      await expect.poll(() => packets.length, WAIT).toBeGreaterThan(seen + 15);
      expect(startCount()).toBe(1);
    } finally {
      clearInterval(asking);
      await capture.stop();
      ffmpeg.remove();
    }
  });

  it("reports ffmpeg's end, with its words, when the display cannot be grabbed", async () => {
    const capture = new X11Capture({ display: ":999" });
    const ends: CaptureEnd[] = [];
    await capture.start(
      () => undefined,
      (end) => ends.push(end),
    );
    await expect.poll(() => ends.length, WAIT).toBe(1);
    expect(ends[0]?.exitCode).not.toBe(0);
    expect(ends[0]?.detail).toMatch(/999/);
    await capture.stop();
  });

  it("stops ffmpeg when the agent is killed outright, with no chance to stop it", async () => {
    // A program that captures as the agent does and says when packets come, in a process group of its own.
    const module = pathToFileURL(resolve("client/agent/capture/x11.ts")).href;
    const program = [
      `import { X11Capture } from ${JSON.stringify(module)};`,
      `let isSending = false;`,
      `await new X11Capture({ display: ${JSON.stringify(screen.display)}, frameRate: 15 }).start(() => {`,
      `  if (!isSending) console.log("sending");`,
      `  isSending = true;`,
      `}, () => undefined);`,
    ].join("\n");
    const agent = spawn(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", "--input-type=module", "--eval", program],
      { detached: true, stdio: ["ignore", "pipe", "inherit"] },
    );
    const pid = agent.pid ?? 0;
    try {
      let output = "";
      agent.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      await expect.poll(() => output, WAIT).toContain("sending");
      const exited = once(agent, "exit");
      process.kill(pid, "SIGKILL");
      await exited;
      // The agent is gone; what is left of its group is ffmpeg, until the kernel's signal stops it.
      await expect.poll(() => isGroupAlive(pid), WAIT).toBe(false);
    } finally {
      if (isGroupAlive(pid)) process.kill(-pid, "SIGKILL");
    }
  });
});
