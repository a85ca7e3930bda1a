import { assertNever } from "#protocol/assert-never.ts";
import type { ControlMessage } from "#protocol/control.ts";
import type { CertificateFingerprint } from "#protocol/handshake.ts";
import type { IceCandidate, ServerMessage, SignalMessage } from "#protocol/room.ts";
import { type ChannelEvents, Channels } from "../../../core/channels.ts";
import { derFingerprint, isSameFingerprint, isSdpFingerprint } from "../../../core/fingerprint.ts";
import type { GatheredCandidate, PeerConnectionLike, TransceiverLike } from "./peer-connection.ts";
import { iceUfrag } from "./sdp.ts";

/** What the person sees: first contact, media flowing, trying to get it back, or over. */
export type LinkState = "connecting" | "connected" | "reconnecting" | "closed";

/**
 * Why a relay-only connection cannot start: the relay turned the credentials away (401: wrong or expired), or it
 * never answered (701, or gathering ended with no relay candidate for any other reason).
 */
export type RelayFailure = "refused" | "unreachable";

/** Relayed offers, answers and candidates: what a link consumes from the signaling channel. */
export type RelayedSignal = Extract<ServerMessage, { type: "offer" | "answer" | "candidate" }>;

export type PeerLinkOptions<PC extends PeerConnectionLike = RTCPeerConnection> = {
  remoteId: string;
  /** The connection's name (room.ts LinkId): an answerer's comes from the offer that opened it; an offerer makes one. */
  linkId?: string;
  /** The customer offers (it owns the media); a technician only answers. */
  isOfferer: boolean;
  /** ICE servers and policy; TURN arrives here. */
  config: RTCConfiguration;
  /** This page's certificate, made before the handshake: the one whose fingerprint the handshake sent. */
  certificate: RTCCertificate;
  /** The far end's certificate as the handshake authenticated it: every SDP, and the connection, must show it. */
  peerFingerprint: CertificateFingerprint;
  /** The far end showed another certificate (someone may be in the middle): the link has closed for good. */
  onIntercepted(): void;
  sendSignal(msg: SignalMessage): boolean;
  onState(state: LinkState): void;
  onTrack?(track: MediaStreamTrack): void;
  onControl?(msg: ControlMessage): void;
  onControlOpen?(): void;
  /** The other data channels (pointer, input, files) and drops on any channel, as client/core/channels.ts routes them. */
  channels?: Omit<ChannelEvents, "onControl" | "onOpen">;
  /** With a relay-only policy: gathering ended without a relay candidate (null again once connected). */
  onRelayFailure?(failure: RelayFailure | null): void;
  /**
   * Makes the connection from `config` (which carries `certificate`): the browser's RTCPeerConnection unless said
   * (the native agent passes its own).
   */
  createPeerConnection?: (config: RTCConfiguration) => PC;
};

/**
 * Voice rides on one audio transceiver that both ends set up with the connection, sending and receiving: a
 * microphone switched on or off later replaces its track, with no new offer and answer.
 */

/** How long ICE may sit in "disconnected" before the offerer restarts it; short drops heal by themselves. */
const DISCONNECTED_GRACE_MS = 2_500;
/** A restart that has not connected by then is tried again, with a fresh offer. */
const RESTART_RETRY_MS = 8_000;
const RESTART_RETRY_MAX_MS = 30_000;

function toCandidate(candidate: GatheredCandidate): IceCandidate {
  return {
    candidate: candidate.candidate,
    sdpMid: candidate.sdpMid,
    sdpMLineIndex: candidate.sdpMLineIndex,
    usernameFragment: candidate.usernameFragment,
  };
}

function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}

/**
 * One RTCPeerConnection to one remote participant, with trickle ICE, the data channels of protocol/channels.ts and
 * recovery: the
 * offerer restarts ICE (createOffer({ iceRestart: true })) when the path fails, on the same connection and session.
 */
export class PeerLink<PC extends PeerConnectionLike = RTCPeerConnection> {
  readonly pc: PC;
  /** The data channels, opened and routed in one place. */
  readonly channels: Channels;
  readonly remoteId: string;
  /** The name every signal of this connection carries, both ways; signals of any other connection are ignored. */
  readonly linkId: string;
  /** ICE restarts on this connection: offered (offerer) or answered (answerer). */
  iceRestarts = 0;
  state: LinkState = "connecting";
  readonly #options: PeerLinkOptions<PC>;
  /** Signaling work runs one step at a time: an answer must not overtake the offer it answers. */
  #queue: Promise<void> = Promise.resolve();
  #pendingCandidates: IceCandidate[] = [];
  #hasConnected = false;
  #isRestartWanted = false;
  /** The audio transceiver voice uses (see above). */
  #voice: TransceiverLike | null = null;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;
  #restartDelay = RESTART_RETRY_MS;
  #pongs = new Map<string, (isAlive: boolean) => void>();
  /** Relay candidates of the current gathering, and the last TURN error code the browser reported in it. */
  #relayCandidates = 0;
  #turnErrorCode: number | null = null;

  constructor(options: PeerLinkOptions<PC>) {
    this.#options = options;
    this.remoteId = options.remoteId;
    this.linkId = options.linkId ?? randomNonce();
    // Without a factory PC is the default, RTCPeerConnection, which TypeScript cannot see from inside the class.
    const create = options.createPeerConnection ?? ((config) => new RTCPeerConnection(config) as unknown as PC);
    const pc = create({ ...options.config, certificates: [options.certificate] });
    this.pc = pc;
    // Negotiated with fixed ids: both ends have them at once, with no ondatachannel race.
    this.channels = new Channels((label, init) => pc.createDataChannel(label, init), {
      ...options.channels,
      onOpen: (name) => {
        if (name === "control") options.onControlOpen?.();
      },
      onControl: (msg) => this.#onControlMessage(msg),
    });
    pc.addEventListener("icecandidate", (event) => {
      // End-of-candidates (null) is not sent: trickle works without it, and a restart would make it stale.
      if (event.candidate) {
        if (event.candidate.type === "relay") this.#relayCandidates++;
        this.#signal({
          type: "candidate",
          to: this.remoteId,
          link: this.linkId,
          candidate: toCandidate(event.candidate),
        });
      }
    });
    pc.addEventListener("icecandidateerror", (event) => {
      const code = (event as { errorCode?: number }).errorCode ?? 0;
      // Only TURN's answers say anything about the relay; STUN binding errors are someone else's.
      if (code === 401 || code === 701 || this.#turnErrorCode === null) this.#turnErrorCode = code;
    });
    pc.addEventListener("icegatheringstatechange", () => this.#onGathering());
    pc.addEventListener("iceconnectionstatechange", () => this.#onIceState());
    pc.addEventListener("connectionstatechange", () => this.#onConnectionState());
    pc.addEventListener("track", (event) => options.onTrack?.(event.track));
    if (options.isOfferer) this.#voice = pc.addTransceiver("audio", { direction: "sendrecv" });
  }

  /** Starts or renegotiates (offerer only); with `iceRestart`, gathers new ICE credentials on the same connection. */
  negotiate(iceRestart = false): Promise<void> {
    if (!this.#options.isOfferer) return Promise.resolve();
    if (iceRestart) this.#isRestartWanted = true;
    return this.#enqueue(async () => {
      const pc = this.pc;
      if (pc.signalingState === "closed") return;
      if (pc.signalingState === "have-local-offer") {
        // The last offer got no answer (lost while the far end reconnected): take it back and offer afresh.
        if (!this.#isRestartWanted) return;
        await pc.setLocalDescription({ type: "rollback" });
      }
      const isRestart = this.#isRestartWanted && pc.remoteDescription !== null;
      this.#isRestartWanted = false;
      await pc.setLocalDescription(await pc.createOffer({ iceRestart: isRestart }));
      if (isRestart) this.iceRestarts++;
      const sdp = pc.localDescription?.sdp;
      if (sdp) this.#signal({ type: "offer", to: this.remoteId, link: this.linkId, sdp });
    });
  }

  /** Restarts ICE now (offerer) and keeps retrying until the path is back. */
  restartIce(): void {
    if (!this.#options.isOfferer || this.state === "closed") return;
    this.#armRestart(this.#restartDelay);
    this.#restartDelay = Math.min(RESTART_RETRY_MAX_MS, this.#restartDelay * 2);
    void this.negotiate(true);
  }

  /** Feeds an offer, answer or candidate from the remote participant. */
  handleSignal(msg: RelayedSignal): Promise<void> {
    // Another connection's (one since replaced, its answer or candidates still under way) is not this one's.
    if (msg.link !== this.linkId) return Promise.resolve();
    return this.#enqueue(async () => {
      const pc = this.pc;
      if (pc.signalingState === "closed") return;
      switch (msg.type) {
        case "offer": {
          if (this.#options.isOfferer) return;
          if (!isSdpFingerprint(msg.sdp, this.#options.peerFingerprint)) return this.#intercepted();
          const previous = pc.remoteDescription ? iceUfrag(pc.remoteDescription.sdp) : null;
          await pc.setRemoteDescription({ type: "offer", sdp: msg.sdp });
          if (previous !== null && previous !== iceUfrag(msg.sdp)) this.iceRestarts++;
          // The offer's audio: answered sending too, so that a microphone later needs no renegotiation.
          this.#voice ??= pc.getTransceivers().find((t) => t.receiver.track.kind === "audio") ?? null;
          if (this.#voice && this.#voice.direction !== "sendrecv") this.#voice.direction = "sendrecv";
          await this.#flushCandidates();
          await pc.setLocalDescription(await pc.createAnswer());
          const sdp = pc.localDescription?.sdp;
          if (sdp) this.#signal({ type: "answer", to: this.remoteId, link: this.linkId, sdp });
          return;
        }
        case "answer":
          // A late answer to an offer that was since rolled back is dropped.
          if (!this.#options.isOfferer || pc.signalingState !== "have-local-offer") return;
          if (!isSdpFingerprint(msg.sdp, this.#options.peerFingerprint)) return this.#intercepted();
          await pc.setRemoteDescription({ type: "answer", sdp: msg.sdp });
          await this.#flushCandidates();
          return;
        case "candidate":
          if (msg.candidate === null) return;
          if (!pc.remoteDescription) this.#pendingCandidates.push(msg.candidate);
          else await this.#addCandidate(msg.candidate);
          return;
        default:
          assertNever(msg);
      }
    });
  }

  /** Puts this side's microphone on the connection (null: silence); no renegotiation. */
  async setVoice(track: MediaStreamTrack | null): Promise<void> {
    await this.#voice?.sender.replaceTrack(track);
  }

  /** Sends on the control channel if it is open; false otherwise. */
  sendControl(msg: ControlMessage): boolean {
    return this.channels.sendControl(msg);
  }

  /** Whether the far end's page still answers on this connection within `timeoutMs`. */
  probe(timeoutMs: number): Promise<boolean> {
    const nonce = randomNonce();
    if (!this.sendControl({ type: "ping", nonce })) return Promise.resolve(false);
    return new Promise((resolve) => {
      const settle = (isAlive: boolean) => {
        clearTimeout(timer);
        this.#pongs.delete(nonce);
        resolve(isAlive);
      };
      const timer = setTimeout(() => settle(false), timeoutMs);
      this.#pongs.set(nonce, settle);
    });
  }

  /**
   * Whether this connection can go on serving `remoteId` behind `peerFingerprint` (the far end is the same page), made
   * ready to: one still being set up is kept once its offer was answered (it is busy connecting, and a new one would
   * only start over), and given up while unanswered (that offer may have been lost while the far end was away); one
   * that had connected is kept if its far end answers a ping within `probeTimeoutMs`, and anything lost while
   * signaling was down is retried.
   */
  async keepFor(remoteId: string, peerFingerprint: CertificateFingerprint, probeTimeoutMs: number): Promise<boolean> {
    const isSamePeer = remoteId === this.remoteId && isSameFingerprint(this.#options.peerFingerprint, peerFingerprint);
    if (!isSamePeer || this.state === "closed") return false;
    if (this.state === "connecting") return this.pc.signalingState === "stable" && this.pc.remoteDescription !== null;
    const isAlive = await this.probe(probeTimeoutMs);
    if (isAlive) this.resume();
    return isAlive;
  }

  /** Signaling came back (a reconnected WebSocket): anything lost while it was down is retried. */
  resume(): void {
    if (this.#options.isOfferer && this.state !== "connected") this.restartIce();
  }

  close(): void {
    clearTimeout(this.#restartTimer);
    for (const settle of [...this.#pongs.values()]) settle(false);
    this.pc.close();
    this.#setState("closed");
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    // A failed step (a stale candidate, a description from a torn-down connection) must not block the next one.
    this.#queue = this.#queue.then(task).catch(() => undefined);
    return this.#queue;
  }

  #signal(msg: SignalMessage): void {
    if (!this.#options.sendSignal(msg) && msg.type === "offer") this.#isRestartWanted = true;
  }

  async #flushCandidates(): Promise<void> {
    const pending = this.#pendingCandidates;
    this.#pendingCandidates = [];
    for (const candidate of pending) await this.#addCandidate(candidate);
  }

  async #addCandidate(candidate: IceCandidate): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch {
      // A candidate from before an ICE restart no longer matches; it is simply not needed.
    }
  }

  #onGathering(): void {
    const pc = this.pc;
    if (pc.iceGatheringState === "gathering") {
      this.#relayCandidates = 0;
      this.#turnErrorCode = null;
    } else if (pc.iceGatheringState === "complete" && pc.getConfiguration().iceTransportPolicy === "relay") {
      // Relay-only with no relay candidate: nothing can ever connect, so say so rather than wait.
      if (this.#relayCandidates === 0)
        this.#options.onRelayFailure?.(this.#turnErrorCode === 401 ? "refused" : "unreachable");
    }
  }

  #onIceState(): void {
    const state = this.pc.iceConnectionState;
    if (state === "connected" || state === "completed") {
      clearTimeout(this.#restartTimer);
      this.#restartTimer = undefined;
      this.#restartDelay = RESTART_RETRY_MS;
    } else if (state === "disconnected") {
      if (this.#restartTimer === undefined) this.#armRestart(DISCONNECTED_GRACE_MS);
    } else if (state === "failed") {
      this.restartIce();
    }
  }

  #armRestart(delayMs: number): void {
    if (!this.#options.isOfferer) return;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      const ice = this.pc.iceConnectionState;
      if (ice !== "connected" && ice !== "completed" && ice !== "closed") this.restartIce();
    }, delayMs);
  }

  #onConnectionState(): void {
    const state = this.pc.connectionState;
    if (state === "connected") {
      if (!this.#isRemoteCertificateAuthentic()) {
        this.#intercepted();
        return;
      }
      this.#hasConnected = true;
      this.#options.onRelayFailure?.(null);
      this.#setState("connected");
    } else if (state === "closed") {
      this.#setState("closed");
    } else if (state !== "new") {
      this.#setState(this.#hasConnected ? "reconnecting" : "connecting");
    }
  }

  /**
   * Whether the connected DTLS transport shows the authenticated certificate, where the browser can tell
   * (RTCDtlsTransport.getRemoteCertificates(); the first one is the peer's own). Without that API the SDP check stands.
   */
  #isRemoteCertificateAuthentic(): boolean {
    const transport = this.pc.sctp?.transport ?? this.pc.getReceivers().find((r) => r.transport)?.transport;
    if (typeof transport?.getRemoteCertificates !== "function") return true;
    const [certificate] = transport.getRemoteCertificates();
    if (!certificate) return true;
    return isSameFingerprint(derFingerprint(new Uint8Array(certificate)), this.#options.peerFingerprint);
  }

  /** Closes the link for good and says why; no restart follows. */
  #intercepted(): void {
    if (this.state === "closed") return;
    this.close();
    this.#options.onIntercepted();
  }

  #setState(state: LinkState): void {
    if (this.state === state || this.state === "closed") return;
    this.state = state;
    this.#options.onState(state);
  }

  #onControlMessage(msg: ControlMessage): void {
    if (msg.type === "ping") this.sendControl({ type: "pong", nonce: msg.nonce });
    else if (msg.type === "pong") this.#pongs.get(msg.nonce)?.(true);
    else this.#options.onControl?.(msg);
  }
}
