import { describe, expect, it } from "vitest";
import { toBase64url } from "../../client/core/base64url.ts";
import {
  type CustomerHandshake,
  customerHandshake,
  type HandshakeConfirmed,
  type HandshakeInputs,
  type TechnicianHandshake,
  technicianHandshake,
} from "../../client/core/handshake.ts";
import { newLinkSecret, prsOfLinkSecret } from "../../client/core/link-secret.ts";
import { newPassword, prsOfPassword, wordsOf } from "../../client/core/password.ts";
import {
  ATTACKER_FP,
  CODE,
  CUSTOMER_FP,
  describeFrameRules,
  flip,
  ok,
  openRun,
  run,
  TECHNICIAN_FP,
} from "../helpers/handshake-frames.ts";

const PASSWORD = "maple river owl";

function customer(overrides: Partial<HandshakeInputs> = {}): CustomerHandshake {
  return customerHandshake({ code: CODE, prs: prsOfPassword(PASSWORD), fingerprint: CUSTOMER_FP, ...overrides });
}

function technician(overrides: Partial<HandshakeInputs> = {}): TechnicianHandshake {
  return technicianHandshake({ code: CODE, prs: prsOfPassword(PASSWORD), fingerprint: TECHNICIAN_FP, ...overrides });
}

describe("a handshake between the customer's page and a technician's console", () => {
  describeFrameRules({
    who: "customer",
    customer,
    technician,
    // The identity, and an encoding that is no ristretto255 element.
    invalidShares: [new Uint8Array(32), new Uint8Array(32).fill(0xff)].map(toBase64url),
  });

  it("runs over a link's secret as well as over a password", () => {
    const prs = prsOfLinkSecret(newLinkSecret()) ?? expect.fail("bad secret");
    const { verdict, result } = run(customer({ prs }), technician({ prs }));
    expect(ok(verdict ?? expect.fail()).confirmed.verificationCode).toBe(
      ok(result ?? expect.fail()).confirmed.verificationCode,
    );
  });
});

describe("a wrong secret", () => {
  it("fails at the customer's check of the technician's tag, and the technician's check of the verdict", () => {
    const c = customer();
    const t = technician({ prs: prsOfPassword("maple river otter") });
    const { verdict, result } = run(c, t);
    expect(verdict).toEqual({ ok: false, code: "CONFIRMATION_FAILED", result: { ok: false } });
    expect(result).toEqual({ ok: false, code: "REFUSED_BY_CUSTOMER" });
    expect(c.phase).toBe("failed");
    expect(t.phase).toBe("failed");
  });

  it("cannot be hidden by a relay that turns the customer's no into a yes", () => {
    const { c, t, reply } = openRun(customer(), technician({ prs: prsOfPassword("maple river otter") }));
    const finish = ok(t.onReply(reply)).finish;
    expect(c.onFinish(finish).ok).toBe(false);
    const forged = toBase64url(new Uint8Array(64).fill(7));
    expect(t.onResult({ ok: true, tag: forged })).toEqual({ ok: false, code: "CONFIRMATION_FAILED" });
  });
});

describe("a man in the middle", () => {
  it("who runs its own handshake with each side, guessing the password, is refused by both", () => {
    const guess = prsOfPassword("apple river owl");
    // Toward the real technician it plays the customer, with its own certificate.
    const t = technician();
    const fakeCustomer = customer({ prs: guess, fingerprint: ATTACKER_FP });
    const toTechnician = run(fakeCustomer, t);
    expect(toTechnician.verdict?.ok).toBe(false);
    expect(toTechnician.result).toEqual({ ok: false, code: "REFUSED_BY_CUSTOMER" });
    // Toward the real customer it plays the technician.
    const c = customer();
    const toCustomer = run(c, technician({ prs: guess, fingerprint: ATTACKER_FP }));
    expect(toCustomer.verdict).toEqual({ ok: false, code: "CONFIRMATION_FAILED", result: { ok: false } });
    expect(c.phase).toBe("failed");
  });

  it("who changes the technician's share in transit is refused", () => {
    const { verdict } = run(customer(), technician(), { finish: (f) => ({ ...f, share: flip(f.share) }) });
    expect(verdict?.ok).toBe(false);
  });
});

describe("the verification code", () => {
  it("is four words of the password list", () => {
    const { verdict } = run(customer(), technician());
    const words = ok(verdict ?? expect.fail()).confirmed.verificationCode.split(" ");
    const list = new Set(Array.from({ length: 256 }, (_, byte) => wordsOf(Uint8Array.of(byte))));
    expect(words).toHaveLength(4);
    for (const word of words) expect(list.has(word)).toBe(true);
  });

  it("comes from the run's key: a random password gives a code the other side shows too", () => {
    const password = newPassword();
    const prs = prsOfPassword(password);
    const { verdict, result } = run(customer({ prs }), technician({ prs }));
    const a: HandshakeConfirmed = ok(verdict ?? expect.fail()).confirmed;
    const b: HandshakeConfirmed = ok(result ?? expect.fail()).confirmed;
    expect(a.verificationCode).toBe(b.verificationCode);
    expect(a.verificationCode).not.toContain(password);
  });
});
