import { assertNever } from "#protocol/assert-never.ts";
import type { ErrorCode } from "#protocol/errors.ts";
import type { CertificateFingerprint } from "#protocol/handshake.ts";
import type { EndReason, Peer, ServerMessage, SignalMessage } from "#protocol/room.ts";
import { toBase64url } from "../core/base64url.ts";
import { isSameFingerprint } from "../core/fingerprint.ts";
import type { HandshakeConfirmed } from "../core/handshake.ts";
import { CustomerHandshakes, type OwnCertificate } from "../web/src/customer/CustomerHandshakes.ts";
import { linkSecret } from "../web/src/customer/secret.ts";
import { fetchSessionInfo } from "../web/src/customer/session-info.ts";
import type { CallApi } from "../web/src/lib/api.ts";
import { interceptNotice, isInterceptNotice } from "../web/src/rtc/intercept-notice.ts";
import { type Roster, updateRoster } from "../web/src/rtc/roster.ts";
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
// (signaling, CustomerHandshakes, the roster, the API client) on Node's runtime; the connection itself is the
// runtime's WebRTC behind OwnerConnection, and the screen it sends is the capture's.

/** waiting: no technician yet; asking: the technician is known, nothing allowed; viewing: allowed; ended: over. */
export type AgentPhase = "waiting" | "asking" | "viewing" | "ended";

/** Why the session ended for the agent, as data; the terminal words it. */
export type AgentEnd =
  | { reason: EndReason }
  | { reason: "intercepted" | "codeMismatch" }
  /** The screen could not be captured (the display went away, the capture program failed). */
  | { reason: "captureFailed" }
  | { reason: "refused"; code: SignalingError["code"]; message: string };

/** Something to tell the person, as data. */
export type AgentNotice =
  | { code: "handshakeFailed" }
  | { code: "throttled"; failures: number; retryAt: number }
  | { code: "server"; error: ErrorCode; message: string };

/** Everything the terminal shows; given whole after every change. */
export type AgentView = {
  phase: AgentPhase;
  code: string;
  technician: { name: string; organisation: string } | null;
  caseNumber: string | null;
  /** The technician who owns the session: the one who may see the screen. */
  owner: Peer | null;
  /** The owner's confirmed handshake's code, once there is one, and whether the person said it matches. */
  verification: { code: string; isMatched: boolean } | null;
  isAllowed: boolean;
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
  /** The agent's DTLS certificate, made before the handshake, which binds its fingerprint. */
  certificate: Promise<OwnCertificate>;
  /** What the shared client core runs on (node-runtime.ts). */
  runtime: { openSocket: (url: string) => SocketLike; storage: TokenStorage; api: CallApi };
  /** Makes the connection to the owner; `sendSignal` relays its offers and candidates through the room. */
  connection: (sendSignal: (msg: SignalMessage) => boolean) => OwnerConnection;
  onChange: (view: AgentView) => void;
};

/** The customer's side of a session on the native agent (see above). */
export class AgentSession {
  readonly #options: AgentSessionOptions;
  readonly #signaling: SignalingClient;
  readonly #handshakes: CustomerHandshakes;
  readonly #connection: OwnerConnection;
  readonly #trusted = new Map<string, { confirmed: HandshakeConfirmed; isMatched: boolean }>();
  #roster: Roster = [];
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
      signaling: "connecting",
      ended: null,
      notice: null,
    };
    this.#handshakes = new CustomerHandshakes(link.code, linkSecret(link.prs), options.certificate, {
      send: (msg) => this.#signaling.send(msg),
      onConfirmed: (technicianId, confirmed) => this.#confirmed(technicianId, confirmed),
      onFailed: () => this.#update({ notice: { code: "handshakeFailed" } }),
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
      onMessage: (msg) => this.#receive(msg),
      onStatus: (status, error) => {
        if (status === "closed" && error) this.#finish({ reason: "refused", ...error });
        // Seated again: the room hears the consent again, which a message sent while away would have lost.
        if (status === "open" && this.#view.isAllowed) this.#tellConsent(true);
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
    const trusted = owner ? this.#trusted.get(owner.id) : undefined;
    if (!trusted) return;
    trusted.isMatched = true;
    this.#peersChanged();
  }

  /** The technician read other words: someone may be in the middle, so the session ends for both sides. */
  rejectCode(): void {
    this.#signaling.end("code_mismatch");
    this.#finish({ reason: "codeMismatch" }, false);
  }

  /** Allow (or stop) viewing: the room logs it, and the owner's connection is made (or closed). */
  setAllowed(isAllowed: boolean): void {
    if (this.#view.phase === "ended" || isAllowed === this.#view.isAllowed) return;
    this.#tellConsent(isAllowed);
    this.#update({ isAllowed });
    if (!isAllowed) this.#connection.close();
    this.#sync();
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
    const trusted = owner ? this.#trusted.get(owner.id) : undefined;
    if (owner && trusted) {
      this.#signaling.send({ type: "keyExchange", to: owner.id, payload: interceptNotice(trusted.confirmed) });
    }
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

  #tellConsent(isGiven: boolean): void {
    this.#signaling.send({ type: "consent", permission: "view", isGiven });
  }

  #receive(msg: ServerMessage): void {
    this.#roster = updateRoster(this.#roster, msg);
    switch (msg.type) {
      case "welcome":
        this.#update({
          technician: msg.session.technician ?? this.#view.technician,
          caseNumber: msg.session.caseNumber ?? this.#view.caseNumber,
        });
        this.#peersChanged();
        return;
      case "peerJoined":
      case "peerLeft":
        this.#peersChanged();
        return;
      case "peerGone":
        if (this.#view.owner?.id === msg.id) this.#connection.close();
        this.#trusted.delete(msg.id);
        this.#peersChanged();
        return;
      case "pakeStart":
      case "pakeFinish":
        this.#handshakes.receive(msg);
        return;
      case "handshakeThrottled":
        this.#update({ notice: { code: "throttled", failures: msg.failures, retryAt: msg.retryAt } });
        return;
      case "keyExchange": {
        const trusted = this.#trusted.get(msg.from);
        if (trusted && isInterceptNotice(trusted.confirmed, msg.payload)) this.#finish({ reason: "intercepted" });
        return;
      }
      case "answer":
      case "candidate":
        this.#connection.handleSignal(msg);
        return;
      case "offer":
      case "pakeReply":
      case "pakeResult":
      case "state":
      case "extended":
        return;
      // The room hands a session over only to a colleague the customer's side let in, and the agent lets no colleague
      // in: it stays with the owner it confirmed.
      case "ownerChanged":
        return;
      case "ended":
        this.#finish({ reason: msg.reason });
        return;
      case "error":
        // A refused signal or handshake frame is the technician's to retry.
        if (msg.code === "HANDSHAKE_REQUIRED" || msg.code === "PEER_NOT_FOUND") return;
        this.#update({ notice: { code: "server", error: msg.code, message: msg.message } });
        return;
      default:
        assertNever(msg);
    }
  }

  /** A technician's handshake confirmed; the same certificate as before keeps the person's check of its code. */
  #confirmed(technicianId: string, confirmed: HandshakeConfirmed): void {
    const previous = this.#trusted.get(technicianId);
    const isSamePeer = previous && isSameFingerprint(previous.confirmed.peerFingerprint, confirmed.peerFingerprint);
    this.#trusted.set(technicianId, { confirmed, isMatched: isSamePeer ? previous.isMatched : false });
    if (this.#view.notice?.code === "handshakeFailed") this.#update({ notice: null });
    this.#peersChanged();
  }

  #peersChanged(): void {
    const owner = this.#roster.find((entry) => entry.peer.role === "technician" && entry.peer.isOwner)?.peer ?? null;
    const trusted = owner ? this.#trusted.get(owner.id) : undefined;
    const verification = trusted ? { code: trusted.confirmed.verificationCode, isMatched: trusted.isMatched } : null;
    this.#update({ owner, verification });
    this.#sync();
  }

  /** While allowed, keeps a connection to the owner whenever they are connected and their handshake confirmed. */
  #sync(): void {
    const owner = this.#view.owner;
    const trusted = owner ? this.#trusted.get(owner.id) : undefined;
    if (this.#view.phase !== "viewing" || !owner?.connected || !trusted) return;
    this.#connection.sync(owner.id, trusted.confirmed.peerFingerprint);
  }

  /**
   * The session is over here: nothing is sent from now on. After this side's own `end` the room connection stays
   * until the room's `ended` closes it (an end asked for while reconnecting goes out once the seat is back).
   */
  #finish(ended: AgentEnd, isStopping = true): void {
    if (this.#view.phase === "ended") return;
    this.#connection.close();
    if (isStopping) this.#signaling.stop();
    this.#update({ ended, isAllowed: false });
  }

  #update(patch: Partial<AgentView>): void {
    const view = { ...this.#view, ...patch };
    view.phase = view.ended ? "ended" : view.isAllowed ? "viewing" : view.technician ? "asking" : "waiting";
    this.#view = view;
    this.#options.onChange(view);
  }
}
