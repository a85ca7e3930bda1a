import type { FileChunk, PointerMessage } from "#protocol/channels.ts";
import type { ControlMessage } from "#protocol/control.ts";
import type { CertificateFingerprint } from "#protocol/handshake.ts";
import type { SignalMessage } from "#protocol/room.ts";
import type { TransferLink } from "../../../core/file-transfer.ts";
import type { ApiErrorCode } from "../lib/api.ts";
import { applyIceServers, IceServers } from "../rtc/ice-servers.ts";
import type { LinkState, PeerLink, RelayedSignal, RelayFailure } from "../rtc/PeerLink.ts";
import { addScreenTransceiver, degradationFor, keepResolution } from "../rtc/screen.ts";
import { type LinkStats, StatsSampler } from "../rtc/stats.ts";

export type OwnerLinkEvents = {
  sendSignal(msg: SignalMessage): boolean;
  onState(state: LinkState | null): void;
  onStats(stats: LinkStats | null): void;
  /** The control channel opened: the far end should hear what is being shared. */
  onControlOpen(): void;
  /** A message from the technician's page on the control channel (chat, drawings). */
  onControl(msg: ControlMessage): void;
  /** Where the technician points, from the pointer channel. */
  onPointer(msg: PointerMessage): void;
  /** A chunk of a file the technician sends. */
  onFileChunk(chunk: FileChunk): void;
  /** The technician's voice (their audio track), on a new connection. */
  onVoice(track: MediaStreamTrack): void;
  /** The session's ICE servers could not be fetched: why, as a code. */
  onIceError(code: ApiErrorCode): void;
  /** The technician's end showed a certificate other than the authenticated one; the link has closed for good. */
  onIntercepted(): void;
  /** Relay-only and no relay reachable (null: fine again). */
  onRelayFailure(failure: RelayFailure | null): void;
};

/** What a connection to the owner is bound to: this page's certificate and the one the handshake authenticated. */
export type LinkTrust = { certificate: RTCCertificate; peerFingerprint: CertificateFingerprint };

/**
 * The connection itself (`PeerLink` and its channels), in the chunk the page fetches after its first view
 * (./later.ts): needed only once the customer allows.
 */
const peerLinkModule = () => import("./later.ts");

/** A reconnected technician page that does not answer on the old connection within this gets a new one. */
const PROBE_TIMEOUT_MS = 1_500;

/**
 * The customer's one connection to the technician who owns the session: its ICE servers are fetched when the page
 * opens, the connection itself is offered when the customer allows, to a technician whose handshake this page
 * confirmed and with their authenticated certificate only; kept across the technician's WebSocket drops, replaced
 * when their page (and so their certificate) is new, sampled once a second.
 */
export class OwnerLink {
  readonly #events: OwnerLinkEvents;
  readonly #ice: IceServers;
  readonly #peerLink: ReturnType<typeof peerLinkModule>;
  #link: PeerLink | null = null;
  #sender: RTCRtpSender | null = null;
  #sampler: StatsSampler | null = null;
  #statsTimer: ReturnType<typeof setInterval> | undefined;
  #check = 0;
  #voice: MediaStreamTrack | null = null;

  /** `seatProof` is the header that proves this page's seat key (session-info.ts): the ICE servers need it. */
  constructor(code: string, seatProof: Record<string, string>, events: OwnerLinkEvents) {
    this.#events = events;
    this.#peerLink = peerLinkModule();
    // Tried again at Allow should this fetch fail (a dropped line); until then nobody waits for it.
    this.#peerLink.catch(() => {});
    this.#ice = new IceServers(
      code,
      seatProof,
      (config) => {
        if (this.#link) applyIceServers(this.#link.pc, config);
      },
      events.onIceError,
    );
  }

  get remoteId(): string | null {
    return this.#link?.remoteId ?? null;
  }

  /**
   * Makes sure a working connection to `ownerId`, bound to `trust`, sends `track` (null: nothing). A connection to the
   * same certificate that is still being set up, or whose far end still answers a ping (only the technician's WebSocket
   * dropped), is kept (PeerLink.keepFor); otherwise a new one is offered.
   */
  async sync(ownerId: string, track: MediaStreamTrack | null, trust: LinkTrust): Promise<void> {
    const check = ++this.#check;
    // The relay policy must be known before the first candidate is gathered.
    const [{ PeerLink }] = await Promise.all([this.#peerLink.catch(peerLinkModule), this.#ice.ready]);
    if (check !== this.#check) return;
    const link = this.#link;
    if (link && (await link.keepFor(ownerId, trust.peerFingerprint, PROBE_TIMEOUT_MS))) return;
    if (check !== this.#check || this.#link !== link) return;
    this.close();
    this.#open(PeerLink, ownerId, track, trust);
  }

  /** This side's microphone, on every connection to the owner (null: none). */
  async setVoice(track: MediaStreamTrack | null): Promise<void> {
    this.#voice = track;
    await this.#link?.setVoice(track);
  }

  /** Swaps what is sent in place (pause, resume, another screen or camera): no renegotiation. */
  async setTrack(track: MediaStreamTrack | null): Promise<void> {
    const sender = this.#sender;
    await sender?.replaceTrack(track);
    // A camera after a screen (or back) gives way differently when bits run short.
    if (sender && track && degradationFor(track) !== sender.getParameters().degradationPreference) {
      await keepResolution(sender, degradationFor(track));
    }
  }

  sendControl(msg: ControlMessage): boolean {
    return this.#link?.sendControl(msg) ?? false;
  }

  /** The file channel of the connection as it is now, for the file transfers. */
  readonly files: TransferLink = {
    sendControl: (msg) => this.sendControl(msg),
    sendChunk: (chunk) => this.#link?.channels.sendFileChunk(chunk) ?? false,
    room: () => this.#link?.channels.fileRoom() ?? Promise.resolve(false),
    endTransfer: (id) => this.#link?.channels.endTransfer(id),
  };

  /** The largest file the session lets either side send. */
  get maxFileBytes(): number {
    return this.#ice.maxFileBytes;
  }

  /** An answer or candidate from the technician this link is to. */
  handleSignal(msg: RelayedSignal): void {
    if (this.#link?.remoteId === msg.from) void this.#link.handleSignal(msg);
  }

  /** Closes the connection; a later `sync` opens another. */
  close(): void {
    clearInterval(this.#statsTimer);
    this.#link?.close();
    this.#link = null;
    this.#sender = null;
    this.#sampler = null;
    this.#events.onState(null);
    this.#events.onStats(null);
    this.#events.onRelayFailure(null);
  }

  /** Closes for good. */
  stop(): void {
    this.#ice.stop();
    this.close();
  }

  #open(
    PeerLink: Awaited<ReturnType<typeof peerLinkModule>>["PeerLink"],
    remoteId: string,
    track: MediaStreamTrack | null,
    trust: LinkTrust,
  ): void {
    const link = new PeerLink({
      remoteId,
      isOfferer: true,
      config: this.#ice.config,
      certificate: trust.certificate,
      peerFingerprint: trust.peerFingerprint,
      onIntercepted: () => {
        if (this.#link === link) this.#events.onIntercepted();
      },
      sendSignal: this.#events.sendSignal,
      onState: (state) => {
        if (this.#link === link) this.#events.onState(state);
      },
      onControlOpen: () => this.#events.onControlOpen(),
      onControl: (msg) => {
        if (this.#link === link) this.#events.onControl(msg);
      },
      onTrack: (received) => {
        if (this.#link === link && received.kind === "audio") this.#events.onVoice(received);
      },
      channels: {
        onPointer: (msg) => {
          if (this.#link === link) this.#events.onPointer(msg);
        },
        onFileChunk: (chunk) => {
          if (this.#link === link) this.#events.onFileChunk(chunk);
        },
      },
      onRelayFailure: (failure) => {
        if (this.#link === link) this.#events.onRelayFailure(failure);
      },
    });
    const transceiver = addScreenTransceiver(link.pc, track);
    void link.setVoice(this.#voice);
    this.#link = link;
    this.#sender = transceiver.sender;
    const sampler = new StatsSampler(link.pc, "outbound");
    this.#sampler = sampler;
    this.#events.onState(link.state);
    void link.negotiate().then(() => keepResolution(transceiver.sender, degradationFor(transceiver.sender.track)));
    this.#statsTimer = setInterval(async () => {
      const stats = await sampler.sample().catch(() => null);
      if (this.#sampler === sampler) this.#events.onStats(stats);
    }, 1_000);
  }
}
