import { randomBytes } from "@noble/hashes/utils.js";
import type { CustomerHandshake, HandshakeInputs } from "../../../core/handshake.ts";
import { prsOfPassword } from "../../../core/password.ts";
import {
  createPasswordGuard,
  type GuardReport,
  MAX_FAILURES,
  type PasswordGuard,
  type RotationReason,
} from "../../../core/password-guard.ts";

/**
 * Where the customer's page gets the secret (PRS) for each technician's handshake, and where it reports how each
 * attempt ended. Times are milliseconds since the epoch.
 */
export type CustomerSecret = {
  /** A technician's handshake begins: the PRS to run it with, and the attempt's number to report its end under. */
  begin(now: number): { prs: Uint8Array; attempt: number };
  /** That attempt failed. */
  failed(now: number, attempt: number): void;
  /** That attempt's technician proved the secret: whether the page may trust the run (false: report it failed). */
  succeeded(now: number, attempt: number): boolean;
  /** The page is done with the secret. */
  stop(): void;
  /**
   * The run for a technician's start; absent: CPace over the PRS (client/core/handshake.ts). The native agent of an
   * enrolled machine, which shares no secret with anyone, brings its own (client/core/machine-handshake.ts).
   */
  handshake?: (inputs: HandshakeInputs) => CustomerHandshake;
};

/** A session link's secret: 128 bits or more, so guessing needs no limit here (the room charges every try anyway). */
export function linkSecret(prs: Uint8Array): CustomerSecret {
  return { begin: () => ({ prs, attempt: 0 }), failed: () => undefined, succeeded: () => true, stop: () => undefined };
}

/**
 * A Get-help password's secret that a reloaded page resumes with (customer/help-resume.ts): the one its technician
 * proved. A password is short enough to guess online, so the page still allows only MAX_FAILURES attempts that did not
 * succeed (an abandoned one counts: its technician may have checked a guess without saying so); after that every
 * attempt runs with random bytes nobody holds, and no guess can succeed. The technician's own check after a reload is
 * one attempt that succeeds.
 */
export function resumedPassword(prs: Uint8Array): CustomerSecret {
  let unproved = 0;
  return {
    begin: (_now) => {
      unproved += 1;
      return { prs: unproved > MAX_FAILURES ? randomBytes(prs.length) : prs, attempt: unproved };
    },
    failed: () => undefined,
    succeeded: (_now, attempt) => {
      if (attempt > MAX_FAILURES) return false;
      unproved -= 1;
      return true;
    },
    stop: () => undefined,
  };
}

/**
 * A Get-help password under the page's password guard (client/core/password-guard.ts): three failed or abandoned
 * handshakes, or ten minutes unused, and it is replaced; `onRotated` hears the new password and why, to show them.
 * A timer brings each deadline (an attempt's timeout, the password's expiry) in on time.
 */
export class GuardedPassword implements CustomerSecret {
  readonly #guard: PasswordGuard;
  readonly #onRotated: (password: string, reason: RotationReason) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #isStopped = false;
  /** Each running attempt's PRS, until it ends. */
  readonly #running = new Map<number, Uint8Array>();
  #confirmed: Uint8Array | null = null;

  constructor(onRotated: (password: string, reason: RotationReason) => void, now = Date.now()) {
    this.#guard = createPasswordGuard({ now });
    this.#onRotated = onRotated;
    this.#arm();
  }

  /** The password to read to the technician: the only one a handshake runs with. */
  get password(): string {
    return this.#guard.password;
  }

  begin(now: number): { prs: Uint8Array; attempt: number } {
    const started = this.#guard.attemptStarted(now);
    this.#report(started);
    const prs = prsOfPassword(started.password);
    this.#running.set(started.attempt, prs);
    return { prs, attempt: started.attempt };
  }

  failed(now: number, attempt: number): void {
    this.#running.delete(attempt);
    this.#report(this.#guard.attemptFailed(now, attempt));
  }

  succeeded(now: number, attempt: number): boolean {
    const report = this.#guard.attemptSucceeded(now, attempt);
    this.#report(report);
    if (report.accepted) this.#confirmed ??= this.#running.get(attempt) ?? null;
    this.#running.delete(attempt);
    return report.accepted;
  }

  /** The PRS of the first attempt a technician proved: what a reload of this page resumes with. */
  get confirmedPrs(): Uint8Array | null {
    return this.#confirmed;
  }

  stop(): void {
    this.#isStopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #report(report: GuardReport): void {
    this.#arm();
    if (report.rotated) this.#onRotated(report.password, report.rotated);
  }

  #arm(): void {
    clearTimeout(this.#timer);
    const at = this.#guard.nextDeadline;
    if (at === null || this.#isStopped) return;
    this.#timer = setTimeout(() => this.#report(this.#guard.tick(Date.now())), Math.max(0, at - Date.now()));
  }
}
