import {
  CipherContext,
  HashAlgorithm,
  MediaStreamTrack,
  NamedCurveAlgorithm,
  PictureLossIndication,
  RTCCertificate,
  type RTCDataChannel,
  RTCPeerConnection,
  RTCRtpHeaderExtensionParameters,
  type RTCRtpTransceiver,
  RtcpPayloadSpecificFeedback,
  RtpPacket,
  SignatureAlgorithm,
  useNACK,
  useOPUS,
  usePLI,
  useVP8,
} from "werift";
import type { IceCandidate } from "#protocol/room.ts";
import type { DataChannelInit, DataChannelLike } from "../core/channels.ts";
import { certificateFingerprint } from "../core/fingerprint.ts";
import type {
  DescriptionInit,
  DtlsTransportLike,
  GatheredCandidate,
  PeerConnectionLike,
  TransceiverLike,
} from "../web/src/rtc/peer-connection.ts";
import type { AgentRtc } from "./AgentLink.ts";
import type { CaptureCodec } from "./capture/capture.ts";
import type { AgentCertificate } from "./run.ts";

// The agent's WebRTC runtime: werift (WebRTC in TypeScript, on Node) behind the subset of RTCPeerConnection that
// PeerLink uses. Three things differ from werift's defaults on purpose:
// - ICE servers: werift's default configuration names a public STUN server; every connection here is made with the
//   session's servers from its /ice endpoint, an empty list included, so that default is never used.
// - The DTLS certificate: made here before the handshake (ECDSA P-256, as werift's own), its SHA-256 fingerprint goes
//   into the handshake, and every connection presents that certificate (werift's `certificates` option).
// - Codecs: VP8 with NACK, PLI and FIR for the screen, Opus only so that the audio section PeerLink adds for voice
//   reads as in a page (the agent sends no sound).
// - The screen's packets carry the playout-delay header extension (WebRTC's, which Chromium reads) at zero: the
//   viewer shows each frame as soon as it is decoded, rather than holding it in a smoothing delay meant for film. A
//   remote screen is looked at while it is driven; a frame shown late is worse than an uneven one.

/** A werift connection with the page's events and shapes (see above). */
export class WeriftConnection implements PeerConnectionLike {
  readonly pc: RTCPeerConnection;

  constructor(config: RTCConfiguration, options: WeriftOptions = {}) {
    const [certificate] = (config.certificates ?? []) as unknown as RTCCertificate[];
    if (!(certificate instanceof RTCCertificate)) throw new Error("a connection needs the agent's certificate");
    this.pc = new RTCPeerConnection({
      iceServers: iceServersOf(config),
      iceTransportPolicy: config.iceTransportPolicy === "relay" ? "relay" : "all",
      certificates: [certificate],
      bundlePolicy: "max-bundle",
      codecs: { audio: [useOPUS()], video: [useVP8({ rtcpFeedback: [useNACK(), usePLI(), useFIR()] })] },
      headerExtensions: { video: [new RTCRtpHeaderExtensionParameters({ uri: PLAYOUT_DELAY_URI })] },
      iceAdditionalHostAddresses: options.extraHostAddresses,
    });
  }

  get signalingState(): string {
    return this.pc.signalingState;
  }
  get iceGatheringState(): string {
    return this.pc.iceGatheringState;
  }
  get iceConnectionState(): string {
    return this.pc.iceConnectionState;
  }
  get connectionState(): string {
    return this.pc.connectionState;
  }
  get localDescription(): { readonly sdp: string } | null {
    return this.pc.localDescription;
  }
  get remoteDescription(): { readonly sdp: string } | null {
    return this.pc.remoteDescription;
  }

  /** The DTLS transport of the bundle, which shows the far end's certificate (DER) once connected. */
  get sctp(): { readonly transport: DtlsTransportLike } | null {
    const sctp = this.pc.sctp;
    if (!sctp) return null;
    return {
      transport: {
        getRemoteCertificates: () => {
          const der = sctp.transport.dtls?.remoteCertificate;
          return der ? [new Uint8Array(der).buffer] : [];
        },
      },
    };
  }

  createDataChannel(label: string, init: DataChannelInit): DataChannelLike {
    return new WeriftChannel(
      this.pc.createDataChannel(label, {
        negotiated: init.negotiated,
        id: init.id,
        ordered: init.ordered,
        maxRetransmits: init.maxRetransmits,
      }),
    );
  }

  async createOffer(options: { iceRestart: boolean }): Promise<DescriptionInit> {
    const { type, sdp } = await this.pc.createOffer(options);
    return { type, sdp };
  }

  async createAnswer(): Promise<DescriptionInit> {
    const { type, sdp } = await this.pc.createAnswer();
    return { type, sdp };
  }

  async setLocalDescription(description: DescriptionInit): Promise<void> {
    if (description.type === "rollback") await this.pc.setLocalDescription({ type: "rollback" });
    else await this.pc.setLocalDescription({ type: description.type, sdp: description.sdp ?? "" });
  }

  async setRemoteDescription(description: { type: "offer" | "answer"; sdp: string }): Promise<void> {
    await this.pc.setRemoteDescription(description);
  }

  async addIceCandidate(candidate: IceCandidate): Promise<void> {
    await this.pc.addIceCandidate({
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid ?? undefined,
      sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
      usernameFragment: candidate.usernameFragment ?? undefined,
    });
  }

  addTransceiver(kind: "audio", init: { direction: "sendrecv" }): TransceiverLike {
    return voiceTransceiver(this.pc.addTransceiver(kind, { direction: init.direction }));
  }

  getTransceivers(): TransceiverLike[] {
    return this.pc
      .getTransceivers()
      .filter((t) => t.kind === "audio")
      .map(voiceTransceiver);
  }

  getReceivers(): { readonly transport: DtlsTransportLike | null }[] {
    return [];
  }

  getConfiguration(): { iceTransportPolicy?: string } {
    return { iceTransportPolicy: this.pc.getConfiguration().iceTransportPolicy };
  }

  /** New ICE servers from /ice (applyIceServers): only the servers and the relay policy change. */
  setConfiguration(config: RTCConfiguration): void {
    this.pc.setConfiguration({
      iceServers: iceServersOf(config),
      iceTransportPolicy: config.iceTransportPolicy === "relay" ? "relay" : "all",
    });
  }

  close(): void {
    void this.pc.close();
  }

  addEventListener(type: string, listener: (event: never) => void): void {
    const call = listener as (event: unknown) => void;
    switch (type) {
      case "icecandidate":
        this.pc.onIceCandidate.subscribe((candidate) => {
          const gathered: GatheredCandidate | null = candidate
            ? {
                type: /\btyp (\w+)/.exec(candidate.candidate)?.[1] ?? null,
                candidate: candidate.candidate,
                sdpMid: candidate.sdpMid ?? null,
                sdpMLineIndex: candidate.sdpMLineIndex ?? null,
                usernameFragment: candidate.usernameFragment ?? null,
              }
            : null;
          call({ candidate: gathered });
        });
        return;
      case "icegatheringstatechange":
        this.pc.iceGatheringStateChange.subscribe(() => call(undefined));
        return;
      case "iceconnectionstatechange":
        this.pc.iceConnectionStateChange.subscribe(() => call(undefined));
        return;
      case "connectionstatechange":
        this.pc.connectionStateChange.subscribe(() => call(undefined));
        return;
      // The agent receives no tracks (the technician's voice is not played) and werift reports no candidate errors.
      default:
        return;
    }
  }
}

/** The audio section PeerLink adds for voice: the agent neither sends nor plays sound. */
function voiceTransceiver(transceiver: RTCRtpTransceiver): TransceiverLike {
  return {
    get direction() {
      return transceiver.direction;
    },
    set direction(direction: string) {
      transceiver.setDirection(direction as RTCRtpTransceiver["direction"]);
    },
    sender: {
      replaceTrack: async (track) => {
        if (track) throw new Error("the agent sends no sound");
      },
    },
    receiver: { track: { kind: "audio" } },
  };
}

/** A werift data channel with the page's events, binary messages as ArrayBuffer. */
class WeriftChannel implements DataChannelLike {
  readonly #channel: RTCDataChannel;
  binaryType = "blob";

  constructor(channel: RTCDataChannel) {
    this.#channel = channel;
  }

  get readyState(): string {
    return this.#channel.readyState;
  }
  get bufferedAmount(): number {
    return this.#channel.bufferedAmount;
  }
  get bufferedAmountLowThreshold(): number {
    return this.#channel.bufferedAmountLowThreshold;
  }
  set bufferedAmountLowThreshold(value: number) {
    this.#channel.bufferedAmountLowThreshold = value;
  }

  send(data: string | Uint8Array<ArrayBuffer>): void {
    this.#channel.send(typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  addEventListener(type: "open" | "close" | "bufferedamountlow", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: string, listener: (event: { data: unknown }) => void): void {
    switch (type) {
      case "open":
      case "close":
        this.#channel.stateChanged.subscribe((state) => {
          if (state === (type === "open" ? "open" : "closed")) listener({ data: undefined });
        });
        return;
      case "bufferedamountlow":
        this.#channel.bufferedAmountLow.subscribe(() => listener({ data: undefined }));
        return;
      case "message":
        this.#channel.onMessage.subscribe((data) => {
          if (typeof data === "string") return listener({ data });
          const bytes = new Uint8Array(data.byteLength);
          bytes.set(data);
          listener({ data: this.binaryType === "arraybuffer" ? bytes.buffer : new Blob([bytes]) });
        });
        return;
    }
  }
}

/** werift options that are not part of the standard configuration. */
export type WeriftOptions = {
  /**
   * Host addresses werift leaves out by default (loopback) to gather as well: for a network of loopback only, where
   * the browser is told the same (--allow-loopback-in-peer-connection).
   */
  extraHostAddresses?: string[];
};

/** The session's ICE servers as werift takes them; none if the session gives none (never werift's default). */
function iceServersOf(config: RTCConfiguration): { urls: string | string[]; username?: string; credential?: string }[] {
  return (config.iceServers ?? []).map(({ urls, username, credential }) => ({ urls, username, credential }));
}

/** FIR, which werift's codec helpers have no shortcut for. */
function useFIR(): { type: string; parameter?: string } {
  return { type: "ccm", parameter: "fir" };
}

/** The agent's runtime on werift: its connections, and the screen's VP8 track fed with the capture's RTP packets. */
export function weriftRtc(options: WeriftOptions = {}): AgentRtc<WeriftConnection> {
  return {
    createPeerConnection: (config) => new WeriftConnection(config, options),
    addVideo: (connection: WeriftConnection, codec: CaptureCodec, onKeyframeRequest: () => void) => {
      if (codec.mimeType !== "video/VP8") throw new Error(`no track for ${codec.mimeType}`);
      const track = new MediaStreamTrack({ kind: "video" });
      const transceiver = connection.pc.addTransceiver(track, { direction: "sendonly" });
      const { sender } = transceiver;
      // A PLI names the sender's SSRC in its header, and werift routes it to the sender.
      sender.onRtcp.subscribe((packet) => {
        if (packet instanceof RtcpPayloadSpecificFeedback && packet.feedback instanceof PictureLossIndication) {
          onKeyframeRequest();
        }
      });
      // A FIR's header names no media source (RFC 5104: zero), so werift does not route it to the sender: it is
      // read on the connection's transports, for the sender's SSRC among its entries.
      const watched = new Set<object>();
      connection.pc.connectionStateChange.subscribe(() => {
        for (const transport of connection.pc.dtlsTransports) {
          if (watched.has(transport)) continue;
          watched.add(transport);
          transport.onRtcp.subscribe((packet) => {
            if (isFirFor(packet, sender.ssrc)) onKeyframeRequest();
          });
        }
      });
      return (packet) => track.writeRtp(withZeroPlayoutDelay(packet, transceiver));
    },
  };
}

/** WebRTC's playout-delay RTP header extension: the least and most delay the receiver may add, in 10 ms units. */
export const PLAYOUT_DELAY_URI = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";
/** Its payload for none at all: 12 bits of least delay, then 12 of most, both zero. */
const ZERO_PLAYOUT_DELAY = Buffer.from([0, 0, 0]);

/**
 * The capture's RTP packet, with the playout-delay extension at zero under the id the video's transceiver has for it
 * (werift keeps a written packet's extensions that it does not fill in itself).
 */
export function withZeroPlayoutDelay(
  packet: Uint8Array,
  transceiver: Pick<RTCRtpTransceiver, "headerExtensions">,
): RtpPacket {
  const rtp = RtpPacket.deSerialize(Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength));
  const id = transceiver.headerExtensions.find((extension) => extension.uri === PLAYOUT_DELAY_URI)?.id;
  if (id !== undefined && !rtp.header.extensions.some((extension) => extension.id === id)) {
    rtp.header.extensions.push({ id, payload: ZERO_PLAYOUT_DELAY });
  }
  return rtp;
}

/** FIR's feedback message type (RFC 5104), whose class werift does not export. */
const FIR_TYPE = 4;

/** Whether `packet` is a FIR asking `ssrc` for a keyframe. */
export function isFirFor(packet: unknown, ssrc: number): boolean {
  if (!(packet instanceof RtcpPayloadSpecificFeedback) || packet.feedback.count !== FIR_TYPE) return false;
  const { fir } = packet.feedback as { fir?: { ssrc: number }[] };
  return fir?.some((entry) => entry.ssrc === ssrc) ?? false;
}

/**
 * Makes the agent's DTLS certificate, before the handshake: ECDSA P-256 with SHA-256, as werift makes its own, and
 * the SHA-256 fingerprint the handshake sends. Every connection presents this certificate.
 */
export async function weriftCertificate(): Promise<AgentCertificate> {
  const { certPem, keyPem, signatureHash } = await CipherContext.createSelfSignedCertificateWithKey(
    { signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 },
    NamedCurveAlgorithm.secp256r1_23,
  );
  const certificate = new RTCCertificate(keyPem, certPem, signatureHash);
  const fingerprint = certificateFingerprint(certificate);
  if (!fingerprint) throw new Error("the certificate has no SHA-256 fingerprint");
  return { certificate: certificate as unknown as globalThis.RTCCertificate, fingerprint };
}
