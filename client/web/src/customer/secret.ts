import { prsOfPassword } from "../../../core/password.ts";
import {
  createPasswordGuard,
  type GuardReport,
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
};

/** A session link's secret: 128 bits or more, so guessing needs no limit here (the room charges every try anyway). */
export function linkSecret(prs: Uint8Array): CustomerSecret {
  return { begin: () => ({ prs, attempt: 0 }), failed: () => undefined, succeeded: () => true, stop: () => undefined };
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
    return { prs: prsOfPassword(started.password), attempt: started.attempt };
  }

  failed(now: number, attempt: number): void {
    this.#report(this.#guard.attemptFailed(now, attempt));
  }

  succeeded(now: number, attempt: number): boolean {
    const report = this.#guard.attemptSucceeded(now, attempt);
    this.#report(report);
    return report.accepted;
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
