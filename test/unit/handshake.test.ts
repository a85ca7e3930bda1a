import { describe, expect, it } from "vitest";
import { type CertificateFingerprint, PakeFinish, PakeReply, PakeResult, PakeStart } from "#protocol/handshake.ts";
import { fromBase64url, toBase64url } from "../../client/core/base64url.ts";
import {
  type CustomerHandshake,
  customerHandshake,
  type HandshakeConfirmed,
  type HandshakeInputs,
  type TechnicianHandshake,
  technicianHandshake,
} from "../../client/core/handshake.ts";
import { newLinkSecret, prsOfLinkSecret } from "../../client/core/link-secret.ts";
import { newPassword, normalisePassword, prsOfPassword, wordsOf } from "../../client/core/password.ts";

const CODE = "123456789";

/** A distinct, well-formed certificate fingerprint per seed. */
function fingerprint(seed: number): CertificateFingerprint {
  const hex = Array.from({ length: 32 }, (_, i) =>
    ((seed * 31 + i * 7) & 0xff).toString(16).toUpperCase().padStart(2, "0"),
  );
  return { algorithm: "sha-256", value: hex.join(":") };
}

const CUSTOMER_FP = fingerprint(1);
const TECHNICIAN_FP = fingerprint(2);
const ATTACKER_FP = fingerprint(3);
const PASSWORD = "maple river owl";

/** A deterministic random source, so a run can be replayed byte for byte. */
function seeded(seed: number): (count: number) => Uint8Array {
  let state = seed >>> 0 || 1;
  return (count) =>
    Uint8Array.from({ length: count }, () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state & 0xff;
    });
}

function customer(overrides: Partial<HandshakeInputs> = {}): CustomerHandshake {
  return customerHandshake({ code: CODE, prs: prsOfPassword(PASSWORD), fingerprint: CUSTOMER_FP, ...overrides });
}

function technician(overrides: Partial<HandshakeInputs> = {}): TechnicianHandshake {
  return technicianHandshake({ code: CODE, prs: prsOfPassword(PASSWORD), fingerprint: TECHNICIAN_FP, ...overrides });
}

/** Unwraps an ok step, failing the test with the refusal's code otherwise. */
function ok<T extends { ok: boolean }>(step: T): Extract<T, { ok: true }> {
  if (!step.ok) expect.fail(`refused: ${JSON.stringify(step)}`);
  return step as Extract<T, { ok: true }>;
}

/** Runs the technician's start and the customer's reply; the frames so far and both machines. */
function openRun(c = customer(), t = technician()) {
  const start = ok(t.start()).start;
  const reply = ok(c.onStart(start)).reply;
  return { c, t, start, reply };
}

/** A whole run between the two machines, with an optional rewrite of each frame in transit. */
function run(
  c: CustomerHandshake,
  t: TechnicianHandshake,
  rewrite: { start?: (f: object) => object; reply?: (f: object) => object; finish?: (f: object) => object } = {},
) {
  const start = ok(t.start()).start;
  const replied = c.onStart(rewrite.start ? rewrite.start(start) : start);
  if (!replied.ok) return { replied };
  const finished = t.onReply(rewrite.reply ? rewrite.reply(replied.reply) : replied.reply);
  if (!finished.ok) return { replied, finished };
  const verdict = c.onFinish(rewrite.finish ? rewrite.finish(finished.finish) : finished.finish);
  const result = t.onResult(verdict.result ?? { ok: false });
  return { replied, finished, verdict, result };
}

/** Flips one bit of a base64url field, keeping it canonical and the same length. */
function flip(field: string): string {
  const bytes = fromBase64url(field) ?? new Uint8Array();
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return toBase64url(bytes);
}

describe("a handshake between the customer's page and a technician's console", () => {
  it("confirms both ways with the same password, and both show the same four words", () => {
    const c = customer();
    const t = technician();
    const { verdict, result } = run(c, t);
    const onCustomer = ok(verdict ?? expect.fail("no verdict")).confirmed;
    const onTechnician = ok(result ?? expect.fail("no result")).confirmed;
    expect(onCustomer.verificationCode).toBe(onTechnician.verificationCode);
    expect(onCustomer.verificationCode.split(" ")).toHaveLength(4);
    expect(normalisePassword(onCustomer.verificationCode.split(" ").slice(0, 3).join(" "))).not.toBeNull();
    expect(onCustomer.peerFingerprint).toEqual(TECHNICIAN_FP);
    expect(onTechnician.peerFingerprint).toEqual(CUSTOMER_FP);
    expect(c.phase).toBe("confirmed");
    expect(t.phase).toBe("confirmed");
  });

  it("gives both sides the same derived keys, a different one per label, and nothing else of the key", () => {
    const { verdict, result } = run(customer(), technician());
    const a = ok(verdict ?? expect.fail()).confirmed;
    const b = ok(result ?? expect.fail()).confirmed;
    expect(a.deriveKey("tether/test/one")).toEqual(b.deriveKey("tether/test/one"));
    expect(a.deriveKey("tether/test/one")).toHaveLength(32);
    expect(a.deriveKey("tether/test/one", 16)).toHaveLength(16);
    expect(a.deriveKey("tether/test/one")).not.toEqual(a.deriveKey("tether/test/two"));
    expect(Object.keys(a).sort()).toEqual(["deriveKey", "peerFingerprint", "verificationCode"]);
  });

  it("sends frames that the room's strict schemas accept once `type` and `to` are added", () => {
    const { c, t, start, reply } = openRun();
    expect(PakeStart.safeParse({ type: "pakeStart", to: "customer1", ...start }).success).toBe(true);
    expect(PakeReply.safeParse({ type: "pakeReply", to: "tech1", ...reply }).success).toBe(true);
    const finish = ok(t.onReply(reply)).finish;
    expect(PakeFinish.safeParse({ type: "pakeFinish", to: "customer1", ...finish }).success).toBe(true);
    const verdict = ok(c.onFinish(finish));
    expect(PakeResult.safeParse({ type: "pakeResult", to: "tech1", ...verdict.result }).success).toBe(true);
    expect(fromBase64url(start.nonce)).toHaveLength(16);
    expect(fromBase64url(reply.nonce)).toHaveLength(16);
  });

  it("takes whole relayed frames as well as bare fields", () => {
    const c = customer();
    const t = technician();
    const start = ok(t.start()).start;
    const reply = ok(c.onStart({ type: "pakeStart", from: "tech1", ...start })).reply;
    const finish = ok(t.onReply({ type: "pakeReply", from: "customer1", ...reply })).finish;
    const verdict = ok(c.onFinish({ type: "pakeFinish", from: "tech1", ...finish }));
    expect(ok(t.onResult({ type: "pakeResult", from: "customer1", ...verdict.result })).confirmed).toBeDefined();
  });

  it("runs over a link's secret as well as over a password", () => {
    const prs = prsOfLinkSecret(newLinkSecret()) ?? expect.fail("bad secret");
    const { verdict, result } = run(customer({ prs }), technician({ prs }));
    expect(ok(verdict ?? expect.fail()).confirmed.verificationCode).toBe(
      ok(result ?? expect.fail()).confirmed.verificationCode,
    );
  });

  it("is the same run byte for byte given the same random bytes, and another with others", () => {
    const codeOf = (seed: number) =>
      ok(run(customer({ random: seeded(seed) }), technician({ random: seeded(seed + 100) })).verdict ?? expect.fail())
        .confirmed.verificationCode;
    expect(codeOf(1)).toBe(codeOf(1));
    expect(codeOf(1)).not.toBe(codeOf(2));
  });

  it("shows different words in different runs with the same password", () => {
    const codes = new Set(
      Array.from(
        { length: 5 },
        () => ok(run(customer(), technician()).verdict ?? expect.fail()).confirmed.verificationCode,
      ),
    );
    expect(codes.size).toBe(5);
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

  it("fails for a different session code, which the channel identifier binds", () => {
    const { verdict, result } = run(customer(), technician({ code: "987654321" }));
    expect(verdict?.ok).toBe(false);
    expect(verdict?.ok === false && verdict.code).toBe("CONFIRMATION_FAILED");
    expect(result?.ok).toBe(false);
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

  it("who forwards every frame but swaps the technician's fingerprint in pakeStart is refused", () => {
    const c = customer();
    const t = technician();
    const { verdict, result } = run(c, t, { start: (f) => ({ ...f, fingerprint: ATTACKER_FP }) });
    expect(verdict).toEqual({ ok: false, code: "CONFIRMATION_FAILED", result: { ok: false } });
    expect(result?.ok).toBe(false);
  });

  it("who forwards every frame but swaps the customer's fingerprint in pakeReply is refused", () => {
    const c = customer();
    const t = technician();
    const { verdict, result } = run(c, t, { reply: (f) => ({ ...f, fingerprint: ATTACKER_FP }) });
    expect(verdict).toEqual({ ok: false, code: "CONFIRMATION_FAILED", result: { ok: false } });
    expect(result?.ok).toBe(false);
  });

  it("who swaps both fingerprints, each side seeing the attacker's, is refused", () => {
    const { verdict } = run(customer(), technician(), {
      start: (f) => ({ ...f, fingerprint: ATTACKER_FP }),
      reply: (f) => ({ ...f, fingerprint: fingerprint(4) }),
    });
    expect(verdict?.ok === false && verdict.code).toBe("CONFIRMATION_FAILED");
  });

  it("who changes a nonce, a share or a tag in transit is refused", () => {
    const rewrites = [
      { start: (f: object) => ({ ...f, nonce: flip((f as { nonce: string }).nonce) }) },
      { reply: (f: object) => ({ ...f, nonce: flip((f as { nonce: string }).nonce) }) },
      { finish: (f: object) => ({ ...f, tag: flip((f as { tag: string }).tag) }) },
    ];
    for (const rewrite of rewrites) {
      const { verdict } = run(customer(), technician(), rewrite);
      expect(verdict?.ok === false && verdict.code).toBe("CONFIRMATION_FAILED");
    }
    const share = run(customer(), technician(), {
      finish: (f) => ({ ...f, share: flip((f as { share: string }).share) }),
    });
    expect(share.verdict?.ok).toBe(false);
  });

  it("who relays the verdict of one run to a technician in another is refused", () => {
    const first = openRun();
    const firstVerdict = ok(first.c.onFinish(ok(first.t.onReply(first.reply)).finish)).result;
    const second = openRun();
    ok(second.t.onReply(second.reply));
    expect(second.t.onResult(firstVerdict)).toEqual({ ok: false, code: "CONFIRMATION_FAILED" });
  });
});

describe("replaying an earlier run", () => {
  it("an old pakeFinish fails in a new run", () => {
    const old = openRun();
    const oldFinish = ok(old.t.onReply(old.reply)).finish;
    ok(old.c.onFinish(oldFinish));
    // The same technician machine's frames cannot be reused; a new customer run gets a new nonce and a new scalar.
    const c = customer();
    expect(ok(c.onStart(old.start)).reply.nonce).not.toBe(old.reply.nonce);
    expect(c.onFinish(oldFinish)).toEqual({ ok: false, code: "CONFIRMATION_FAILED", result: { ok: false } });
  });

  it("an old pakeReply and pakeResult fail against a new technician run", () => {
    const old = openRun();
    const oldFinish = ok(old.t.onReply(old.reply)).finish;
    const oldResult = ok(old.c.onFinish(oldFinish)).result;
    const t = technician();
    ok(t.start());
    ok(t.onReply(old.reply));
    expect(t.onResult(oldResult)).toEqual({ ok: false, code: "CONFIRMATION_FAILED" });
  });

  it("a second pakeFinish after a confirmed run is refused and changes nothing", () => {
    const { c, t, reply } = openRun();
    const finish = ok(t.onReply(reply)).finish;
    ok(c.onFinish(finish));
    expect(c.onFinish(finish)).toEqual({ ok: false, code: "ALREADY_FINISHED", result: null });
    expect(c.phase).toBe("confirmed");
  });

  it("a second pakeResult after a confirmed run is refused and changes nothing", () => {
    const { c, t, reply } = openRun();
    const result = ok(c.onFinish(ok(t.onReply(reply)).finish)).result;
    ok(t.onResult(result));
    expect(t.onResult(result)).toEqual({ ok: false, code: "ALREADY_FINISHED" });
    expect(t.phase).toBe("confirmed");
  });
});

describe("frames out of order", () => {
  it("the technician refuses a reply before its start, a result before the reply, and a second start", () => {
    expect(technician().onReply(openRun().reply)).toEqual({ ok: false, code: "OUT_OF_ORDER" });
    const t = technician();
    ok(t.start());
    expect(t.onResult({ ok: false })).toEqual({ ok: false, code: "OUT_OF_ORDER" });
    expect(t.phase).toBe("failed");
    const again = technician();
    ok(again.start());
    expect(again.start()).toEqual({ ok: false, code: "OUT_OF_ORDER" });
  });

  it("the technician refuses a second reply in one run", () => {
    const { t, reply } = openRun();
    ok(t.onReply(reply));
    expect(t.onReply(reply)).toEqual({ ok: false, code: "OUT_OF_ORDER" });
    expect(t.phase).toBe("failed");
  });

  it("the customer refuses a finish before any start, owing no verdict", () => {
    const c = customer();
    const finish = { share: toBase64url(new Uint8Array(32).fill(1)), tag: toBase64url(new Uint8Array(64)) };
    expect(c.onFinish(finish)).toEqual({ ok: false, code: "OUT_OF_ORDER", result: null });
  });

  it("the customer refuses a second start in one run, owing the technician its no", () => {
    const { c, start } = openRun();
    expect(c.onStart(start)).toEqual({ ok: false, code: "OUT_OF_ORDER", result: { ok: false } });
    expect(c.phase).toBe("failed");
  });

  it("a run that refused a frame stays failed: the right frame afterwards is refused too", () => {
    const { c, t, reply } = openRun();
    const finish = ok(t.onReply(reply)).finish;
    expect(c.onFinish({ ...finish, tag: "!" }).ok).toBe(false);
    expect(c.onFinish(finish)).toEqual({ ok: false, code: "ALREADY_FINISHED", result: null });
    const other = openRun();
    expect(other.t.onReply({ ...other.reply, share: "x" }).ok).toBe(false);
    expect(other.t.onReply(other.reply)).toEqual({ ok: false, code: "ALREADY_FINISHED" });
  });
});

describe("reflected and invalid shares", () => {
  const IDENTITY = toBase64url(new Uint8Array(32));
  const NON_CANONICAL = toBase64url(new Uint8Array(32).fill(0xff));

  it("the customer refuses its own share sent back as the technician's", () => {
    const { c, reply } = openRun();
    const finish = { share: reply.share, tag: toBase64url(new Uint8Array(64)) };
    expect(c.onFinish(finish)).toEqual({ ok: false, code: "REFLECTED_FRAME", result: { ok: false } });
  });

  it("the customer refuses the identity and an invalid encoding", () => {
    for (const share of [IDENTITY, NON_CANONICAL]) {
      const { c } = openRun();
      expect(c.onFinish({ share, tag: toBase64url(new Uint8Array(64)) })).toEqual({
        ok: false,
        code: "INVALID_POINT",
        result: { ok: false },
      });
    }
  });

  it("the technician refuses the identity and an invalid encoding", () => {
    for (const share of [IDENTITY, NON_CANONICAL]) {
      const { t, reply } = openRun();
      expect(t.onReply({ ...reply, share })).toEqual({ ok: false, code: "INVALID_POINT" });
    }
  });

  it("the technician refuses its own nonce or fingerprint sent back as the customer's", () => {
    const a = openRun();
    expect(a.t.onReply({ ...a.reply, nonce: a.start.nonce })).toEqual({ ok: false, code: "REFLECTED_FRAME" });
    const b = openRun();
    expect(b.t.onReply({ ...b.reply, fingerprint: TECHNICIAN_FP })).toEqual({ ok: false, code: "REFLECTED_FRAME" });
  });

  it("the customer refuses its own fingerprint sent as the technician's", () => {
    const start = ok(technician().start()).start;
    expect(customer().onStart({ ...start, fingerprint: CUSTOMER_FP })).toEqual({
      ok: false,
      code: "REFLECTED_FRAME",
      result: null,
    });
  });
});

describe("malformed fields", () => {
  const NONCE = toBase64url(new Uint8Array(16).fill(9));
  const SHARE = toBase64url(new Uint8Array(32).fill(9));
  const TAG = toBase64url(new Uint8Array(64).fill(9));

  // Each value replaces one field (undefined removes it); every one must be refused.
  const badNonces = [
    undefined,
    42,
    "",
    toBase64url(new Uint8Array(15)),
    toBase64url(new Uint8Array(33)),
    `${NONCE.slice(0, -1)}B`, // 16 bytes with unused low bits set: a second spelling
    `${NONCE.slice(0, -1)}+`,
    `${NONCE}=`,
  ];
  const badShares = [
    undefined,
    null,
    toBase64url(new Uint8Array(31)),
    toBase64url(new Uint8Array(33)),
    `${SHARE.slice(0, -1)}B`, // 32 bytes with unused low bits set
    `${SHARE.slice(0, -1)}/`,
  ];
  const badTags = [
    undefined,
    true,
    toBase64url(new Uint8Array(63)),
    toBase64url(new Uint8Array(65)),
    `${TAG.slice(0, -1)}B`, // 64 bytes with unused low bits set
    `${TAG.slice(0, -2)}=`,
  ];
  const badFingerprints = [
    undefined,
    "sha-256 AB:CD",
    { algorithm: "sha-1", value: CUSTOMER_FP.value },
    { algorithm: "SHA-256", value: CUSTOMER_FP.value },
    { algorithm: "sha-256", value: CUSTOMER_FP.value.toLowerCase() },
    { algorithm: "sha-256", value: CUSTOMER_FP.value.replaceAll(":", "") },
    { algorithm: "sha-256", value: CUSTOMER_FP.value.slice(3) },
    { algorithm: "sha-256", value: `${CUSTOMER_FP.value}:00` },
    { ...CUSTOMER_FP, extra: 1 },
  ];
  const notObjects = [undefined, null, "pakeStart", 7, [], [NONCE]];

  function withField(fields: object, key: string, value: unknown): object {
    const copy: Record<string, unknown> = { ...fields };
    if (value === undefined) delete copy[key];
    else copy[key] = value;
    return copy;
  }

  it("the customer refuses every malformed pakeStart, and the run ends", () => {
    const start = ok(technician().start()).start;
    const frames = [
      ...notObjects,
      ...badNonces.map((v) => withField(start, "nonce", v)),
      ...badFingerprints.map((v) => withField(start, "fingerprint", v)),
    ];
    for (const frame of frames) {
      const c = customer();
      expect(c.onStart(frame), JSON.stringify(frame)).toEqual({ ok: false, code: "MALFORMED_FRAME", result: null });
      expect(c.phase).toBe("failed");
    }
  });

  it("the technician refuses every malformed pakeReply, and the run ends", () => {
    const { reply } = openRun();
    const frames = [
      ...notObjects,
      ...badNonces.map((v) => withField(reply, "nonce", v)),
      ...badShares.map((v) => withField(reply, "share", v)),
      ...badFingerprints.map((v) => withField(reply, "fingerprint", v)),
    ];
    for (const frame of frames) {
      const t = technician();
      ok(t.start());
      expect(t.onReply(frame), JSON.stringify(frame)).toEqual({ ok: false, code: "MALFORMED_FRAME" });
      expect(t.phase).toBe("failed");
    }
  });

  it("the customer refuses every malformed pakeFinish, ends the run and owes its no", () => {
    const finish = { share: SHARE, tag: TAG };
    const frames = [
      ...notObjects,
      ...badShares.map((v) => withField(finish, "share", v)),
      ...badTags.map((v) => withField(finish, "tag", v)),
    ];
    for (const frame of frames) {
      const { c } = openRun();
      expect(c.onFinish(frame), JSON.stringify(frame)).toEqual({
        ok: false,
        code: "MALFORMED_FRAME",
        result: { ok: false },
      });
      expect(c.phase).toBe("failed");
    }
  });

  it("the technician refuses every malformed pakeResult, and the run ends", () => {
    const frames = [
      ...notObjects,
      {},
      { ok: "yes", tag: TAG },
      { ok: 1, tag: TAG },
      { ok: true },
      ...badTags.filter((v) => v !== undefined).map((tag) => ({ ok: true, tag })),
    ];
    for (const frame of frames) {
      const { c, t, reply } = openRun();
      ok(c.onFinish(ok(t.onReply(reply)).finish));
      expect(t.onResult(frame), JSON.stringify(frame)).toEqual({ ok: false, code: "MALFORMED_FRAME" });
      expect(t.phase).toBe("failed");
    }
  });

  it("accepts nonces of 16 to 32 bytes, as the protocol allows", () => {
    for (const length of [17, 32]) {
      const start = { ...ok(technician().start()).start, nonce: toBase64url(new Uint8Array(length).fill(5)) };
      expect(customer().onStart(start).ok).toBe(true);
    }
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
