import { afterEach, describe, expect, it, vi } from "vitest";
import type { CertificateFingerprint } from "#protocol/handshake.ts";
import type { ClientMessage, ServerMessage } from "#protocol/room.ts";
import type { HandshakeConfirmed } from "../../client/core/handshake.ts";
import { newLinkSecret, prsOfLinkSecret } from "../../client/core/link-secret.ts";
import { prsOfPassword } from "../../client/core/password.ts";
import { MAX_FAILURES } from "../../client/core/password-guard.ts";
import { CustomerHandshakes } from "../../client/web/src/customer/CustomerHandshakes.ts";
import {
  type CustomerSecret,
  GuardedPassword,
  linkSecret,
  resumedPassword,
} from "../../client/web/src/customer/secret.ts";
import { interceptNotice, isInterceptNotice } from "../../client/web/src/rtc/intercept-notice.ts";
import { type CheckStatus, CustomerCheck, type TechnicianSecret } from "../../client/web/src/viewer/CustomerCheck.ts";

// The two pages' handshake drivers against each other, through a relay that only turns `to` into `from` as the room
// does: the technician's CustomerCheck (when to start, wrong passwords, the room's waits, proving again when a seat
// returns) and the customer's CustomerHandshakes with its secret (a link's, or the guarded Get-help password).

const CODE = "123456789";
const TECH = "tech-1";
const CUST = "cust-1";

function fingerprint(byte: number): CertificateFingerprint {
  const hex = byte.toString(16).toUpperCase().padStart(2, "0");
  return { algorithm: "sha-256", value: Array(32).fill(hex).join(":") };
}

/** Both pages wired through a relay; every frame either side sent is kept, in order. */
function pair(technicianSecret: TechnicianSecret | null, customerSecret: CustomerSecret) {
  const frames: ClientMessage[] = [];
  const statuses: CheckStatus[] = [];
  /** The technicians whose runs the customer's page reported as failed. */
  const failed: string[] = [];
  const confirmed: { technician: HandshakeConfirmed[]; customer: HandshakeConfirmed[] } = {
    technician: [],
    customer: [],
  };
  const relay = (msg: ClientMessage, from: string): ServerMessage => {
    const { to: _to, ...fields } = msg as ClientMessage & { to: string };
    return { ...fields, from } as ServerMessage;
  };
  const check = new CustomerCheck(CODE, technicianSecret, {
    send(msg) {
      frames.push(msg);
      const relayed = relay(msg, TECH);
      if (relayed.type === "pakeStart" || relayed.type === "pakeFinish") customer.receive(relayed);
      return true;
    },
    onStatus: (status) => statuses.push(status),
    onConfirmed: (_, run) => confirmed.technician.push(run),
  });
  const customer = new CustomerHandshakes(CODE, customerSecret, Promise.resolve({ fingerprint: fingerprint(1) }), {
    send(msg) {
      frames.push(msg);
      const relayed = relay(msg, CUST);
      if (relayed.type === "pakeReply" || relayed.type === "pakeResult") check.receive(relayed);
      return true;
    },
    onConfirmed: (_, run) => confirmed.customer.push(run),
    onFailed: (technicianId) => failed.push(technicianId),
  });
  /** The customer's page is in the room and this console is seated with its certificate: the first run starts. */
  const meet = () => {
    check.seated();
    check.setCertificate({ fingerprint: fingerprint(2) });
    check.customerChanged(CUST);
  };
  const starts = () => frames.filter((f) => f.type === "pakeStart").length;
  const verdicts = () => frames.flatMap((f) => (f.type === "pakeResult" ? [f.ok] : []));
  return { check, customer, frames, statuses, confirmed, failed, meet, starts, verdicts };
}

const password = (words: string): TechnicianSecret => ({ kind: "password", prs: prsOfPassword(words) });

/** Passwords of the list, none of them `actual`. */
function wrongFor(actual: string): string[] {
  return ["apple", "banjo", "cactus", "daisy"].map((w) => `${w} ${w} ${w}`).filter((guess) => guess !== actual);
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the pages' handshake drivers", () => {
  it("confirm a link's secret on both sides, with the same verification code and each other's certificate", async () => {
    const secret = newLinkSecret();
    const prs = prsOfLinkSecret(secret) ?? new Uint8Array();
    const { check, confirmed, meet, customer } = pair({ kind: "link", prs }, linkSecret(prs));
    meet();
    await vi.waitFor(() => expect(check.status).toEqual({ step: "confirmed" }));
    const [technicianRun] = confirmed.technician;
    const [customerRun] = confirmed.customer;
    expect(technicianRun?.verificationCode).toMatch(/^[a-z]+( [a-z]+){3}$/);
    expect(technicianRun?.verificationCode).toBe(customerRun?.verificationCode);
    expect(technicianRun?.peerFingerprint).toEqual(fingerprint(1));
    expect(customerRun?.peerFingerprint).toEqual(fingerprint(2));
    expect(customer.confirmed(TECH)).toBe(customerRun);
  });

  it("start nothing before the console is seated, has its certificate and sees the customer", () => {
    const prs = prsOfLinkSecret(newLinkSecret()) ?? new Uint8Array();
    const { check, starts } = pair({ kind: "link", prs }, linkSecret(prs));
    check.customerChanged(CUST);
    check.setCertificate({ fingerprint: fingerprint(2) });
    expect(starts()).toBe(0);
    check.seated();
    expect(starts()).toBe(1);
  });

  it("ask the technician for the password when the console has none, and again after a wrong one", async () => {
    const guarded = new GuardedPassword(() => undefined);
    const { check, meet, starts, verdicts, failed } = pair(null, guarded);
    meet();
    expect(check.status).toEqual({ step: "needsPassword", isWrong: false });
    expect(starts()).toBe(0);
    check.retry(password(wrongFor(guarded.password)[0] ?? ""));
    await vi.waitFor(() => expect(check.status).toEqual({ step: "needsPassword", isWrong: true }));
    expect(verdicts()).toEqual([false]);
    // What a reload would resume with: nothing before a technician proved the password.
    expect(guarded.confirmedPrs).toBeNull();
    // The customer's page heard of the failure too, so that it can say why nothing was shared.
    expect(failed).toEqual([TECH]);
    check.retry(password(guarded.password));
    await vi.waitFor(() => expect(check.status).toEqual({ step: "confirmed" }));
    expect(verdicts()).toEqual([false, true]);
    expect(failed).toEqual([TECH]);
    // The PRS of the password the technician proved, not of the wrong one tried first.
    expect(guarded.confirmedPrs).toEqual(prsOfPassword(guarded.password));
    guarded.stop();
  });

  it("replace the customer's password after three wrong ones: the old one never works again, the new one does", async () => {
    const rotations: string[] = [];
    const guarded = new GuardedPassword((_, reason) => rotations.push(reason));
    const original = guarded.password;
    const { check, meet, verdicts } = pair(null, guarded);
    meet();
    for (const [i, guess] of wrongFor(original).slice(0, MAX_FAILURES).entries()) {
      check.retry(password(guess));
      await vi.waitFor(() => expect(verdicts()).toHaveLength(i + 1));
    }
    expect(rotations).toEqual(["failures"]);
    expect(guarded.password).not.toBe(original);
    check.retry(password(original));
    await vi.waitFor(() => expect(verdicts()).toHaveLength(MAX_FAILURES + 1));
    check.retry(password(guarded.password));
    await vi.waitFor(() => expect(check.status).toEqual({ step: "confirmed" }));
    expect(verdicts()).toEqual([false, false, false, false, true]);
    guarded.stop();
  });

  it("let a resumed Get-help page be proved by the password its technician proved", async () => {
    const words = "river candle orbit";
    const { check, meet, verdicts } = pair(password(words), resumedPassword(prsOfPassword(words)));
    meet();
    await vi.waitFor(() => expect(check.status).toEqual({ step: "confirmed" }));
    expect(verdicts()).toEqual([true]);
  });

  it("let no guess prove a resumed Get-help page after three that did not, not even the right password", async () => {
    const words = "river candle orbit";
    const { check, meet, verdicts } = pair(null, resumedPassword(prsOfPassword(words)));
    meet();
    for (const [i, guess] of wrongFor(words).slice(0, MAX_FAILURES).entries()) {
      check.retry(password(guess));
      await vi.waitFor(() => expect(verdicts()).toHaveLength(i + 1));
    }
    check.retry(password(words));
    await vi.waitFor(() => expect(verdicts()).toHaveLength(MAX_FAILURES + 1));
    expect(verdicts()).toEqual([false, false, false, false]);
  });

  it("wait as long as the room says before starting again, and say so meanwhile", () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { check, meet, starts } = pair(password("maple river owl"), linkSecret(prsOfPassword("maple river owl")));
    meet();
    expect(starts()).toBe(1);
    // The room refuses that start (before the customer's page could answer it).
    const wait = { type: "error", code: "HANDSHAKE_WAIT", message: "wait", retryAfterS: 4 } as const;
    expect(check.refused(wait)).toBe(true);
    expect(check.status).toEqual({ step: "waiting", waitS: 4, retryAt: 1_004_000 });
    vi.advanceTimersByTime(3_999);
    expect(starts()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(starts()).toBe(2);
    expect(check.status).toEqual({ step: "running" });
  });

  it("prove the secret again, quietly, whenever the customer's seat comes back", async () => {
    const prs = prsOfLinkSecret(newLinkSecret()) ?? new Uint8Array();
    const { check, meet, starts, statuses, confirmed } = pair({ kind: "link", prs }, linkSecret(prs));
    meet();
    await vi.waitFor(() => expect(confirmed.technician).toHaveLength(1));
    check.customerChanged(null);
    check.customerChanged(CUST);
    await vi.waitFor(() => expect(confirmed.technician).toHaveLength(2));
    expect(starts()).toBe(2);
    // No "running" in between: the connection the first run proved carries on meanwhile.
    expect(statuses.map((s) => s.step)).toEqual(["running", "confirmed", "confirmed"]);
  });

  it("prove the secret again when a new socket takes the customer's seat without it leaving first", async () => {
    const prs = prsOfLinkSecret(newLinkSecret()) ?? new Uint8Array();
    const { check, meet, starts, confirmed } = pair({ kind: "link", prs }, linkSecret(prs));
    meet();
    await vi.waitFor(() => expect(confirmed.technician).toHaveLength(1));
    // The same id, still connected: the roster shows no change, but the agent the page offered may hold the seat now.
    check.customerChanged(CUST);
    expect(starts()).toBe(1);
    check.customerReplaced();
    await vi.waitFor(() => expect(confirmed.technician).toHaveLength(2));
    expect(starts()).toBe(2);
  });

  it("leave errors that are not about the handshake to the page", () => {
    const prs = prsOfPassword("maple river owl");
    const { check } = pair(password("maple river owl"), linkSecret(prs));
    expect(check.refused({ type: "error", code: "RATE_LIMITED", message: "Too many messages; slow down." })).toBe(
      false,
    );
    expect(check.refused({ type: "error", code: "SESSION_ENDED", message: "ended" })).toBe(false);
  });
});

describe("the interception notice", () => {
  it("is made and recognised by the two pages of one run only", async () => {
    const prs = prsOfLinkSecret(newLinkSecret()) ?? new Uint8Array();
    const first = pair({ kind: "link", prs }, linkSecret(prs));
    const second = pair({ kind: "link", prs }, linkSecret(prs));
    first.meet();
    second.meet();
    await vi.waitFor(() => expect(first.confirmed.customer).toHaveLength(1));
    await vi.waitFor(() => expect(second.confirmed.customer).toHaveLength(1));
    const [technicianRun] = first.confirmed.technician;
    const [customerRun] = first.confirmed.customer;
    const [otherRun] = second.confirmed.customer;
    if (!technicianRun || !customerRun || !otherRun) throw new Error("a run did not confirm");
    const notice = interceptNotice(technicianRun);
    expect(isInterceptNotice(customerRun, notice)).toBe(true);
    expect(isInterceptNotice(otherRun, notice)).toBe(false);
    const altered = `${notice.slice(0, -1)}${notice.endsWith("A") ? "B" : "A"}`;
    expect(isInterceptNotice(customerRun, altered)).toBe(false);
    expect(isInterceptNotice(customerRun, "")).toBe(false);
  });
});
