import type { Screens } from "#protocol/control.ts";
import type { CertificateFingerprint } from "#protocol/handshake.ts";
import type { SignalMessage } from "#protocol/room.ts";
import { seatProofHeaders } from "../web/src/customer/session-info.ts";
import type { ApiErrorCode, CallApi } from "../web/src/lib/api.ts";
import { applyIceServers, IceServers } from "../web/src/rtc/ice-servers.ts";
import { type LinkState, PeerLink } from "../web/src/rtc/PeerLink.ts";
import type { PeerConnectionLike } from "../web/src/rtc/peer-connection.ts";
import type { OwnerConnection, OwnerSignal } from "./AgentSession.ts";
import type { CaptureCodec, CaptureEnd, ScreenCapture } from "./capture/capture.ts";
import type { AgentControl } from "./input/AgentControl.ts";

// The agent's one connection to the owning technician: the pages' PeerLink (ICE restart, the data channels, the
// certificate checks) on the agent's WebRTC runtime, with the session's ICE servers from its /ice endpoint (never a
// public STUN server of our choosing) and the screen capture's RTP packets as the video track. The capture runs
// while a connection exists, and a keyframe request from the viewer (PLI, FIR) goes to the capture.

/** What the agent needs of a WebRTC runtime (werift behind an adapter): a connection, and a video track to feed. */
export interface AgentRtc<PC extends PeerConnectionLike> {
  createPeerConnection(config: RTCConfiguration): PC;
  /**
   * Adds a send-only video track of `codec` to `pc`; gives back how to send one RTP packet on it. `onKeyframeRequest`
   * hears the viewer's PLI and FIR.
   */
  addVideo(pc: PC, codec: CaptureCodec, onKeyframeRequest: () => void): (packet: Uint8Array) => void;
}

export type AgentLinkOptions<PC extends PeerConnectionLike> = {
  code: string;
  /** The seat key (base64url), whose proof the /ice endpoint asks for. */
  seatKey: string;
  api: CallApi;
  /** The agent's DTLS certificate: the one whose fingerprint the handshake bound. */
  certificate: Promise<RTCCertificate>;
  rtc: AgentRtc<PC>;
  capture: ScreenCapture;
  sendSignal(msg: SignalMessage): boolean;
  onState(state: LinkState | null): void;
  /** The technician's end showed a certificate other than the authenticated one; the link has closed for good. */
  onIntercepted(): void;
  /** The capture stopped by itself (the display went away, ffmpeg failed). */
  onCaptureEnd(end: CaptureEnd): void;
  onIceError(code: ApiErrorCode): void;
  /** The technician's control of this machine, when it has an input adapter: fed from the pointer and input channels. */
  control?: AgentControl | undefined;
  /**
   * The machine's screens and the one shown, told to the technician on every connection; `show` hears the technician
   * pick another. Absent: one screen, nothing to pick.
   */
  screens?: { current(): Screens; show(index: number): void } | undefined;
};

/** A reconnected technician page that does not answer on the old connection within this gets a new one. */
const PROBE_TIMEOUT_MS = 1_500;

/** The agent's connection to the owner (see above). */
export class AgentLink<PC extends PeerConnectionLike> implements OwnerConnection {
  readonly #options: AgentLinkOptions<PC>;
  readonly #ice: IceServers;
  #link: PeerLink<PC> | null = null;
  #send: ((packet: Uint8Array) => void) | null = null;
  #isCapturing = false;
  #check = 0;

  constructor(options: AgentLinkOptions<PC>) {
    this.#options = options;
    this.#ice = new IceServers(
      options.code,
      seatProofHeaders(options.seatKey),
      (config) => {
        // A runtime whose connection cannot take new servers keeps the old ones (applyIceServers catches that).
        if (this.#link) applyIceServers(this.#link.pc as unknown as RTCPeerConnection, config);
      },
      options.onIceError,
      options.api,
    );
  }

  /** The link as it is, for its figures. */
  get link(): PeerLink<PC> | null {
    return this.#link;
  }

  sync(ownerId: string, peerFingerprint: CertificateFingerprint): void {
    void this.#sync(ownerId, peerFingerprint);
  }

  handleSignal(msg: OwnerSignal): void {
    if (this.#link?.remoteId === msg.from) void this.#link.handleSignal(msg);
  }

  close(): void {
    this.#check++;
    this.#dropLink();
    if (this.#isCapturing) {
      this.#isCapturing = false;
      void this.#options.capture.stop();
    }
  }

  /** Closes for good: the ICE servers are no longer renewed. */
  stop(): void {
    this.#ice.stop();
    this.close();
  }

  /** Tells the viewer whether it may control the machine now (it also hears so whenever a connection opens). */
  announceControl(): void {
    const control = this.#options.control;
    if (control) this.#link?.sendControl({ type: "remoteControl", isAllowed: control.isAllowed });
  }

  /** Tells the technician the machine's screens and which one they see (on open and after each change). */
  announceScreens(): void {
    const screens = this.#options.screens;
    if (screens) this.#link?.sendControl(screens.current());
  }

  /**
   * Closes the connection; the capture goes on for the next one. Nothing the technician pressed on it stays down: its
   * closing state releases it (onState below).
   */
  #dropLink(): void {
    this.#link?.close();
    this.#link = null;
    this.#send = null;
    this.#options.onState(null);
  }

  async #sync(ownerId: string, peerFingerprint: CertificateFingerprint): Promise<void> {
    const check = ++this.#check;
    // The relay policy must be known before the first candidate is gathered.
    const [certificate] = await Promise.all([this.#options.certificate, this.#ice.ready]);
    if (check !== this.#check) return;
    const link = this.#link;
    if (link && (await link.keepFor(ownerId, peerFingerprint, PROBE_TIMEOUT_MS))) return;
    if (check !== this.#check || this.#link !== link) return;
    this.#dropLink();
    await this.#open(ownerId, peerFingerprint, certificate);
  }

  async #open(ownerId: string, peerFingerprint: CertificateFingerprint, certificate: RTCCertificate): Promise<void> {
    const { rtc, capture } = this.#options;
    const link: PeerLink<PC> = new PeerLink<PC>({
      remoteId: ownerId,
      isOfferer: true,
      config: this.#ice.config,
      certificate,
      peerFingerprint,
      createPeerConnection: (config) => rtc.createPeerConnection(config),
      sendSignal: this.#options.sendSignal,
      onIntercepted: () => {
        if (this.#link === link) this.#options.onIntercepted();
      },
      onState: (state) => {
        if (this.#link !== link) return;
        // Key and button releases sent while the connection is down are lost: nothing stays held meanwhile.
        if (state === "reconnecting" || state === "closed") void this.#options.control?.release();
        this.#options.onState(state);
      },
      // The viewer shows the picture as a shared screen, live from the start: the agent has no pause yet.
      onControlOpen: () => {
        link.sendControl({ type: "sharing", state: "live", surface: "monitor" });
        if (this.#link !== link) return;
        this.announceControl();
        this.announceScreens();
      },
      onControl: (msg) => {
        if (this.#link === link && msg.type === "showScreen") this.#options.screens?.show(msg.index);
      },
      channels: {
        onPointer: (msg) => {
          if (this.#link === link) void this.#options.control?.pointer(msg);
        },
        onInput: (msg) => {
          if (this.#link === link) void this.#options.control?.input(msg);
        },
      },
    });
    this.#link = link;
    this.#send = rtc.addVideo(link.pc, capture.codec, () => capture.requestKeyframe());
    this.#options.onState(link.state);
    if (!this.#isCapturing) {
      this.#isCapturing = true;
      await capture.start(
        (packet) => this.#send?.(packet),
        (end) => {
          this.#isCapturing = false;
          this.#options.onCaptureEnd(end);
        },
      );
    } else {
      // A new connection needs a keyframe to start from.
      capture.requestKeyframe();
    }
    await link.negotiate();
  }
}
