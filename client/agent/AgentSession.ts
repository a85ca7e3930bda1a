import type { CertificateFingerprint } from "#protocol/handshake.ts";
import type { EndReason, Peer, ServerMessage, SignalMessage } from "#protocol/room.ts";
import { toBase64url } from "../core/base64url.ts";
import type { OwnCertificate } from "../web/src/customer/CustomerHandshakes.ts";
import { CustomerRoom, type RoomNotice, type Verification } from "../web/src/customer/CustomerRoom.ts";
import { type CustomerSecret, linkSecret } from "../web/src/customer/secret.ts";
import { fetchSessionInfo } from "../web/src/customer/session-info.ts";
import type { CallApi } from "../web/src/lib/api.ts";
import {
  SignalingClient,
  type SignalingError,
  type SignalingStatus,
  type SocketLike,
  type TokenStorage,
} from "../web/src/rtc/signaling.ts";
import type { SessionLink } from "./link.ts";

// The customer's side of a session as the native agent runs it: the room connection, the handshake that proves each
// technician holds the link's secret, who is asking, the verification code, consent, and the one connection to the
// owning technician, made only once they are confirmed and the person allowed it. All of it is the pages' own code
// (signaling, CustomerRoom with its handshakes and roster, the API client) on Node's runtime; the connection itself is
// the runtime's WebRTC behind OwnerConnection, and the screen it sends is the capture's.

/** waiting: no technician yet; asking: the technician is known, nothing allowed; viewing: allowed; ended: over. */
export type AgentPhase = "waiting" | "asking" | "viewing" | "ended";

/** Why the session ended for the agent, as data; the terminal words it. */
export type AgentEnd =
  | { reason: EndReason }
  | { reason: "intercepted" | "codeMismatch" }
  /** The screen could not be captured (the display went away, the capture program failed). */
  | { reason: "captureFailed" }
  | { reason: "refused"; code: SignalingError["code"]; message: string };

/** Something to tell the person, as data: what the room says (a failed or throttled handshake, an error). */
export type AgentNotice = RoomNotice;

/** Everything the terminal shows; given whole after every change. */
export type AgentView = {
  phase: AgentPhase;
  code: string;
  technician: { name: string; organisation: string } | null;
  caseNumber: string | null;
  /** The technician who owns the session: the one who may see the screen. */
  owner: Peer | null;
  /** The owner's confirmed handshake's code, once there is one, and whether the person said it matches. */
  verification: Verification | null;
  isAllowed: boolean;
  /**
   * Whether the person lets the technician use the mouse and keyboard: null until asked (once viewing, on a machine
   * whose input the agent can drive: `canControl`), then their answer, which they can take back at any time.
   */
  control: boolean | null;
  canControl: boolean;
  /**
   * An enrolled machine's session that a technician opened with no one asked (unattended access): the machine's key
   * proves it to them, nobody compares a code, and the owner is let in to view and control as soon as it is confirmed.
   */
  isUnattended: boolean;
  signaling: SignalingStatus;
  ended: AgentEnd | null;
  notice: AgentNotice | null;
};

/** What the owner sends the connection through the room: its answers and candidates. */
export type OwnerSignal = Extract<ServerMessage, { type: "answer" | "candidate" }>;

/** The connection to the owning technician, which the runtime's WebRTC makes (werift on Node). */
export interface OwnerConnection {
  /** Connect to `ownerId` (or keep a working connection to it), bound to the certificate their handshake proved. */
  sync(ownerId: string, peerFingerprint: CertificateFingerprint): void;
  /** An answer or candidate from the owner. */
  handleSignal(msg: OwnerSignal): void;
  close(): void;
}

export type AgentSessionOptions = {
  link: SessionLink;
  /** What the technicians' handshakes run with; absent: the link's secret. */
  secret?: CustomerSecret;
  /** Unattended access (AgentView.isUnattended). */
  isUnattended?: boolean;
  /** The agent's DTLS certificate, made before the handshake, which binds its fingerprint. */
  certificate: Promise<OwnCertificate>;
  /** What the shared client core runs on (node-runtime.ts). */
  runtime: { openSocket: (url: string) => SocketLike; storage: TokenStorage; api: CallApi };
  /** Makes the connection to the owner; `sendSignal` relays its offers and candidates through the room. */
  connection: (sendSignal: (msg: SignalMessage) => boolean) => OwnerConnection;
  onChange: (view: AgentView) => void;
  /** Control given or taken back (also when viewing stops or the session ends); absent: this machine cannot be controlled. */
  onControl?: ((isAllowed: boolean) => void) | undefined;
};

/** The customer's side of a session on the native agent (see above). */
export class AgentSession {
  readonly #options: AgentSessionOptions;
  readonly #signaling: SignalingClient;
  /** Who is in the room, every technician's handshake, and whom the agent trusts (the customer's page's own). */
  readonly #room: CustomerRoom;
  readonly #connection: OwnerConnection;
  #view: AgentView;

  constructor(options: AgentSessionOptions) {
    this.#options = options;
    const { link, runtime } = options;
    this.#view = {
      phase: "waiting",
      code: link.code,
      technician: null,
      caseNumber: null,
      owner: null,
      verification: null,
      isAllowed: false,
      control: null,
      canControl: options.onControl !== undefined,
      isUnattended: options.isUnattended === true,
      signaling: "connecting",
      ended: null,
      notice: null,
    };
    this.#room = new CustomerRoom(link.code, options.secret ?? linkSecret(link.prs), options.certificate, {
      send: (msg) => this.#signaling.send(msg),
      onWelcome: (session) =>
        this.#update({
          technician: session.technician ?? this.#view.technician,
          caseNumber: session.caseNumber ?? this.#view.caseNumber,
        }),
      onPeersChanged: () => this.#peersChanged(),
      onGone: (id) => {
        if (this.#view.owner?.id === id) this.#connection.close();
      },
      onSignal: (msg) => this.#connection.handleSignal(msg),
      // The room hands a session over only to a colleague the customer's side let in, and the agent lets no colleague
      // in: it stays with the owner it confirmed.
      onOwnerChanged: () => undefined,
      // The terminal shows no end time.
      onExtended: () => undefined,
      onNotice: (notice) => {
        if (notice || this.#view.notice?.code === "handshakeFailed") this.#update({ notice });
      },
      onEnded: (end) => this.#finish(end),
    });
    this.#signaling = new SignalingClient({
      code: link.code,
      role: "customer",
      seatKey: toBase64url(link.seatKey),
      capture: "screen",
      origin: link.origin,
      openSocket: runtime.openSocket,
      storage: runtime.storage,
      // Node has no `online` event; the backoff's retries bring the connection back.
      onOnline: () => undefined,
      onMessage: (msg) => this.#room.receive(msg),
      onStatus: (status, error) => {
        if (status === "closed" && error) this.#finish({ reason: "refused", ...error });
        // Seated again: the room hears the consent again, which a message sent while away would have lost.
        if (status === "open" && this.#view.isAllowed) this.#tellConsent("view", true);
        if (status === "open" && this.#view.control) this.#tellConsent("control", true);
        this.#update({ signaling: status });
      },
    });
    this.#connection = options.connection((msg) => this.#signaling.send(msg));
  }

  get view(): AgentView {
    return this.#view;
  }

  /** Joins the room (as the customer's seat, sharing nothing) and reads who is asking. */
  start(): void {
    this.#signaling.start();
    void this.#readSession();
  }

  /** The person heard the same words from the technician. */
  confirmCode(): void {
    const owner = this.#view.owner;
    if (owner && this.#room.confirmCode(owner.id)) this.#peersChanged();
  }

  /** The technician read other words: someone may be in the middle, so the session ends for both sides. */
  rejectCode(): void {
    this.#signaling.end("code_mismatch");
    this.#finish({ reason: "codeMismatch" }, false);
  }

  /** Allow (or stop) viewing: the room logs it, and the owner's connection is made (or closed). */
  setAllowed(isAllowed: boolean): void {
    if (this.#view.phase === "ended" || isAllowed === this.#view.isAllowed) return;
    if (!isAllowed) this.setControl(false);
    this.#tellConsent("view", isAllowed);
    this.#update({ isAllowed });
    if (!isAllowed) this.#connection.close();
    this.#sync();
  }

  /**
   * Let the technician use the mouse and keyboard, or take it back (at once: whatever they hold is released). Only
   * while viewing, on a machine the agent can control; the room logs it as its own consent.
   */
  setControl(isAllowed: boolean): void {
    const { phase, canControl, control } = this.#view;
    if (!canControl || (isAllowed && phase !== "viewing") || isAllowed === control) return;
    // Taking back what was never given is only the answer "no".
    if (isAllowed || control) this.#tellConsent("control", isAllowed);
    this.#update({ control: isAllowed });
    this.#options.onControl?.(isAllowed);
  }

  /** End: the room ends the session for everyone. */
  end(): void {
    this.#signaling.end();
    this.#finish({ reason: "ended_by_customer" }, false);
  }

  /** The screen can no longer be captured: the session ends for both sides rather than show nothing. */
  captureFailed(): void {
    this.#signaling.end();
    this.#finish({ reason: "captureFailed" }, false);
  }

  /** The connection showed a certificate other than the authenticated one: tell the owner, and end. */
  intercepted(): void {
    const owner = this.#view.owner;
    if (owner) this.#room.sayIntercepted(owner.id);
    this.#signaling.end();
    this.#finish({ reason: "intercepted" }, false);
  }

  async #readSession(): Promise<void> {
    const { code, seatKey } = this.#options.link;
    const info = await fetchSessionInfo(code, toBase64url(seatKey), this.#options.runtime.api);
    if (info.ok && this.#view.phase !== "ended") {
      this.#update({
        technician: info.data.technician ?? this.#view.technician,
        caseNumber: info.data.caseNumber ?? this.#view.caseNumber,
      });
    }
  }

  #tellConsent(permission: "view" | "control", isGiven: boolean): void {
    this.#signaling.send({ type: "consent", permission, isGiven });
  }

  #peersChanged(): void {
    const owner =
      this.#room.roster.find((entry) => entry.peer.role === "technician" && entry.peer.isOwner)?.peer ?? null;
    const verification = (owner && this.#room.trusted(owner.id)?.verification) ?? null;
    this.#update({ owner, verification });
    this.#sync();
    if (this.#view.isUnattended) this.#admitOwner();
  }

  /**
   * Unattended access: the owner, once their handshake with the machine's key confirmed, views and controls with no
   * one asked. Control taken back (the strip's End, the shortcut) stays back.
   */
  #admitOwner(): void {
    const owner = this.#view.owner;
    if (this.#view.phase === "asking" && owner?.connected && this.#room.trusted(owner.id)) this.setAllowed(true);
    if (this.#view.phase === "viewing" && this.#view.control === null) this.setControl(true);
  }

  /** While allowed, keeps a connection to the owner whenever they are connected and their handshake confirmed. */
  #sync(): void {
    const owner = this.#view.owner;
    const trusted = owner ? this.#room.trusted(owner.id) : undefined;
    if (this.#view.phase !== "viewing" || !owner?.connected || !trusted) return;
    this.#connection.sync(owner.id, trusted.confirmed.peerFingerprint);
  }

  /**
   * The session is over here: nothing is sent from now on. After this side's own `end` the room connection stays
   * until the room's `ended` closes it (an end asked for while reconnecting goes out once the seat is back).
   */
  #finish(ended: AgentEnd, isStopping = true): void {
    if (this.#view.phase === "ended") return;
    if (this.#view.control) this.#options.onControl?.(false);
    this.#connection.close();
    if (isStopping) this.#signaling.stop();
    this.#update({ ended, isAllowed: false, control: this.#view.control === null ? null : false });
  }

  #update(patch: Partial<AgentView>): void {
    const view = { ...this.#view, ...patch };
    view.phase = view.ended ? "ended" : view.isAllowed ? "viewing" : view.technician ? "asking" : "waiting";
    this.#view = view;
    this.#options.onChange(view);
  }
}
