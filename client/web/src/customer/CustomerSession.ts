import { assertNever } from "#protocol/assert-never.ts";
import type { SharingState } from "#protocol/control.ts";
import type { EndReason, Peer, ServerMessage } from "#protocol/room.ts";
import { PublicSession } from "#protocol/sessions.ts";
import { callApi } from "../lib/api.ts";
import type { LinkState, RelayFailure } from "../rtc/PeerLink.ts";
import { type Roster, updateRoster } from "../rtc/roster.ts";
import { captureScreen, surfaceOf } from "../rtc/screen.ts";
import { SignalingClient, type SignalingStatus } from "../rtc/signaling.ts";
import type { LinkStats } from "../rtc/stats.ts";
import { OwnerLink } from "./OwnerLink.ts";

/** waiting: no technician yet (help flow); asking: the consent screen; sharing: after Allow; ended: over. */
export type CustomerPhase = "waiting" | "asking" | "sharing" | "ended";

/** Everything the customer's page shows; rendered whole after every change. */
export type CustomerView = {
  phase: CustomerPhase;
  code: string;
  technician: { name: string; organisation: string } | null;
  caseNumber: string | null;
  expiresAt: number | null;
  /** The technician who owns the session: the one who may see the screen. */
  owner: Peer | null;
  /** When a dropped owner's seat is released, if they dropped. */
  ownerRejoinBy: number | null;
  /** Other technicians in the room: listed, never sent the screen. */
  others: Peer[];
  sharing: SharingState;
  /** What is captured (for the page's own preview); null when stopped. */
  track: MediaStreamTrack | null;
  link: LinkState | null;
  stats: LinkStats | null;
  /** Relay-only, and no relay could be reached: the technician cannot get the picture. */
  relayFailure: RelayFailure | null;
  signaling: SignalingStatus;
  ended: string | null;
  notice: { text: string; isError: boolean } | null;
};

const END_TEXT: Record<EndReason, string> = {
  ended_by_customer: "You ended the session. Nothing more is shared.",
  ended_by_technician: "The technician ended the session. Nothing more is shared.",
  expired: "The session reached its time limit. Nothing more is shared.",
  idle: "The session ended after a period without activity. Nothing more is shared.",
};

/**
 * The customer's side of a session: consent, capture, the one connection to the owning technician, Pause, Stop
 * and End. Nothing is captured or sent before `allow()`, which the page calls from the Allow button's click.
 */
export class CustomerSession {
  readonly #signaling: SignalingClient;
  readonly #onChange: (view: CustomerView) => void;
  #roster: Roster = [];
  #view: CustomerView;
  #track: MediaStreamTrack | null = null;
  /** The connection to the owning technician; made at Allow, so there is none before consent. */
  #link: OwnerLink | null = null;
  #hasConsented = false;
  /** A help request ends when its page goes: nobody can find it again (the password lived only in that page). */
  readonly #isEndedOnLeave: boolean;

  constructor(
    code: string,
    session: PublicSession | null,
    onChange: (view: CustomerView) => void,
    options: { isEndedOnLeave?: boolean } = {},
  ) {
    this.#onChange = onChange;
    this.#isEndedOnLeave = options.isEndedOnLeave ?? false;
    this.#view = {
      phase: "waiting",
      code,
      technician: session?.technician ?? null,
      caseNumber: session?.caseNumber ?? null,
      expiresAt: session?.expiresAt ?? null,
      owner: null,
      ownerRejoinBy: null,
      others: [],
      sharing: "stopped",
      track: null,
      link: null,
      stats: null,
      relayFailure: null,
      signaling: "connecting",
      ended: null,
      notice: null,
    };
    this.#signaling = new SignalingClient({
      code,
      role: "customer",
      onMessage: (msg) => this.#receive(msg),
      onStatus: (status, error) => {
        if (status === "closed" && error) this.#finish(error.message, true);
        this.#update({ signaling: status });
      },
    });
  }

  /** Joins the room (as a seat, sharing nothing) so the page can show who is there. */
  start(): void {
    this.#update({});
    this.#signaling.start();
    // ICE servers are fetched as the page opens, not after Allow: the connection can then be offered at once.
    this.#ensureLink();
  }

  /** Allow: opens the browser's picker, then shares what the person picked with the owning technician. */
  async allow(): Promise<void> {
    // captureScreen runs first, inside the click's user activation.
    const track = await this.#capture();
    if (!track) return;
    this.#hasConsented = true;
    this.#ensureLink();
    this.#useTrack(track);
    this.#update({ notice: null });
    await this.#syncLink();
  }

  /** The connection to the owning technician; it fetches the session's ICE servers as soon as it exists. */
  #ensureLink(): OwnerLink {
    this.#link ??= new OwnerLink(this.#view.code, {
      sendSignal: (msg) => this.#signaling.send(msg),
      onState: (link) => this.#update({ link }),
      onStats: (stats) => this.#update({ stats }),
      onRelayFailure: (relayFailure) => this.#update({ relayFailure }),
      onControlOpen: () => this.#announceSharing(),
      onNotice: (text) => this.#update({ notice: { text, isError: true } }),
    });
    return this.#link;
  }

  /** Don't allow: the session ends, for both sides. */
  decline(): void {
    this.end();
  }

  /**
   * Pause: the sender carries no track until resume, so not a frame leaves (track.enabled = false would still send
   * black frames), and a `sharing` message on the control channel tells the technician at once that it is a pause.
   * A remote track's mute event is no substitute: browsers fire it late, if at all, and it cannot tell a pause from
   * a network drop.
   */
  async pause(): Promise<void> {
    if (this.#view.sharing !== "live") return;
    this.#setSharing("paused");
    await this.#link?.setTrack(null);
  }

  async resume(): Promise<void> {
    if (this.#view.sharing !== "paused" || !this.#track) return;
    await this.#link?.setTrack(this.#track);
    this.#setSharing("live");
  }

  /** Share something else (or again after Stop): a new pick replaces the track in place, with no renegotiation. */
  async switchSource(): Promise<void> {
    const track = await this.#capture();
    if (!track) return;
    const old = this.#track;
    this.#useTrack(track);
    old?.stop();
  }

  /** Stop sharing: the capture ends; the session stays, so the person can share again or end. */
  stopSharing(notice?: string): void {
    const track = this.#track;
    this.#track = null;
    track?.stop();
    void this.#link?.setTrack(null);
    this.#setSharing("stopped");
    this.#update({ track: null, notice: notice ? { text: notice, isError: false } : null });
  }

  /** End: the room ends for everyone; this page stops sharing at once, whatever the network does. */
  end(): void {
    this.#signaling.end();
    this.#teardown();
    this.#update({ ended: this.#endText("ended_by_customer"), sharing: "stopped", track: null, notice: null });
  }

  /** The tab is going away: once anything was shared (or for a help request, always), closing it ends the session. */
  leave(): void {
    const isEnding = this.#hasConsented || this.#isEndedOnLeave;
    if (isEnding && this.#view.phase !== "ended") this.#signaling.send({ type: "end" });
    this.#teardown();
    this.#signaling.stop();
  }

  async #capture(): Promise<MediaStreamTrack | null> {
    try {
      return await captureScreen();
    } catch (err) {
      const name = err instanceof Error ? err.name : "";
      const text =
        name === "NotAllowedError"
          ? "Nothing was shared: the picker was closed or sharing is blocked in this browser."
          : "This browser could not share the screen. Try a current Chrome, Edge, Firefox or Safari on a computer.";
      this.#update({ notice: { text, isError: true } });
      return null;
    }
  }

  #useTrack(track: MediaStreamTrack): void {
    this.#track = track;
    // The browser's own "Stop sharing" ends the track; the session notices and says so on both sides.
    track.addEventListener("ended", () => {
      if (this.#track === track) this.stopSharing("You stopped sharing from the browser's control.");
    });
    void this.#link?.setTrack(track);
    this.#update({ track });
    this.#setSharing("live");
  }

  #setSharing(sharing: SharingState): void {
    this.#update({ sharing });
    this.#announceSharing();
  }

  #announceSharing(): void {
    this.#link?.sendControl({ type: "sharing", state: this.#view.sharing, surface: surfaceOf(this.#track) });
  }

  #receive(msg: ServerMessage): void {
    this.#roster = updateRoster(this.#roster, msg);
    switch (msg.type) {
      case "welcome":
        this.#update({
          technician: msg.session.technician ?? this.#view.technician,
          caseNumber: msg.session.caseNumber ?? this.#view.caseNumber,
          expiresAt: msg.session.expiresAt,
        });
        this.#peersChanged();
        return;
      case "peerJoined":
      case "peerLeft":
        this.#peersChanged();
        return;
      case "peerGone":
        if (this.#link?.remoteId === msg.id) this.#link.close();
        this.#peersChanged();
        return;
      case "answer":
      case "candidate":
        this.#link?.handleSignal(msg);
        return;
      case "offer":
      case "keyExchange":
        // The customer makes the offers; key exchange arrives with the trust work.
        return;
      case "state":
        return;
      case "ended":
        this.#finish(this.#endText(msg.reason), false);
        return;
      case "error":
        this.#update({ notice: { text: msg.message, isError: true } });
        return;
      default:
        assertNever(msg);
    }
  }

  #endText(reason: EndReason): string {
    if (reason === "ended_by_customer" && !this.#hasConsented) {
      return "You did not allow sharing, so the session has ended. Nothing was shared.";
    }
    return END_TEXT[reason];
  }

  /** The owning technician (the one who may see the screen) and the others, from the roster. */
  #peersChanged(): void {
    const technicians = this.#roster.filter((entry) => entry.peer.role === "technician");
    const owner = technicians.find((entry) => entry.peer.isOwner) ?? null;
    this.#update({
      owner: owner?.peer ?? null,
      ownerRejoinBy: owner?.rejoinBy ?? null,
      others: technicians.filter((entry) => entry !== owner).map((entry) => entry.peer),
    });
    // A help request gets its technician's name and organisation once someone claims it.
    if (owner && !this.#view.technician) void this.#refreshSession();
    void this.#syncLink();
  }

  async #refreshSession(): Promise<void> {
    const info = await callApi("GET", `/api/sessions/${this.#view.code}`, PublicSession);
    if (info.ok && info.data.technician) this.#update({ technician: info.data.technician });
  }

  /** While sharing, keeps a working connection to the owner whenever they are connected. */
  async #syncLink(): Promise<void> {
    const owner = this.#view.owner;
    // Nothing is offered before Allow: the link exists from the start only to have its ICE servers ready.
    if (!this.#link || !this.#hasConsented || this.#view.phase === "ended" || !owner?.connected) return;
    await this.#link.sync(owner.id, this.#view.sharing === "live" ? this.#track : null);
  }

  #teardown(): void {
    this.#track?.stop();
    this.#track = null;
    this.#link?.stop();
  }

  #finish(text: string, isError: boolean): void {
    this.#teardown();
    this.#signaling.stop();
    this.#update({ ended: text, sharing: "stopped", track: null, notice: isError ? { text, isError } : null });
  }

  #update(patch: Partial<CustomerView>): void {
    const view = { ...this.#view, ...patch };
    view.phase =
      view.ended !== null ? "ended" : this.#hasConsented ? "sharing" : view.technician ? "asking" : "waiting";
    this.#view = view;
    this.#onChange(view);
  }
}
