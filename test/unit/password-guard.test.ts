import { describe, expect, it } from "vitest";
import { normalisePassword } from "../../client/core/password.ts";
import {
  ATTEMPT_TIMEOUT_MS,
  createPasswordGuard,
  describeGuessOdds,
  guessOdds,
  MAX_FAILURES,
  PASSWORD_LIFETIME_MS,
} from "../../client/core/password-guard.ts";

const MINUTE = 60_000;

/** A guard whose passwords are numbered, so a test can tell which one is current; the clock starts at `now`. */
function guard(now = 1_000_000) {
  let made = 0;
  const passwords: string[] = [];
  const g = createPasswordGuard({
    now,
    newPassword: () => {
      const password = `password ${++made}`;
      passwords.push(password);
      return password;
    },
  });
  return { g, passwords, t0: now };
}

/** Starts an attempt at `now` and fails it at once. */
function failOnce(g: ReturnType<typeof guard>["g"], now: number) {
  const { attempt } = g.attemptStarted(now);
  return g.attemptFailed(now, attempt);
}

describe("the customer's password guard", () => {
  it("starts with a fresh password, due to expire in ten minutes", () => {
    const { g, t0 } = guard();
    expect(g.password).toBe("password 1");
    expect(g.failures).toBe(0);
    expect(g.nextDeadline).toBe(t0 + PASSWORD_LIFETIME_MS);
  });

  it("makes real three-word passwords by default", () => {
    const g = createPasswordGuard({ now: 0 });
    expect(normalisePassword(g.password)).toBe(g.password);
  });

  it("replaces the password after three failed attempts, and says why", () => {
    const { g, t0 } = guard();
    expect(failOnce(g, t0 + 1)).toEqual({ password: "password 1", rotated: null });
    expect(failOnce(g, t0 + 2)).toEqual({ password: "password 1", rotated: null });
    expect(g.failures).toBe(2);
    expect(failOnce(g, t0 + 3)).toEqual({ password: "password 2", rotated: "failures" });
    expect(g.password).toBe("password 2");
    expect(g.failures).toBe(0);
    expect(MAX_FAILURES).toBe(3);
  });

  it("never hands out an old password again", () => {
    const { g, t0, passwords } = guard();
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) seen.push(failOnce(g, t0 + i).password);
    expect(passwords).toHaveLength(11);
    expect(new Set(passwords).size).toBe(11);
    // Each password was handed out for exactly three attempts, and never again after it was replaced.
    for (const password of passwords.slice(0, 10)) {
      const first = seen.indexOf(password);
      const last = seen.lastIndexOf(password);
      expect(last - first).toBeLessThanOrEqual(2);
    }
    expect(g.password).toBe("password 11");
  });

  it("does not forgive failures after a success: three per password, whatever happens between", () => {
    const { g, t0 } = guard();
    failOnce(g, t0 + 1);
    failOnce(g, t0 + 2);
    const { attempt } = g.attemptStarted(t0 + 3);
    expect(g.attemptSucceeded(t0 + 4, attempt)).toEqual({ password: "password 1", rotated: null, accepted: true });
    expect(failOnce(g, t0 + 5)).toEqual({ password: "password 2", rotated: "failures" });
  });

  it("counts an attempt with no valid pakeFinish within 30 s as failed", () => {
    const { g, t0 } = guard();
    const { attempt } = g.attemptStarted(t0);
    expect(g.nextDeadline).toBe(t0 + ATTEMPT_TIMEOUT_MS);
    expect(g.tick(t0 + ATTEMPT_TIMEOUT_MS - 1)).toEqual({ password: "password 1", rotated: null });
    expect(g.failures).toBe(0);
    expect(g.tick(t0 + ATTEMPT_TIMEOUT_MS)).toEqual({ password: "password 1", rotated: null });
    expect(g.failures).toBe(1);
    // Its late outcome changes nothing: a success is not accepted and a failure is not counted twice.
    expect(g.attemptSucceeded(t0 + ATTEMPT_TIMEOUT_MS + 1, attempt).accepted).toBe(false);
    g.attemptFailed(t0 + ATTEMPT_TIMEOUT_MS + 2, attempt);
    expect(g.failures).toBe(1);
  });

  it("refuses a success that arrives after 30 s even without a tick in between, and counts it", () => {
    const { g, t0 } = guard();
    const { attempt } = g.attemptStarted(t0);
    expect(g.attemptSucceeded(t0 + ATTEMPT_TIMEOUT_MS, attempt).accepted).toBe(false);
    expect(g.failures).toBe(1);
  });

  it("replaces the password after three abandoned attempts", () => {
    const { g, t0 } = guard();
    let now = t0;
    const reports = [];
    for (let i = 0; i < 3; i++) {
      g.attemptStarted(now);
      now += ATTEMPT_TIMEOUT_MS;
      reports.push(g.tick(now));
    }
    expect(reports.map((report) => report.rotated)).toEqual([null, null, "failures"]);
    expect(g.password).toBe("password 2");
  });

  it("counts each attempt a server starts over a pending one as abandoned", () => {
    const { g, t0 } = guard();
    const first = g.attemptStarted(t0);
    g.attemptStarted(t0 + 1);
    g.attemptStarted(t0 + 2);
    expect(g.failures).toBe(2);
    const fourth = g.attemptStarted(t0 + 3);
    expect(fourth).toEqual({ password: "password 2", rotated: "failures", attempt: 4 });
    // The first attempt ran with the old password: its success must not count, even now that another is pending.
    expect(g.attemptSucceeded(t0 + 4, first.attempt).accepted).toBe(false);
    expect(g.attemptSucceeded(t0 + 5, fourth.attempt)).toEqual({
      password: "password 2",
      rotated: null,
      accepted: true,
    });
  });

  it("ignores an outcome for no pending attempt", () => {
    const { g, t0 } = guard();
    expect(g.attemptFailed(t0, 1)).toEqual({ password: "password 1", rotated: null });
    expect(g.failures).toBe(0);
    expect(g.attemptSucceeded(t0, 1).accepted).toBe(false);
  });

  it("replaces a password unused for ten minutes", () => {
    const { g, t0 } = guard();
    expect(g.tick(t0 + PASSWORD_LIFETIME_MS - 1).rotated).toBeNull();
    expect(g.tick(t0 + PASSWORD_LIFETIME_MS)).toEqual({ password: "password 2", rotated: "expired" });
    expect(g.nextDeadline).toBe(t0 + 2 * PASSWORD_LIFETIME_MS);
    expect(g.tick(t0 + 2 * PASSWORD_LIFETIME_MS - 1).rotated).toBeNull();
    expect(g.tick(t0 + 2 * PASSWORD_LIFETIME_MS)).toEqual({ password: "password 3", rotated: "expired" });
  });

  it("expires a password unused for ten minutes on the next event even without a tick", () => {
    const { g, t0 } = guard();
    const report = g.attemptStarted(t0 + 11 * MINUTE);
    expect(report).toEqual({ password: "password 2", rotated: "expired", attempt: 1 });
  });

  it("counts failed attempts as unused: the password still expires ten minutes after it was made", () => {
    const { g, t0 } = guard();
    failOnce(g, t0 + 5 * MINUTE);
    expect(g.tick(t0 + PASSWORD_LIFETIME_MS).rotated).toBe("expired");
    expect(g.failures).toBe(0);
  });

  it("keeps a password that has been used", () => {
    const { g, t0 } = guard();
    const { attempt } = g.attemptStarted(t0 + MINUTE);
    expect(g.attemptSucceeded(t0 + MINUTE + 5_000, attempt).accepted).toBe(true);
    expect(g.nextDeadline).toBeNull();
    expect(g.tick(t0 + 60 * MINUTE)).toEqual({ password: "password 1", rotated: null });
  });

  it("lets an attempt begun before expiry finish, then expires the password if it failed", () => {
    const { g, t0 } = guard();
    const late = g.attemptStarted(t0 + PASSWORD_LIFETIME_MS - 10_000);
    expect(g.tick(t0 + PASSWORD_LIFETIME_MS).rotated).toBeNull();
    expect(g.attemptSucceeded(t0 + PASSWORD_LIFETIME_MS + 5_000, late.attempt).accepted).toBe(true);

    const other = guard();
    other.g.attemptStarted(other.t0 + PASSWORD_LIFETIME_MS - 10_000);
    expect(other.g.tick(other.t0 + PASSWORD_LIFETIME_MS + 20_000)).toEqual({
      password: "password 2",
      rotated: "expired",
    });
  });

  it("reports failures rather than expiry when both happen at once", () => {
    const { g, t0 } = guard();
    failOnce(g, t0 + 1);
    failOnce(g, t0 + 2);
    g.attemptStarted(t0 + PASSWORD_LIFETIME_MS - 1);
    expect(g.tick(t0 + PASSWORD_LIFETIME_MS + ATTEMPT_TIMEOUT_MS)).toEqual({
      password: "password 2",
      rotated: "failures",
    });
  });
});

describe("the odds of guessing", () => {
  it("are at most 3 in 2^24 per password", () => {
    expect(guessOdds()).toEqual({ guesses: 3, bits: 24, probability: 3 / 2 ** 24 });
    expect(guessOdds().probability).toBeLessThan(1 / 5_000_000);
    expect(describeGuessOdds()).toBe("≤ 3 / 2^24 per password");
  });
});
