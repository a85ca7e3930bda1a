import type { CertificateFingerprint } from "#protocol/handshake.ts";
import type { IceCandidate } from "#protocol/room.ts";
import type { CaptureCodec, CaptureEnd, ScreenCapture } from "../../client/agent/capture/capture.ts";
import type { DataChannelInit, DataChannelLike } from "../../client/core/channels.ts";
import type { DescriptionInit, PeerConnectionLike, TransceiverLike } from "../../client/web/src/rtc/peer-connection.ts";

// A WebRTC runtime and a screen capture that record what is done to them, for the native agent's tests: the pages'
// PeerLink runs on FakeConnection as it runs on the browser's RTCPeerConnection or the agent's werift.

/** A SHA-256 fingerprint of 32 equal bytes. */
export const fingerprint = (hex: string): CertificateFingerprint => ({
  algorithm: "sha-256",
  value: Array(32).fill(hex).join(":"),
});

/** An SDP that carries `fp` as its certificate's fingerprint, and nothing else. */
export const sdpOf = (fp: CertificateFingerprint) => `v=0\r\na=fingerprint:${fp.algorithm} ${fp.value}\r\n`;

export class FakeChannel implements DataChannelLike {
  readyState = "connecting";
  binaryType = "arraybuffer";
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  readonly sent: unknown[] = [];
  readonly #listeners = new Map<string, ((event: never) => void)[]>();

  readonly label: string;

  constructor(label: string) {
    this.label = label;
  }

  send(data: string | Uint8Array<ArrayBuffer>): void {
    this.sent.push(data);
  }

  addEventListener(type: string, listener: (event: never) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  open(): void {
    this.readyState = "open";
    for (const listener of this.#listeners.get("open") ?? []) listener(undefined as never);
  }

  /** A message from the far end. */
  receive(data: string | ArrayBuffer): void {
    for (const listener of this.#listeners.get("message") ?? []) listener({ data } as never);
  }

  /** What was sent as text, parsed. */
  sentJson(): unknown[] {
    return this.sent.flatMap((data) => (typeof data === "string" ? [JSON.parse(data)] : []));
  }
}

/** A peer connection that records what is done to it. */
export class FakeConnection implements PeerConnectionLike {
  signalingState = "stable";
  iceGatheringState = "new";
  iceConnectionState = "new";
  connectionState = "new";
  localDescription: { sdp: string } | null = null;
  remoteDescription: { sdp: string } | null = null;
  readonly sctp = null;
  readonly channels: FakeChannel[] = [];
  readonly candidates: IceCandidate[] = [];
  readonly transceivers: TransceiverLike[] = [];
  isClosed = false;
  readonly #listeners = new Map<string, ((event: never) => void)[]>();

  readonly config: RTCConfiguration;
  /** The fingerprint this side's offers and answers carry. */
  readonly #fingerprint: CertificateFingerprint;

  constructor(config: RTCConfiguration, own: CertificateFingerprint) {
    this.config = config;
    this.#fingerprint = own;
  }

  createDataChannel(label: string, _init: DataChannelInit): DataChannelLike {
    const channel = new FakeChannel(label);
    this.channels.push(channel);
    return channel;
  }

  async createOffer(): Promise<DescriptionInit> {
    return { type: "offer", sdp: sdpOf(this.#fingerprint) };
  }

  async createAnswer(): Promise<DescriptionInit> {
    return { type: "answer", sdp: sdpOf(this.#fingerprint) };
  }

  async setLocalDescription(description: DescriptionInit): Promise<void> {
    this.localDescription = description.type === "rollback" ? null : { sdp: description.sdp ?? "" };
    this.signalingState = description.type === "offer" ? "have-local-offer" : "stable";
  }

  async setRemoteDescription(description: { type: "offer" | "answer"; sdp: string }): Promise<void> {
    this.remoteDescription = { sdp: description.sdp };
    this.signalingState = description.type === "offer" ? "have-remote-offer" : "stable";
  }

  async addIceCandidate(candidate: IceCandidate): Promise<void> {
    this.candidates.push(candidate);
  }

  addTransceiver(kind: "audio", init: { direction: "sendrecv" }): TransceiverLike {
    const transceiver = {
      direction: init.direction as string,
      sender: { replaceTrack: async () => undefined },
      receiver: { track: { kind } },
    };
    this.transceivers.push(transceiver);
    return transceiver;
  }

  getTransceivers(): TransceiverLike[] {
    return this.transceivers;
  }

  getReceivers(): { transport: null }[] {
    return [];
  }

  getConfiguration(): { iceTransportPolicy?: string } {
    return { iceTransportPolicy: this.config.iceTransportPolicy };
  }

  close(): void {
    this.isClosed = true;
    this.signalingState = "closed";
    this.connectionState = "closed";
    this.#emit("connectionstatechange");
  }

  addEventListener(type: string, listener: (event: never) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  #emit(type: string): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(undefined as never);
  }
}

/** A capture that hands out the packets the test gives it. */
export class FakeCapture implements ScreenCapture {
  readonly codec: CaptureCodec = { mimeType: "video/VP8", clockRate: 90_000, payloadType: 96 };
  starts = 0;
  stops = 0;
  keyframes = 0;
  emit: (packet: Uint8Array) => void = () => undefined;
  end: (end: CaptureEnd) => void = () => undefined;

  async start(onPacket: (packet: Uint8Array) => void, onEnd: (end: CaptureEnd) => void): Promise<void> {
    this.starts++;
    this.emit = onPacket;
    this.end = onEnd;
  }

  requestKeyframe(): void {
    this.keyframes++;
  }

  async stop(): Promise<void> {
    this.stops++;
  }
}
