import { describe, expect, it } from "vitest";
import type { IceConfig } from "#protocol/ice.ts";
import type { SignalMessage } from "#protocol/room.ts";
import { AgentLink, type AgentRtc } from "../../../client/agent/AgentLink.ts";
import type { CallApi } from "../../../client/web/src/lib/api.ts";
import { FakeCapture, FakeConnection, fingerprint, sdpOf } from "../../helpers/fake-rtc.ts";

// The agent's connection to the owner, with the pages' PeerLink on a WebRTC runtime passed in: here a connection
// that records what is done to it, as werift's adapter will be driven on the agent.

const CODE = "123456789";
const OWNER = "tech-1";

const AGENT_FP = fingerprint("01");
const OWNER_FP = fingerprint("02");

const ICE: IceConfig = {
  iceServers: [{ urls: ["turn:relay.example:3478"], username: "u", credential: "c" }],
  iceTransportPolicy: "all",
  relay: "coturn",
  expiresAt: Date.now() + 3_600_000,
};

function harness() {
  const connections: FakeConnection[] = [];
  const sent: Uint8Array[][] = [];
  const keyframeRequests: (() => void)[] = [];
  const signals: SignalMessage[] = [];
  const states: unknown[] = [];
  const intercepted: number[] = [];
  const paths: string[] = [];
  let answerIce: (ice: IceConfig) => void = () => undefined;
  const iceAnswer = new Promise<IceConfig>((resolve) => {
    answerIce = resolve;
  });
  const api = (async (_method: string, path: string) => {
    paths.push(path);
    return { ok: true, data: await iceAnswer };
  }) as CallApi;
  const rtc: AgentRtc<FakeConnection> = {
    createPeerConnection: (config) => {
      const connection = new FakeConnection(config, AGENT_FP);
      connections.push(connection);
      return connection;
    },
    addVideo: (_pc, _codec, onKeyframeRequest) => {
      const packets: Uint8Array[] = [];
      sent.push(packets);
      keyframeRequests.push(onKeyframeRequest);
      return (packet) => packets.push(packet);
    },
  };
  const capture = new FakeCapture();
  const certificate = { expires: Date.now() + 86_400_000, getFingerprints: () => [AGENT_FP] } as RTCCertificate;
  const link = new AgentLink({
    code: CODE,
    seatKey: "A".repeat(43),
    api,
    certificate: Promise.resolve(certificate),
    rtc,
    capture,
    sendSignal: (msg) => {
      signals.push(msg);
      return true;
    },
    onState: (state) => states.push(state),
    onIntercepted: () => intercepted.push(1),
    onCaptureEnd: () => undefined,
    onIceError: () => undefined,
  });
  return {
    link,
    connections,
    sent,
    keyframeRequests,
    signals,
    states,
    intercepted,
    paths,
    capture,
    certificate,
    answerIce,
  };
}

describe("AgentLink", () => {
  it("waits for the session's ICE servers, then offers with them and the agent's certificate, sending the screen", async () => {
    const h = harness();
    h.link.sync(OWNER, OWNER_FP);
    await Promise.resolve();
    expect(h.connections).toEqual([]);
    expect(h.paths).toEqual([`/api/sessions/${CODE}/ice`]);
    h.answerIce(ICE);
    await expect
      .poll(() => h.signals.find((s) => s.type === "offer"))
      .toEqual({
        type: "offer",
        to: OWNER,
        link: expect.stringMatching(/^[\w-]{12}$/),
        sdp: sdpOf(AGENT_FP),
      });
    const [pc] = h.connections;
    expect(pc?.config.iceServers).toEqual(ICE.iceServers);
    expect(pc?.config.certificates).toEqual([h.certificate]);
    // The capture's packets go out on the video track; the viewer's PLI asks the capture for a keyframe.
    expect(h.capture.starts).toBe(1);
    h.capture.emit(new Uint8Array([1, 2, 3]));
    expect(h.sent[0]).toEqual([new Uint8Array([1, 2, 3])]);
    h.keyframeRequests[0]?.();
    expect(h.capture.keyframes).toBe(1);
    // The control channel says the picture is a live screen as soon as it opens.
    const control = pc?.channels.find((c) => c.label === "control");
    control?.open();
    expect(control?.sent.map((m) => JSON.parse(String(m)))).toContainEqual({
      type: "sharing",
      state: "live",
      surface: "monitor",
    });
  });

  it("takes the owner's authenticated answer and candidates for its connection, and no other connection's", async () => {
    const h = harness();
    h.answerIce(ICE);
    h.link.sync(OWNER, OWNER_FP);
    await expect.poll(() => h.connections[0]?.signalingState).toBe("have-local-offer");
    const link = h.signals.find((s) => s.type === "offer")?.link;
    // An answer still under way to an earlier connection (another link name, or none) is not taken for this one's:
    // had it been, its other certificate would have closed the link as intercepted.
    h.link.handleSignal({ type: "answer", from: OWNER, link: "earlier", sdp: sdpOf(fingerprint("77")) });
    h.link.handleSignal({ type: "answer", from: OWNER, sdp: sdpOf(fingerprint("77")) });
    h.link.handleSignal({ type: "answer", from: OWNER, link, sdp: sdpOf(OWNER_FP) });
    await expect.poll(() => h.connections[0]?.remoteDescription?.sdp).toBe(sdpOf(OWNER_FP));
    const candidate = { candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMid: "0", sdpMLineIndex: 0 };
    h.link.handleSignal({ type: "candidate", from: OWNER, link, candidate: { ...candidate, usernameFragment: null } });
    // From anyone else, or for another connection, nothing is taken.
    h.link.handleSignal({
      type: "candidate",
      from: "tech-2",
      link,
      candidate: { ...candidate, usernameFragment: null },
    });
    h.link.handleSignal({
      type: "candidate",
      from: OWNER,
      link: "earlier",
      candidate: { ...candidate, usernameFragment: null },
    });
    await expect.poll(() => h.connections[0]?.candidates.length).toBe(1);
    expect(h.intercepted).toEqual([]);
  });

  it("refuses an answer with another certificate: the link closes for good and says why", async () => {
    const h = harness();
    h.answerIce(ICE);
    h.link.sync(OWNER, OWNER_FP);
    await expect.poll(() => h.connections[0]?.signalingState).toBe("have-local-offer");
    const link = h.signals.find((s) => s.type === "offer")?.link;
    h.link.handleSignal({ type: "answer", from: OWNER, link, sdp: sdpOf(fingerprint("66")) });
    await expect.poll(() => h.intercepted).toEqual([1]);
    expect(h.connections[0]?.isClosed).toBe(true);
    expect(h.connections[0]?.remoteDescription).toBeNull();
  });

  it("replaces the connection for an owner with a new certificate, keeping the capture and asking for a keyframe", async () => {
    const h = harness();
    h.answerIce(ICE);
    h.link.sync(OWNER, OWNER_FP);
    await expect.poll(() => h.connections.length).toBe(1);
    h.link.sync(OWNER, fingerprint("03"));
    await expect.poll(() => h.connections.length).toBe(2);
    expect(h.connections[0]?.isClosed).toBe(true);
    expect(h.capture.starts).toBe(1);
    expect(h.capture.keyframes).toBe(1);
    // Packets go to the new connection's track only.
    h.capture.emit(new Uint8Array([9]));
    expect(h.sent[0]).toEqual([]);
    expect(h.sent[1]).toEqual([new Uint8Array([9])]);
  });

  it("stops the capture when the connection closes", async () => {
    const h = harness();
    h.answerIce(ICE);
    h.link.sync(OWNER, OWNER_FP);
    await expect.poll(() => h.capture.starts).toBe(1);
    h.link.stop();
    expect(h.capture.stops).toBe(1);
    expect(h.connections[0]?.isClosed).toBe(true);
    expect(h.states.at(-1)).toBeNull();
  });
});
