// The Get-help password's limit, held by the customer's page because only the page that holds the secret can enforce
// one that a malicious server cannot get around. Each handshake attempt is one online guess at most; after three
// failed or abandoned attempts the page throws the password away and shows a new one with a warning, and a password
// with no success within ten minutes is replaced too. The page only ever uses the guard's current password, so an old
// one never works again. Pure: the caller passes the time (milliseconds) and the guard returns what happened.

import { newPassword as makePassword, PASSWORD_BITS } from "./password.ts";

/** Failed or abandoned attempts a password survives before it is replaced. */
export const MAX_FAILURES = 3;

/** How long an attempt may go without a valid pakeFinish before it counts as failed. */
export const ATTEMPT_TIMEOUT_MS = 30_000;

/** How long a password lives without a successful handshake. */
export const PASSWORD_LIFETIME_MS = 10 * 60_000;

/**
 * Why the guard replaced the password: "failures" (someone tried a wrong one — warn the customer to read the new one
 * only to the person they called) or "expired" (unused for ten minutes).
 */
export type RotationReason = "failures" | "expired";

/** What the guard tells the page after each event: the password to show and use now, and whether it just changed. */
export type GuardReport = { readonly password: string; readonly rotated: RotationReason | null };

/** A new attempt: the password to run it with and its number, which the page reports its outcome under. */
export type AttemptReport = GuardReport & { readonly attempt: number };

/** The guard's answer to a success: `accepted` is false when that attempt had already run out or been abandoned. */
export type SuccessReport = GuardReport & { readonly accepted: boolean };

/** The customer's page's password guard; every method takes the current time. */
export type PasswordGuard = {
  /** The current password, the only one the page may run a handshake with. */
  readonly password: string;
  /** Failed or abandoned attempts against the current password. */
  readonly failures: number;
  /** When the page should call tick() next (an attempt's timeout or the password's expiry); null if never. */
  readonly nextDeadline: number | null;
  /** A technician's handshake begins (the page replies to a pakeStart): run it with the returned password. */
  attemptStarted(now: number): AttemptReport;
  /** That attempt failed (wrong tag, bad frame, out of order); an attempt already counted is not counted again. */
  attemptFailed(now: number, attempt: number): GuardReport;
  /** That attempt's pakeFinish checked out: send ok (and trust the run) only if `accepted`. */
  attemptSucceeded(now: number, attempt: number): SuccessReport;
  /** Time passed: counts an abandoned attempt, expires an unused password. */
  tick(now: number): GuardReport;
};

/** Options for a guard: the time it is made and, for tests, where new passwords come from. */
export type PasswordGuardOptions = { readonly now: number; readonly newPassword?: () => string };

/** Makes the guard with a fresh password; `newPassword` defaults to three words from the platform's CSPRNG. */
export function createPasswordGuard(options: PasswordGuardOptions): PasswordGuard {
  const nextPassword = options.newPassword ?? (() => makePassword());
  let password = nextPassword();
  let createdAt = options.now;
  let failures = 0;
  let succeeded = false;
  let pendingSince: number | null = null;
  // Numbers the attempts, so that a late outcome of an abandoned one (perhaps run with a replaced password) is ignored.
  let attempts = 0;

  const rotate = (now: number, reason: RotationReason): RotationReason => {
    password = nextPassword();
    createdAt = now;
    failures = 0;
    succeeded = false;
    pendingSince = null;
    return reason;
  };

  /** Ends the pending attempt as failed; replaces the password at the third failure. */
  const countFailure = (now: number): RotationReason | null => {
    pendingSince = null;
    failures += 1;
    return failures >= MAX_FAILURES ? rotate(now, "failures") : null;
  };

  /** Applies the passing of time: an attempt past its timeout fails, then an unused password past its life expires. */
  const elapse = (now: number): RotationReason | null => {
    if (pendingSince !== null && now - pendingSince >= ATTEMPT_TIMEOUT_MS) {
      const rotated = countFailure(now);
      if (rotated) return rotated;
    }
    // An attempt in progress holds off expiry for at most its 30 s, so a technician typing at minute 9 still gets in.
    if (pendingSince === null && !succeeded && now - createdAt >= PASSWORD_LIFETIME_MS) return rotate(now, "expired");
    return null;
  };

  const report = (rotated: RotationReason | null): GuardReport => ({ password, rotated });

  return {
    get password() {
      return password;
    },
    get failures() {
      return failures;
    },
    get nextDeadline() {
      if (pendingSince !== null) return pendingSince + ATTEMPT_TIMEOUT_MS;
      return succeeded ? null : createdAt + PASSWORD_LIFETIME_MS;
    },

    attemptStarted(now) {
      let rotated = elapse(now);
      // A new attempt while one is pending abandons that one: each counts, however many a server starts at once.
      if (pendingSince !== null) rotated = countFailure(now) ?? rotated;
      pendingSince = now;
      attempts += 1;
      return { ...report(rotated), attempt: attempts };
    },

    attemptFailed(now, attempt) {
      const rotated = elapse(now);
      if (pendingSince === null || attempt !== attempts) return report(rotated);
      return report(countFailure(now) ?? rotated);
    },

    attemptSucceeded(now, attempt) {
      const rotated = elapse(now);
      if (pendingSince === null || attempt !== attempts) return { ...report(rotated), accepted: false };
      pendingSince = null;
      succeeded = true;
      return { ...report(rotated), accepted: true };
    },

    tick(now) {
      return report(elapse(now));
    },
  };
}

/** The odds a guesser has against one password, whatever a server does: MAX_FAILURES guesses in 2^PASSWORD_BITS. */
export function guessOdds(): { readonly guesses: number; readonly bits: number; readonly probability: number } {
  return { guesses: MAX_FAILURES, bits: PASSWORD_BITS, probability: MAX_FAILURES / 2 ** PASSWORD_BITS };
}

/** The odds as the README states them: "≤ 3 / 2^24 per password". */
export function describeGuessOdds(): string {
  const { guesses, bits } = guessOdds();
  return `≤ ${guesses} / 2^${bits} per password`;
}
