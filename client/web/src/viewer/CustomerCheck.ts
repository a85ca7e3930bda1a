import type { CertificateFingerprint } from "#protocol/handshake.ts";
import type { ClientMessage, ServerMessage } from "#protocol/room.ts";
import { type HandshakeConfirmed, type TechnicianHandshake, technicianHandshake } from "../../../core/handshake.ts";
import { type MachineKey, technicianMachineHandshake } from "../../../core/machine-handshake.ts";
import { markHandshake } from "../lib/handshake-marks.ts";

/**
 * The secret this console proves to the customer's page: a link's, or the password the customer read out; or, in a
 * session with an enrolled machine (unattended access), the machine's key that its agent must prove it holds (null:
 * the site gave no key that is this machine's, so nothing can be trusted).
 */
export type TechnicianSecret =
  | { kind: "link" | "password"; prs: Uint8Array }
  | { kind: "machine"; machine: MachineKey | null };

/** Where the check of the customer's page stands, as data; the viewer words it. */
export type CheckStatus =
  /** Nothing to run yet: no customer in the room, or the certificate is still being made. */
  | { step: "idle" }
  /** No secret: the technician must type the customer's password (again, after a wrong one). */
  | { step: "needsPassword"; isWrong: boolean }
  /** A handshake is under way. */
  | { step: "running" }
  /** The room asks to wait before the next try (failed tries in this session, or too many from this console). */
  | { step: "waiting"; waitS: number; retryAt: number }
  /** The customer's page refused this link's secret, or a frame did not check out: nothing connects. */
  | { step: "failed"; isRefused: boolean }
  /** The customer's page proved the same secret. */
  | { step: "confirmed" };

export type CustomerCheckEvents = {
  send(msg: ClientMessage): boolean;
  onStatus(status: CheckStatus): void;
  /** The customer's page (participant `customerId`) and this console proved the same secret to each other. */
  onConfirmed(customerId: string, confirmed: HandshakeConfirmed): void;
};

/** A run with no answer from the customer's page within this is given up and started again. */
const RUN_TIMEOUT_MS = 30_000;

/** The room's refusals of a start that say when to try again. */
const WAIT_CODES: ReadonlySet<string> = new Set(["HANDSHAKE_WAIT", "HANDSHAKE_BUSY", "RATE_LIMITED"]);

/**
 * The technician's side of the handshake with the customer's page (client/core/handshake.ts): started once the
 * customer is in the room and this console has its certificate and the secret, and again whenever either side's seat
 * comes back (a reloaded page has a new certificate, so every return is proved afresh). It waits as long as the room
 * says before trying again; a wrong password waits for the technician to type another.
 */
export class CustomerCheck {
  readonly #code: string;
  readonly #events: CustomerCheckEvents;
  #secret: TechnicianSecret | null;
  #fingerprint: CertificateFingerprint | null = null;
  #customerId: string | null = null;
  #isSeated = false;
  /** A (new) confirmed run is wanted for the customer now in the room. */
  #isWanted = true;
  #run: { customerId: string; handshake: TechnicianHandshake; timer: ReturnType<typeof setTimeout> } | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #isWaiting = false;
  #isStopped = false;
  #status: CheckStatus;

  constructor(code: string, secret: TechnicianSecret | null, events: CustomerCheckEvents) {
    this.#code = code;
    this.#secret = secret;
    this.#events = events;
    this.#status = secret ? { step: "idle" } : { step: "needsPassword", isWrong: false };
  }

  get status(): CheckStatus {
    return this.#status;
  }

  /** The secret's kind, or null while the technician has not typed a password. */
  get secretKind(): TechnicianSecret["kind"] | null {
    return this.#secret?.kind ?? null;
  }

  /** This console's certificate is ready (rtc/certificate.ts): the fingerprint every run binds. */
  setCertificate(certificate: { readonly fingerprint: CertificateFingerprint }): void {
    this.#fingerprint = certificate.fingerprint;
    this.#startIfDue();
  }

  /** The technician typed a password (again), or asks to try the link's secret again: a new run. */
  retry(secret: TechnicianSecret | null = this.#secret): void {
    if (!secret) return;
    this.#secret = secret;
    this.#abandon();
    this.#isWanted = true;
    this.#setStatus(this.#isWaiting ? this.#status : { step: "idle" });
    this.#startIfDue();
  }

  /** This console was seated (first, or again after a dropped socket): a run it had open may be lost, so prove again. */
  seated(): void {
    this.#isSeated = true;
    this.#rerun();
  }

  /** The socket dropped: nothing can be sent until the next welcome. */
  unseated(): void {
    this.#isSeated = false;
  }

  /** The customer in the room and whether they are connected; an arrival or return is proved afresh. */
  customerChanged(customerId: string | null): void {
    if (customerId === this.#customerId) return;
    this.#customerId = customerId;
    if (customerId !== null) {
      this.#rerun();
      return;
    }
    this.#abandon();
    // Nothing runs while the customer is away: the viewer says they are, rather than "checking".
    if (this.#status.step === "running") this.#setStatus({ step: "idle" });
  }

  /**
   * The customer's seat was taken by a new socket without leaving first (another tab, or the native agent the page
   * offered): the same id, perhaps a new certificate, so proved afresh.
   */
  customerReplaced(): void {
    if (this.#customerId !== null) this.#rerun();
  }

  /** A handshake frame from the customer's page. */
  receive(msg: Extract<ServerMessage, { type: "pakeReply" | "pakeResult" }>): void {
    const run = this.#run;
    if (!run || run.customerId !== msg.from) return;
    if (msg.type === "pakeReply") {
      const replied = run.handshake.onReply(msg);
      if (replied.ok) this.#events.send({ type: "pakeFinish", to: msg.from, ...replied.finish });
      else this.#failed(false);
      return;
    }
    const result = run.handshake.onResult(msg);
    this.#abandon();
    if (!result.ok) {
      this.#failed(result.code === "REFUSED_BY_CUSTOMER");
      return;
    }
    markHandshake("confirmed");
    this.#isWanted = false;
    this.#setStatus({ step: "confirmed" });
    this.#events.onConfirmed(msg.from, result.confirmed);
  }

  /**
   * An error frame from the room; true if it was about the handshake (the viewer shows the status instead). A start
   * refused for now is tried again when the room says; a run whose frame was refused is started again.
   */
  refused(msg: Extract<ServerMessage, { type: "error" }>): boolean {
    const run = this.#run;
    if (WAIT_CODES.has(msg.code) && msg.retryAfterS !== undefined) {
      if (run?.handshake.phase !== "started") return true;
      this.#abandon();
      this.#wait(msg.retryAfterS);
      return true;
    }
    if (msg.code !== "HANDSHAKE_REQUIRED" && msg.code !== "PEER_NOT_FOUND") return false;
    // The customer is reconnecting (a new start follows their return), or the room closed this run's attempt.
    if (run) {
      this.#abandon();
      if (msg.code === "HANDSHAKE_REQUIRED") this.#startIfDue();
    }
    return true;
  }

  stop(): void {
    this.#isStopped = true;
    this.#abandon();
    clearTimeout(this.#retryTimer);
  }

  /** Prove again (unless the technician must act first): a new certificate may be behind a returning seat. */
  #rerun(): void {
    if (this.#status.step === "needsPassword" || this.#status.step === "failed") return;
    this.#abandon();
    this.#isWanted = true;
    this.#startIfDue();
  }

  #startIfDue(): void {
    const secret = this.#secret;
    const fingerprint = this.#fingerprint;
    const customerId = this.#customerId;
    if (this.#isStopped || !this.#isWanted || this.#run || this.#isWaiting || !this.#isSeated) return;
    if (!secret || !fingerprint || !customerId) return;
    let handshake: TechnicianHandshake;
    if (secret.kind !== "machine") handshake = technicianHandshake({ code: this.#code, prs: secret.prs, fingerprint });
    else if (secret.machine) {
      handshake = technicianMachineHandshake({ code: this.#code, fingerprint, machine: secret.machine });
    } else {
      // The site gave no key that is this machine's: nothing it connects to could be trusted.
      this.#failed(false);
      return;
    }
    const started = handshake.start();
    if (!started.ok) return;
    if (!this.#events.send({ type: "pakeStart", to: customerId, ...started.start })) return;
    markHandshake("start");
    const timer = setTimeout(() => {
      if (this.#run?.handshake !== handshake) return;
      this.#abandon();
      this.#startIfDue();
    }, RUN_TIMEOUT_MS);
    this.#run = { customerId, handshake, timer };
    // A rerun behind a confirmed check stays quiet: the connection it proved goes on meanwhile.
    if (this.#status.step !== "confirmed") this.#setStatus({ step: "running" });
  }

  #wait(waitS: number): void {
    this.#isWaiting = true;
    clearTimeout(this.#retryTimer);
    const waitMs = waitS * 1000;
    if (this.#status.step !== "confirmed") this.#setStatus({ step: "waiting", waitS, retryAt: Date.now() + waitMs });
    this.#retryTimer = setTimeout(() => {
      this.#isWaiting = false;
      if (this.#status.step === "waiting") this.#setStatus({ step: "idle" });
      this.#startIfDue();
    }, waitMs);
  }

  /** The run ended without confirming: a wrong password asks for another, anything else waits for "Try again". */
  #failed(isRefused: boolean): void {
    this.#abandon();
    this.#isWanted = false;
    const isPassword = this.#secret?.kind === "password";
    this.#setStatus(isPassword && isRefused ? { step: "needsPassword", isWrong: true } : { step: "failed", isRefused });
  }

  #abandon(): void {
    if (this.#run) clearTimeout(this.#run.timer);
    this.#run = null;
  }

  #setStatus(status: CheckStatus): void {
    this.#status = status;
    this.#events.onStatus(status);
  }
}
