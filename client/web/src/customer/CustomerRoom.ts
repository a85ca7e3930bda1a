import { assertNever } from "#protocol/assert-never.ts";
import type { ErrorCode } from "#protocol/errors.ts";
import type { ClientMessage, EndReason, ServerMessage, SessionSummary } from "#protocol/room.ts";
import { isSameFingerprint } from "../../../core/fingerprint.ts";
import type { HandshakeConfirmed } from "../../../core/handshake.ts";
import { interceptNotice, isInterceptNotice } from "../rtc/intercept-notice.ts";
import { type Roster, updateRoster } from "../rtc/roster.ts";
import { CustomerHandshakes, type OwnCertificate } from "./CustomerHandshakes.ts";
import type { CustomerSecret } from "./secret.ts";

/** The verification code of a technician's confirmed handshake, and whether the person said it matches. */
export type Verification = { code: string; isMatched: boolean };

/** A technician whose handshake this side confirmed, and the verification code it shows for them. */
export type Trusted = { confirmed: HandshakeConfirmed; verification: Verification };

/** What the room gives the person to hear, as data; each side words it. */
export type RoomNotice =
  /** A technician's handshake failed: a wrong link or password, or someone in between; nothing was sent to them. */
  | { code: "handshakeFailed" }
  /** The room refused a technician's handshake for now: someone may be guessing. */
  | { code: "throttled"; failures: number; retryAt: number }
  /** An error the room reported: its code, and its English message for diagnosis. */
  | { code: "server"; error: ErrorCode; message: string };

/** An answer or candidate from a technician, for the connection it names. */
export type RoomSignal = Extract<ServerMessage, { type: "answer" | "candidate" }>;

export type CustomerRoomEvents = {
  send(msg: ClientMessage): boolean;
  /** The session as the room's welcome describes it (also after a reconnect). */
  onWelcome(session: SessionSummary): void;
  /** Who is in the room, or whom this side trusts, changed. */
  onPeersChanged(): void;
  /** A technician left for good; their trust is dropped right after. */
  onGone(id: string): void;
  onSignal(msg: RoomSignal): void;
  /** The owner handed the session to `id`. */
  onOwnerChanged(id: string): void;
  onExtended(expiresAt: number): void;
  /** Something to tell the person; null once a technician's handshake confirmed (a failure's notice no longer holds). */
  onNotice(notice: RoomNotice | null): void;
  /** The room ended the session, or a technician's page said its connection showed another certificate. */
  onEnded(end: { reason: EndReason } | { reason: "intercepted" }): void;
};

/**
 * The customer's side of the room, as the customer's page and the native agent share it: who is there (the roster),
 * every technician's handshake (CustomerHandshakes) and whom it made trusted, with their verification code kept
 * across a run that shows the same certificate again, and what each other frame of the room means. What a side does
 * about it (its connection, its consent, its words) is its own, through the events.
 */
export class CustomerRoom {
  readonly #events: CustomerRoomEvents;
  readonly #handshakes: CustomerHandshakes;
  readonly #trusted = new Map<string, Trusted>();
  #roster: Roster = [];

  constructor(code: string, secret: CustomerSecret, certificate: Promise<OwnCertificate>, events: CustomerRoomEvents) {
    this.#events = events;
    this.#handshakes = new CustomerHandshakes(code, secret, certificate, {
      send: (msg) => events.send(msg),
      onConfirmed: (technicianId, confirmed) => this.#confirmed(technicianId, confirmed),
      onFailed: () => events.onNotice({ code: "handshakeFailed" }),
    });
  }

  /** Everyone else in the room, as it last said. */
  get roster(): Roster {
    return this.#roster;
  }

  /** The technician's confirmed handshake and verification code, if this side trusts them. */
  trusted(id: string): Trusted | undefined {
    return this.#trusted.get(id);
  }

  /** The person heard the same words from technician `id`: their code is marked as matching (null: not trusted). */
  confirmCode(id: string): Verification | null {
    const trusted = this.#trusted.get(id);
    if (!trusted) return null;
    trusted.verification = { ...trusted.verification, isMatched: true };
    return trusted.verification;
  }

  /** Technician `id` is out for good (the customer removed them): neither trusted nor listed from now on. */
  forget(id: string): void {
    this.#trusted.delete(id);
    this.#roster = this.#roster.filter((entry) => entry.peer.id !== id);
  }

  /** This side's connection to `id` showed another certificate: tell their page, if the relay lets it through. */
  sayIntercepted(id: string): void {
    const trusted = this.#trusted.get(id);
    if (trusted) this.#events.send({ type: "keyExchange", to: id, payload: interceptNotice(trusted.confirmed) });
  }

  /** Takes one frame from the room. */
  receive(msg: ServerMessage): void {
    const events = this.#events;
    this.#roster = updateRoster(this.#roster, msg);
    switch (msg.type) {
      case "welcome":
        events.onWelcome(msg.session);
        events.onPeersChanged();
        return;
      case "peerJoined":
      case "peerLeft":
        events.onPeersChanged();
        return;
      case "peerGone":
        events.onGone(msg.id);
        this.#trusted.delete(msg.id);
        events.onPeersChanged();
        return;
      case "pakeStart":
      case "pakeFinish":
        this.#handshakes.receive(msg);
        return;
      case "handshakeThrottled":
        events.onNotice({ code: "throttled", failures: msg.failures, retryAt: msg.retryAt });
        return;
      case "keyExchange": {
        const trusted = this.#trusted.get(msg.from);
        if (trusted && isInterceptNotice(trusted.confirmed, msg.payload)) events.onEnded({ reason: "intercepted" });
        return;
      }
      case "answer":
      case "candidate":
        events.onSignal(msg);
        return;
      case "offer":
      case "pakeReply":
      case "pakeResult":
      case "state":
        // The customer's side makes the offers and answers the handshakes; these are a technician's to receive.
        return;
      case "ended":
        events.onEnded({ reason: msg.reason });
        return;
      case "extended":
        events.onExtended(msg.expiresAt);
        return;
      case "ownerChanged":
        events.onOwnerChanged(msg.id);
        return;
      case "error":
        // A refused signal or handshake frame is the technician's to retry; nothing the person can act on.
        if (msg.code === "HANDSHAKE_REQUIRED" || msg.code === "PEER_NOT_FOUND") return;
        events.onNotice({ code: "server", error: msg.code, message: msg.message });
        return;
      default:
        assertNever(msg);
    }
  }

  /**
   * A technician's handshake confirmed. The same certificate as their last confirmed run (only a socket came back)
   * keeps its verification code and the person's check of it; a new certificate (a new page) gets the new code.
   */
  #confirmed(technicianId: string, confirmed: HandshakeConfirmed): void {
    const previous = this.#trusted.get(technicianId);
    const isSamePeer = previous && isSameFingerprint(previous.confirmed.peerFingerprint, confirmed.peerFingerprint);
    const verification = isSamePeer ? previous.verification : { code: confirmed.verificationCode, isMatched: false };
    this.#trusted.set(technicianId, { confirmed, verification });
    this.#events.onNotice(null);
    this.#events.onPeersChanged();
  }
}
