import { spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CaptureEnd } from "../../client/agent/capture/capture.ts";
import { isVp8KeyframeStart, rtpPayloadOffset } from "../../client/agent/capture/vp8.ts";
import { VP8_PAYLOAD_TYPE, X11Capture } from "../../client/agent/capture/x11.ts";
import { isGroupAlive } from "../../worker/cli/process-group.ts";
import { startVirtualScreen, type VirtualScreen } from "../helpers/node/firefox.ts";

// The agent's X11 capture on a virtual screen: Debian's ffmpeg grabs Xvfb and sends VP8 over RTP to the agent on
// loopback; a keyframe request restarts it, and its first frame is a keyframe again. ffmpeg ends with the agent,
// however the agent ends.

const WAIT = { timeout: 60_000, interval: 50 };

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

    // Frames keep coming after the first keyframe; a request brings another keyframe.
    const before = keyframes();
    await expect.poll(() => packets.length, WAIT).toBeGreaterThan(packets.length + 5);
    capture.requestKeyframe();
    await expect.poll(keyframes, WAIT).toBeGreaterThan(before);

    await capture.stop();
    // Stopped on purpose: not reported as an end of its own.
    expect(ends).toEqual([]);
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
