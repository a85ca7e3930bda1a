import type { CertificateFingerprint } from "#protocol/handshake.ts";
import type { ClientMessage, ServerMessage } from "#protocol/room.ts";
import { type CustomerHandshake, customerHandshake, type HandshakeConfirmed } from "../../../core/handshake.ts";
import { markHandshake } from "../lib/handshake-marks.ts";
import type { CustomerSecret } from "./secret.ts";

/** The handshake frames a technician sends the customer's page. */
export type TechnicianFrame = Extract<ServerMessage, { type: "pakeStart" | "pakeFinish" }>;

/** What a run needs of this page's certificate (rtc/certificate.ts): its fingerprint. */
export type OwnCertificate = { readonly fingerprint: CertificateFingerprint };

export type CustomerHandshakeEvents = {
  send(msg: ClientMessage): boolean;
  /** A technician proved the secret (their pakeResult is already sent): their confirmed run, replacing any earlier. */
  onConfirmed(technicianId: string, confirmed: HandshakeConfirmed): void;
  /** A technician's run did not prove the secret (wrong secret, a frame that did not check out): nothing was trusted. */
  onFailed(technicianId: string): void;
};

/**
 * The customer's page's side of every technician's handshake (client/core/handshake.ts): one run at a time, each
 * with the PRS its secret gives for that attempt (a Get-help password's guard counts every attempt), bound to this
 * page's certificate. A technician is trusted only through a run that confirmed, and stays so until a newer run of
 * theirs confirms; a failed run changes nothing that was trusted before.
 */
export class CustomerHandshakes {
  readonly #code: string;
  readonly #secret: CustomerSecret;
  readonly #certificate: Promise<OwnCertificate>;
  readonly #events: CustomerHandshakeEvents;
  #pending: { technicianId: string; run: CustomerHandshake; attempt: number } | null = null;
  readonly #confirmed = new Map<string, HandshakeConfirmed>();
  /** Frames are handled one at a time: a pakeFinish waits for the reply to its pakeStart (and the certificate). */
  #queue: Promise<void> = Promise.resolve();

  constructor(
    code: string,
    secret: CustomerSecret,
    certificate: Promise<OwnCertificate>,
    events: CustomerHandshakeEvents,
  ) {
    this.#code = code;
    this.#secret = secret;
    this.#certificate = certificate;
    this.#events = events;
  }

  /** The technician's confirmed run, if any. */
  confirmed(technicianId: string): HandshakeConfirmed | null {
    return this.#confirmed.get(technicianId) ?? null;
  }

  /** Takes a technician's pakeStart or pakeFinish. */
  receive(msg: TechnicianFrame): void {
    this.#queue = this.#queue.then(() => this.#handle(msg)).catch(() => undefined);
  }

  async #handle(msg: TechnicianFrame): Promise<void> {
    if (msg.type === "pakeStart") return this.#start(msg, await this.#certificate);
    const pending = this.#pending;
    // Only the open run's technician may finish it; anything else is not a run of this page.
    if (!pending || pending.technicianId !== msg.from) return;
    this.#pending = null;
    const finished = pending.run.onFinish(msg);
    if (!finished.ok) {
      this.#secret.failed(Date.now(), pending.attempt);
      if (finished.result) this.#events.send({ type: "pakeResult", to: msg.from, ...finished.result });
      this.#events.onFailed(msg.from);
      return;
    }
    // The guard may have counted the attempt as abandoned already (it ran out of time): then it is not trusted.
    if (!this.#secret.succeeded(Date.now(), pending.attempt)) {
      this.#events.send({ type: "pakeResult", to: msg.from, ok: false });
      return;
    }
    this.#confirmed.set(msg.from, finished.confirmed);
    markHandshake("confirmed");
    // The verdict goes out first: the room lets the connection's signals pass only after it.
    this.#events.send({ type: "pakeResult", to: msg.from, ...finished.result });
    this.#events.onConfirmed(msg.from, finished.confirmed);
  }

  #start(msg: Extract<TechnicianFrame, { type: "pakeStart" }>, certificate: OwnCertificate): void {
    // A new start abandons a run still open; the guard counts that one as failed.
    const { prs, attempt } = this.#secret.begin(Date.now());
    const run = (this.#secret.handshake ?? customerHandshake)({
      code: this.#code,
      prs,
      fingerprint: certificate.fingerprint,
    });
    const started = run.onStart(msg);
    if (!started.ok) {
      this.#pending = null;
      this.#secret.failed(Date.now(), attempt);
      this.#events.onFailed(msg.from);
      return;
    }
    this.#pending = { technicianId: msg.from, run, attempt };
    this.#events.send({ type: "pakeReply", to: msg.from, ...started.reply });
  }
}
