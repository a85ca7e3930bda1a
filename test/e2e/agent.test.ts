import type { Locator } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RtcpPayloadSpecificFeedback } from "werift";
import { BUTTON_COLOURS } from "../../client/agent/indicator/dialog.ts";
import { XTestInput } from "../../client/agent/input/xtest.ts";
import { weriftCertificate, weriftRtc } from "../../client/agent/werift-rtc.ts";
import { derFingerprint, isSdpFingerprint } from "../../client/core/fingerprint.ts";
import { isGroupAlive } from "../../worker/cli/process-group.ts";
import {
  type Agent,
  agentSaid,
  builtinAllowViewAt,
  confirmAgentCode,
  contactsOf,
  exitOf,
  LOOPBACK,
  startAgent,
} from "../helpers/node/agent-process.ts";
import { startVirtualScreen, type VirtualScreen } from "../helpers/node/firefox.ts";
import { createSession, framesArrive, textOf, videoFigures } from "../helpers/node/people.ts";
import { useStage } from "../helpers/node/stage.ts";
import { clickAt, KEYCODE, MASK, XReader } from "../helpers/node/x-reader.ts";

// The native agent end to end: the program (`npm run agent -- LINK`) on werift shares an Xvfb screen through ffmpeg
// with a technician's viewer in Chromium, after the person answered its questions in the terminal and in its built-in
// dialog on the screen; once they also allow control, the viewer's clicks and keys reach the X server (read back over
// an X connection of the test's own), until they take it back; Ctrl+C ends the session. On a screen laid out as two
// monitors, the viewer picks which one it sees and controls. The agent reaches nothing but this machine: its ICE
// servers are the session's, from /ice.

const stage = useStage("Agnes Agent");
const WAIT = { timeout: 120_000, interval: 100 };

/** A FIR's payload (RFC 5104): sender SSRC 1, media source 0, one entry asking `ssrc` (sequence number 1). */
function firPayload(ssrc: number): Buffer {
  const payload = Buffer.alloc(16);
  payload.writeUInt32BE(1, 0);
  payload.writeUInt32BE(ssrc, 8);
  payload[12] = 1;
  return payload;
}

/**
 * Moves the technician's pointer to the point `at` (fractions of its width and height) of the picture in `video`
 * (letterboxed in its box, `size` pixels), again until the X server's pointer is at `expected` give or take 2 pixels:
 * a move on the pointer channel may be dropped.
 */
async function pointAt(
  video: Locator,
  size: { width: number; height: number },
  at: { x: number; y: number },
  x: XReader,
  expected: { x: number; y: number },
): Promise<void> {
  const box = await video.boundingBox();
  if (!box) throw new Error("the picture has no box");
  const scale = Math.min(box.width / size.width, box.height / size.height);
  const target = {
    x: box.x + (box.width - size.width * scale) / 2 + size.width * scale * at.x,
    y: box.y + (box.height - size.height * scale) / 2 + size.height * scale * at.y,
  };
  const mouse = video.page().mouse;
  await expect
    .poll(async () => {
      await mouse.move(target.x + 1, target.y);
      await mouse.move(target.x, target.y);
      const pointer = await x.pointer();
      return Math.abs(pointer.x - expected.x) <= 2 && Math.abs(pointer.y - expected.y) <= 2;
    }, WAIT)
    .toBe(true);
}

describe("the native agent", () => {
  let screen: VirtualScreen;
  const agents: Agent[] = [];

  beforeAll(async () => {
    screen = await startVirtualScreen();
  });

  /**
   * The technician views a new session and the agent joins it on `display`; the person checks the four words against
   * the viewer's (and the technician confirms them), until the agent asks whether to allow viewing.
   */
  async function agentAsksToView(display: string) {
    const tech = stage.technician.page;
    const link = await createSession(tech);
    await tech.getByRole("link", { name: "View this session" }).click();
    await tech.getByRole("heading", { name: /^Session \d{3} \d{3} \d{3}$/ }).waitFor();
    // The built-in dialog, whose buttons are where dialogLayout puts them (agent-dialog.test.ts has the toolkit's).
    const agent = startAgent(link, display, { env: { TETHER_AGENT_DIALOG: "builtin" } });
    agents.push(agent);
    const said = (text: string) => agentSaid(agent, text);
    await confirmAgentCode(tech, agent);
    return { agent, said };
  }

  afterAll(() => {
    for (const agent of agents) if (agent.process.exitCode === null) process.kill(-(agent.process.pid ?? 0), "SIGKILL");
    screen?.stop();
  });

  it("makes connections with only the ICE servers given, presenting the certificate whose fingerprint it proves", async () => {
    const { certificate, fingerprint } = await weriftCertificate();
    const connection = weriftRtc().createPeerConnection({ iceServers: [], certificates: [certificate] });
    try {
      // werift's own default (a public STUN server) is not there.
      expect(connection.pc.getConfiguration().iceServers).toEqual([]);
      connection.createDataChannel("control", { negotiated: true, id: 0, ordered: true });
      const offer = await connection.createOffer({ iceRestart: false });
      expect(isSdpFingerprint(offer.sdp ?? "", fingerprint)).toBe(true);
    } finally {
      connection.close();
    }
    // Without the certificate there is no connection (werift would make its own).
    expect(() => weriftRtc().createPeerConnection({ iceServers: [] })).toThrow();
  });

  it("connects to another peer: negotiated channels, each end sees the other's certificate, PLI and FIR reach the capture", async () => {
    const [agentCertificate, peerCertificate] = await Promise.all([weriftCertificate(), weriftCertificate()]);
    const rtc = weriftRtc({ extraHostAddresses: ["127.0.0.1"] });
    const agent = rtc.createPeerConnection({ iceServers: [], certificates: [agentCertificate.certificate] });
    const peer = rtc.createPeerConnection({ iceServers: [], certificates: [peerCertificate.certificate] });
    try {
      let keyframeRequests = 0;
      const codec = { mimeType: "video/VP8", clockRate: 90_000, payloadType: 96 } as const;
      rtc.addVideo(agent, codec, () => keyframeRequests++);
      const init = { negotiated: true, id: 3, ordered: true } as const;
      const agentChannel = agent.createDataChannel("file", init);
      const peerChannel = peer.createDataChannel("file", init);
      agentChannel.binaryType = "arraybuffer";
      const received: unknown[] = [];
      agentChannel.addEventListener("message", (event) => received.push(event.data));
      let isOpen = false;
      peerChannel.addEventListener("open", () => {
        isOpen = true;
      });

      // Offer and answer with their candidates in them.
      await agent.setLocalDescription(await agent.createOffer({ iceRestart: false }));
      await peer.setRemoteDescription({ type: "offer", sdp: agent.localDescription?.sdp ?? "" });
      await peer.setLocalDescription(await peer.createAnswer());
      await agent.setRemoteDescription({ type: "answer", sdp: peer.localDescription?.sdp ?? "" });
      await expect.poll(() => agent.connectionState, WAIT).toBe("connected");

      // Each end's DTLS shows the certificate whose fingerprint the other was told.
      const remote = (pc: typeof agent) => pc.sctp?.transport.getRemoteCertificates?.()[0] ?? new ArrayBuffer(0);
      expect(derFingerprint(new Uint8Array(remote(agent)))).toEqual(peerCertificate.fingerprint);
      expect(derFingerprint(new Uint8Array(remote(peer)))).toEqual(agentCertificate.fingerprint);

      // The negotiated channel carries bytes, as an ArrayBuffer where asked.
      await expect.poll(() => isOpen, WAIT).toBe(true);
      peerChannel.send(new Uint8Array([1, 2, 3]));
      await expect.poll(() => received.length, WAIT).toBe(1);
      expect(new Uint8Array(received[0] as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));

      // The receiver's picture loss indication reaches the capture's keyframe hook.
      const sender = agent.pc.getTransceivers().find((t) => t.kind === "video")?.sender;
      const receiver = peer.pc.getTransceivers().find((t) => t.kind === "video")?.receiver;
      await receiver?.sendRtcpPLI(sender?.ssrc ?? 0);
      await expect.poll(() => keyframeRequests, WAIT).toBe(1);
      // And so does a full intra request, whose header names no media source (RFC 5104).
      const ssrc = sender?.ssrc ?? 0;
      const fir = { count: 4, length: 3, serialize: () => firPayload(ssrc) };
      await peer.pc.dtlsTransports[0]?.sendRtcp([new RtcpPayloadSpecificFeedback({ feedback: fir as never })]);
      await expect.poll(() => keyframeRequests, WAIT).toBe(2);
    } finally {
      agent.close();
      peer.close();
    }
  });

  it("shares the X screen with the viewer after the person's answers, reaching nothing but this machine", async () => {
    const tech = stage.technician.page;
    const { agent, said } = await agentAsksToView(screen.display);
    // This one the person answers on the screen: the dialog in its middle asks it too, and its Allow allows.
    const allowAt = builtinAllowViewAt(agent);
    const reader = await XReader.open(screen.display);
    const person = await XTestInput.open(screen.display);
    try {
      await expect.poll(() => reader.pixel(allowAt.x, allowAt.y), WAIT).toBe(BUTTON_COLOURS.yes);
      await person.perform(clickAt(allowAt));
    } finally {
      person.close();
      reader.close();
    }

    // The viewer decodes the screen: Xvfb's 1280×720.
    const video = tech.getByLabel("Customer's screen");
    await framesArrive(video);
    expect(await videoFigures(video)).toMatchObject({ width: 1280, height: 720 });
    await said("Your technician can see your screen now.");

    // Control is a consent of its own: the viewer offers it only once the person gave it.
    const controlButton = tech.getByRole("button", { name: "Control", exact: true });
    expect(await controlButton.isHidden()).toBe(true);
    await said("Also let them use your mouse and keyboard?");
    agent.process.stdin.write("y\n");
    await said("Your technician can now use your mouse and keyboard.");
    await controlButton.click();
    expect(await controlButton.getAttribute("aria-pressed")).toBe("true");
    const x = await XReader.open(screen.display);
    try {
      // A click at a point of the picture lands on that point of the X screen.
      await pointAt(video, { width: 1280, height: 720 }, { x: 0.25, y: 0.75 }, x, { x: 320, y: 540 });
      await tech.mouse.down();
      await expect.poll(() => x.pointer(), WAIT).toMatchObject({ mask: MASK.BUTTON1 });
      const at = await x.pointer();
      expect(Math.abs(at.x - 320)).toBeLessThanOrEqual(2);
      expect(Math.abs(at.y - 540)).toBeLessThanOrEqual(2);
      await tech.mouse.up();
      await expect.poll(async () => (await x.pointer()).mask, WAIT).toBe(0);

      // Keys go by their physical code, with a modifier held as it is held here.
      await tech.keyboard.down("Shift");
      await tech.keyboard.down("a");
      await expect.poll(() => x.keysDown(), WAIT).toEqual([KEYCODE.A, KEYCODE.SHIFT_LEFT]);
      expect((await x.pointer()).mask & MASK.SHIFT).toBe(MASK.SHIFT);
      await tech.keyboard.up("a");
      await tech.keyboard.up("Shift");
      await expect.poll(() => x.keysDown(), WAIT).toEqual([]);

      // A key still down when the picture loses the focus comes up there too.
      await tech.keyboard.down("Control");
      await expect.poll(() => x.keysDown(), WAIT).toEqual([KEYCODE.CONTROL_LEFT]);
      await tech.getByLabel("Your message").focus();
      await expect.poll(() => x.keysDown(), WAIT).toEqual([]);
      await tech.keyboard.up("Control");

      // The person takes control back with Ctrl+Alt+End on their own keyboard (XTEST stands in for it here): the
      // viewer stops offering control, and nothing it sends reaches the screen.
      const keyboard = await XTestInput.open(screen.display);
      const press = (code: string, linuxCode: number, isDown: boolean) =>
        ({ kind: "key", code, linuxCode, isDown }) as const;
      await keyboard.perform([
        press("ControlLeft", 29, true),
        press("AltLeft", 56, true),
        press("End", 107, true),
        press("End", 107, false),
        press("AltLeft", 56, false),
        press("ControlLeft", 29, false),
      ]);
      keyboard.close();
      await said("Your technician can no longer use your mouse and keyboard");
      await expect.poll(() => controlButton.isHidden(), WAIT).toBe(true);
      await tech.keyboard.press("b");
      expect(await x.keysDown()).toEqual([]);
    } finally {
      x.close();
    }

    // Ctrl+C ends the session for both: the viewer hears it, and the program exits as sessions end.
    process.kill(-(agent.process.pid ?? 0), "SIGINT");
    expect(await exitOf(agent)).toBe(0);
    expect(agent.output()).toContain("You ended the session.");
    // Nothing of the agent's process group is left: ffmpeg stopped as well.
    await expect.poll(() => isGroupAlive(agent.process.pid ?? 0), WAIT).toBe(false);
    await expect.poll(() => textOf(tech.locator("#overlay")), WAIT).toMatch(/ended/i);

    const contacts = contactsOf(agent);
    expect(contacts.length).toBeGreaterThan(0);
    expect(contacts.filter((host) => !LOOPBACK.has(host))).toEqual([]);
  });

  it("shows the first of two screens, and moves the picture and the technician's pointer to the other they pick", async () => {
    // One virtual screen laid out as two monitors of different sizes, side by side.
    const wide = await startVirtualScreen("1280x480");
    const left = { x: 0, y: 0, width: 800, height: 480 };
    const right = { x: 800, y: 0, width: 480, height: 360 };
    const x = await XReader.open(wide.display);
    try {
      await x.setMonitors([left, right]);
      const tech = stage.technician.page;
      const { agent, said } = await agentAsksToView(wide.display);
      agent.process.stdin.write("y\n");

      // The viewer sees the first screen, and is offered both.
      const video = tech.getByLabel("Customer's screen");
      await framesArrive(video);
      expect(await videoFigures(video)).toMatchObject({ width: 800, height: 480 });
      const screens = tech.getByRole("group", { name: "Their screens" });
      const first = screens.getByRole("button", { name: "Screen 1 (800×480)" });
      const second = screens.getByRole("button", { name: "Screen 2 (480×360)" });
      expect(await first.getAttribute("aria-pressed")).toBe("true");
      expect(await second.getAttribute("aria-pressed")).toBe("false");

      await said("Also let them use your mouse and keyboard?");
      agent.process.stdin.write("y\n");
      await said("Your technician can now use your mouse and keyboard.");

      // The technician picks the second: its picture comes, and their pointer lands on it.
      await second.click();
      await expect.poll(async () => (await videoFigures(video)).width, WAIT).toBe(480);
      expect(await videoFigures(video)).toMatchObject({ width: 480, height: 360 });
      await expect.poll(() => second.getAttribute("aria-pressed"), WAIT).toBe("true");
      expect(await first.getAttribute("aria-pressed")).toBe("false");
      const controlButton = tech.getByRole("button", { name: "Control", exact: true });
      await controlButton.click();
      // The middle of the second screen's top half: x 800 + 240, y 90.
      await pointAt(video, { width: 480, height: 360 }, { x: 0.5, y: 0.25 }, x, { x: 1040, y: 90 });

      process.kill(-(agent.process.pid ?? 0), "SIGINT");
      expect(await exitOf(agent)).toBe(0);
    } finally {
      x.close();
      wide.stop();
    }
  });
});
