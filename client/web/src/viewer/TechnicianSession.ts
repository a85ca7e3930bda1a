import { assertNever } from "#protocol/assert-never.ts";
import type { SharingState, Surface } from "#protocol/control.ts";
import type { EndReason, Peer, ServerMessage } from "#protocol/room.ts";
import { applyIceServers, IceServers, type RelaySetting } from "../rtc/ice-servers.ts";
import { type LinkState, PeerLink, type RelayFailure } from "../rtc/PeerLink.ts";
import { type Roster, updateRoster } from "../rtc/roster.ts";
import { sdpSessionId } from "../rtc/sdp.ts";
import { SignalingClient, type SignalingStatus } from "../rtc/signaling.ts";
import { type LinkStats, StatsSampler } from "../rtc/stats.ts";

/** Everything the technician's viewer shows; rendered whole after every change. */
export type ViewerState = {
  code: string;
  customer: Peer | null;
  /** When a dropped customer's seat is released, if they dropped. */
  customerRejoinBy: number | null;
  /** What the customer says they share; null until their page says anything. */
  sharing: SharingState | null;
  surface: Surface;
  stream: MediaStream | null;
  link: LinkState | null;
  stats: LinkStats | null;
  iceRestarts: number;
  /** The relay the server hands out, if any; null until the ICE servers are in. */
  relay: RelaySetting;
  /** Relay-only, and no relay could be reached: the connection cannot start. */
  relayFailure: RelayFailure | null;
  signaling: SignalingStatus;
  ended: string | null;
  notice: { text: string; isError: boolean } | null;
};

const END_TEXT: Record<EndReason, string> = {
  ended_by_customer: "The customer ended the session.",
  ended_by_technician: "You ended the session.",
  expired: "The session reached its time limit.",
  idle: "The session ended after a period without activity.",
};

/**
 * A technician's side of one session: the seat, the answering end of the customer's connection, the customer's
 * sharing state from the `control` channel, and live figures from getStats once a second.
 */
export class TechnicianSession {
  readonly #signaling: SignalingClient;
  readonly #onChange: (state: ViewerState) => void;
  #state: ViewerState;
  #roster: Roster = [];
  #link: PeerLink | null = null;
  #sampler: StatsSampler | null = null;
  #statsTimer: ReturnType<typeof setInterval> | undefined;
  readonly #ice: IceServers;
  /**
   * The help request's spoken password, when the technician typed one. Held in memory only — never stored, never
   * sent: it is the secret for the PAKE that will bind this connection to the customer's browser.
   */
  readonly password: string | null;

  constructor(code: string, password: string | null, onChange: (state: ViewerState) => void) {
    this.password = password;
    this.#onChange = onChange;
    this.#state = {
      code,
      customer: null,
      customerRejoinBy: null,
      sharing: null,
      surface: "unknown",
      stream: null,
      link: null,
      stats: null,
      iceRestarts: 0,
      relay: null,
      relayFailure: null,
      signaling: "connecting",
      ended: null,
      notice: null,
    };
    this.#signaling = new SignalingClient({
      code,
      role: "technician",
      onMessage: (msg) => this.#receive(msg),
      onStatus: (status, error) => {
        if (status === "closed" && error) this.#finish(error.message, true);
        this.#update({ signaling: status });
      },
    });
    this.#ice = new IceServers(
      code,
      (config) => {
        if (this.#link) applyIceServers(this.#link.pc, config);
        this.#update({ relay: this.#ice.relay });
      },
      (text) => this.#update({ notice: { text, isError: true } }),
    );
  }

  async start(): Promise<void> {
    this.#update({});
    // The ICE servers must be there before the customer's offer is answered.
    await this.#ice.ready;
    this.#signaling.start();
  }

  /** Ends the session for both sides (the room allows it to the owner only). */
  end(): void {
    this.#signaling.end();
  }

  /** Leaves the viewer; the seat stays held for a while, so coming back rejoins. */
  leave(): void {
    this.#ice.stop();
    this.#closeLink();
    this.#signaling.stop();
  }

  #receive(msg: ServerMessage): void {
    this.#roster = updateRoster(this.#roster, msg);
    switch (msg.type) {
      case "welcome":
      case "peerJoined":
      case "peerLeft":
        this.#customerChanged();
        return;
      case "peerGone":
        if (msg.id === this.#state.customer?.id) {
          this.#closeLink();
          this.#update({ sharing: null });
        }
        this.#customerChanged();
        return;
      case "offer":
        this.#acceptOffer(msg);
        return;
      case "candidate":
        if (this.#link?.remoteId === msg.from) void this.#link.handleSignal(msg);
        return;
      case "answer":
      case "keyExchange":
        // Technicians answer and never offer; key exchange arrives with the trust work.
        return;
      case "state":
        return;
      case "ended":
        this.#finish(END_TEXT[msg.reason], false);
        return;
      case "error":
        this.#update({ notice: { text: msg.message, isError: true } });
        return;
      default:
        assertNever(msg);
    }
  }

  /** The customer, from the roster: there is at most one. */
  #customerChanged(): void {
    const customer = this.#roster.find((entry) => entry.peer.role === "customer") ?? null;
    this.#update({ customer: customer?.peer ?? null, customerRejoinBy: customer?.rejoinBy ?? null });
  }

  /** An offer on the current connection (an ICE restart) is answered in place; one from a new connection replaces it. */
  #acceptOffer(msg: Extract<ServerMessage, { type: "offer" }>): void {
    const current = this.#link;
    const currentSdp = current?.pc.remoteDescription?.sdp;
    const isSameConnection =
      current !== null &&
      current.remoteId === msg.from &&
      currentSdp !== undefined &&
      sdpSessionId(currentSdp) === sdpSessionId(msg.sdp);
    if (!isSameConnection) this.#openLink(msg.from);
    const link = this.#link;
    if (!link) return;
    void link.handleSignal(msg).then(() => {
      if (this.#link === link) this.#update({ iceRestarts: link.iceRestarts });
    });
  }

  #openLink(remoteId: string): void {
    this.#closeLink();
    const link = new PeerLink({
      remoteId,
      isOfferer: false,
      config: this.#ice.config,
      sendSignal: (msg) => this.#signaling.send(msg),
      onState: (state) => {
        if (this.#link === link) this.#update({ link: state });
      },
      onTrack: (track) => {
        if (this.#link === link) this.#update({ stream: new MediaStream([track]) });
      },
      onControl: (msg) => {
        if (this.#link === link && msg.type === "sharing") this.#update({ sharing: msg.state, surface: msg.surface });
      },
      onRelayFailure: (relayFailure) => {
        if (this.#link === link) this.#update({ relayFailure });
      },
    });
    this.#link = link;
    this.#sampler = new StatsSampler(link.pc, "inbound");
    this.#update({ link: link.state, stats: null, iceRestarts: 0, relayFailure: null });
    this.#statsTimer = setInterval(() => void this.#sample(), 1_000);
  }

  async #sample(): Promise<void> {
    const sampler = this.#sampler;
    if (!sampler) return;
    const stats = await sampler.sample().catch(() => null);
    if (sampler === this.#sampler) this.#update({ stats, iceRestarts: this.#link?.iceRestarts ?? 0 });
  }

  #closeLink(): void {
    clearInterval(this.#statsTimer);
    this.#link?.close();
    this.#link = null;
    this.#sampler = null;
    this.#update({ link: null, stats: null, stream: null });
  }

  #finish(text: string, isError: boolean): void {
    this.#ice.stop();
    this.#closeLink();
    this.#signaling.stop();
    this.#update({ ended: text, sharing: null, notice: isError ? { text, isError } : null });
  }

  #update(patch: Partial<ViewerState>): void {
    this.#state = { ...this.#state, ...patch };
    this.#onChange(this.#state);
  }
}
