import { describe, expect, it } from "vitest";
import { type CertificateFingerprint, PakeFinish, PakeReply, PakeResult, PakeStart } from "#protocol/handshake.ts";
import { fromBase64url, toBase64url } from "../../client/core/base64url.ts";
import type { RandomSource } from "../../client/core/cpace.ts";
import type { CustomerHandshake, TechnicianHandshake } from "../../client/core/handshake.ts";
import { normalisePassword } from "../../client/core/password.ts";

// What every handshake over the room's four relayed frames must do whatever its cryptography, written once and run
// against each: the CPace handshake (test/unit/handshake.test.ts) and the machine handshake
// (test/unit/machine-handshake.test.ts). Both take the same frames, in the same order, and refuse the same mistakes
// with the same codes; the tools to drive a run come with it.

/** A distinct, well-formed certificate fingerprint per seed. */
function fingerprint(seed: number): CertificateFingerprint {
  const hex = Array.from({ length: 32 }, (_, i) =>
    ((seed * 31 + i * 7) & 0xff).toString(16).toUpperCase().padStart(2, "0"),
  );
  return { algorithm: "sha-256", value: hex.join(":") };
}

/** A deterministic random source, so a run can be replayed byte for byte. */
export function seeded(seed: number): RandomSource {
  let state = seed >>> 0 || 1;
  return (count) =>
    Uint8Array.from({ length: count }, () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state & 0xff;
    });
}

/** The session code both sides bind unless a test says otherwise. */
export const CODE = "123456789";
/** The certificate fingerprints of the customer's side, of the technician's, and of someone in the middle. */
export const CUSTOMER_FP = fingerprint(1);
export const TECHNICIAN_FP = fingerprint(2);
export const ATTACKER_FP = fingerprint(3);

/** Unwraps an ok step, failing the test with the refusal's code otherwise. */
export function ok<T extends { ok: boolean }>(step: T): Extract<T, { ok: true }> {
  if (!step.ok) expect.fail(`refused: ${JSON.stringify(step)}`);
  return step as Extract<T, { ok: true }>;
}

/** Flips one bit of a base64url field, keeping it canonical and the same length. */
export function flip(field: unknown): string {
  const bytes = fromBase64url(String(field)) ?? new Uint8Array();
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return toBase64url(bytes);
}

/** Runs the technician's start and the customer's reply; the frames so far and both sides. */
export function openRun<C extends CustomerHandshake, T extends TechnicianHandshake>(c: C, t: T) {
  const start = ok(t.start()).start;
  const reply = ok(c.onStart(start)).reply;
  return { c, t, start, reply };
}

/** What a relay does to a frame's fields in transit. */
type Rewrite = (fields: Record<string, unknown>) => Record<string, unknown>;

/** A whole run between the two sides, with an optional rewrite of each frame in transit. */
export function run(
  c: CustomerHandshake,
  t: TechnicianHandshake,
  rewrite: { start?: Rewrite; reply?: Rewrite; finish?: Rewrite; result?: Rewrite } = {},
) {
  const start = ok(t.start()).start;
  const replied = c.onStart(rewrite.start ? rewrite.start(start) : start);
  if (!replied.ok) return { replied };
  const finished = t.onReply(rewrite.reply ? rewrite.reply(replied.reply) : replied.reply);
  if (!finished.ok) return { replied, finished };
  const verdict = c.onFinish(rewrite.finish ? rewrite.finish(finished.finish) : finished.finish);
  const sent = verdict.result ?? { ok: false };
  const result = t.onResult(rewrite.result ? rewrite.result(sent) : sent);
  return { replied, finished, verdict, result };
}

// Well-formed fields, and each value that replaces one of them (undefined removes it) in a frame that must be refused.
const NONCE = toBase64url(new Uint8Array(16).fill(9));
const SHARE = toBase64url(new Uint8Array(32).fill(9));
const TAG = toBase64url(new Uint8Array(64).fill(9));

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
  toBase64url(new Uint8Array(31).fill(9)),
  toBase64url(new Uint8Array(33).fill(9)),
  `${SHARE}AA`, // garbage after a whole share
  `${SHARE.slice(0, -1)}B`, // 32 bytes with unused low bits set
  `${SHARE.slice(0, -1)}/`,
  `${SHARE.slice(0, -1)}=`,
];
const badTags = [
  undefined,
  true,
  toBase64url(new Uint8Array(63)),
  toBase64url(new Uint8Array(65)),
  `${TAG}AA`,
  `${TAG.slice(0, -1)}B`, // 64 bytes with unused low bits set
  `${TAG.slice(0, -2)}=`,
  `${TAG.slice(0, -1)}.`,
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

/** A copy of `fields` with `key` set to `value`, or removed if `value` is undefined. */
function withField(fields: object, key: string, value: unknown): object {
  const copy: Record<string, unknown> = { ...fields };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy;
}

/** What each side of one handshake takes in the tests: the inputs both handshakes have, the others fixed. */
type SideOptions = { code?: string; fingerprint?: CertificateFingerprint; random?: RandomSource };

/** One handshake's two sides as the rules below drive them, each by default with CODE and its own fingerprint. */
export type HandshakeSides = {
  /** Who plays the customer's part, as the tests' names say it: "customer", "machine". */
  readonly who: string;
  /** A new run of the customer's part, with CUSTOMER_FP. */
  readonly customer: (options?: SideOptions) => CustomerHandshake;
  /** A new run of the technician's part that confirms with `customer()`, with TECHNICIAN_FP. */
  readonly technician: (options?: SideOptions) => TechnicianHandshake;
  /** Shares that decode but that the handshake's group refuses (INVALID_POINT). */
  readonly invalidShares: readonly string[];
};

/** The rules of the four frames, as tests of one handshake. */
export function describeFrameRules(sides: HandshakeSides): void {
  const { who, customer, technician } = sides;
  const open = () => openRun(customer(), technician());

  describe("a whole run", () => {
    it("confirms both ways with the same four words and keys, each side knowing the other's certificate", () => {
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
      expect([c.phase, t.phase]).toEqual(["confirmed", "confirmed"]);
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

    it("moves through the phases idle, started, finished and confirmed", () => {
      const c = customer();
      const t = technician();
      expect([c.phase, t.phase]).toEqual(["idle", "idle"]);
      const start = ok(t.start()).start;
      expect(t.phase).toBe("started");
      const reply = ok(c.onStart(start)).reply;
      expect(c.phase).toBe("started");
      const finish = ok(t.onReply(reply)).finish;
      expect(t.phase).toBe("finished");
      ok(t.onResult(ok(c.onFinish(finish)).result));
      expect([c.phase, t.phase]).toEqual(["confirmed", "confirmed"]);
    });

    it("sends frames that the room's strict schemas accept once `type` and `to` are added", () => {
      const { c, t, start, reply } = open();
      expect(PakeStart.safeParse({ type: "pakeStart", to: "customer1", ...start }).success).toBe(true);
      expect(PakeReply.safeParse({ type: "pakeReply", to: "tech1", ...reply }).success).toBe(true);
      const finish = ok(t.onReply(reply)).finish;
      expect(PakeFinish.safeParse({ type: "pakeFinish", to: "customer1", ...finish }).success).toBe(true);
      const verdict = ok(c.onFinish(finish));
      expect(PakeResult.safeParse({ type: "pakeResult", to: "tech1", ...verdict.result }).success).toBe(true);
      expect([start.nonce, reply.nonce].map((n) => fromBase64url(n)?.length)).toEqual([16, 16]);
      expect([reply.share, finish.share].map((s) => s.length)).toEqual([43, 43]);
      expect([finish.tag, verdict.result.tag].map((s) => s.length)).toEqual([86, 86]);
    });

    it("takes whole relayed frames as well as bare fields", () => {
      const c = customer();
      const t = technician();
      const start = ok(t.start()).start;
      const reply = ok(c.onStart({ type: "pakeStart", from: "tech1", ...start })).reply;
      const finish = ok(t.onReply({ type: "pakeReply", from: "customer1", ...reply })).finish;
      const verdict = ok(c.onFinish({ type: "pakeFinish", from: "tech1", ...finish }));
      const confirmed = ok(t.onResult({ type: "pakeResult", from: "customer1", ...verdict.result })).confirmed;
      expect(confirmed.peerFingerprint).toEqual(CUSTOMER_FP);
    });

    it("is the same run byte for byte given the same random bytes, and another with others", () => {
      const frames = (seed: number) => {
        const { replied, finished, verdict, result } = run(
          customer({ random: seeded(seed) }),
          technician({ random: seeded(seed + 100) }),
        );
        return {
          reply: ok(replied).reply,
          finish: ok(finished ?? expect.fail()).finish,
          result: ok(verdict ?? expect.fail()).result,
          code: ok(result ?? expect.fail()).confirmed.verificationCode,
        };
      };
      expect(frames(1)).toEqual(frames(1));
      expect(frames(1).finish.share).not.toBe(frames(2).finish.share);
      expect(frames(1).code).not.toBe(frames(2).code);
    });

    it(`shows different words in different runs with the same ${who}`, () => {
      const codes = Array.from(
        { length: 5 },
        () => ok(run(customer(), technician()).verdict ?? expect.fail()).confirmed.verificationCode,
      );
      expect(new Set(codes).size).toBe(5);
    });
  });

  describe("a relay that changes a frame", () => {
    it(`that swaps either certificate's fingerprint, or both, is refused by the ${who}`, () => {
      const rewrites = [
        { start: (f: Record<string, unknown>) => ({ ...f, fingerprint: ATTACKER_FP }) },
        { reply: (f: Record<string, unknown>) => ({ ...f, fingerprint: ATTACKER_FP }) },
        {
          start: (f: Record<string, unknown>) => ({ ...f, fingerprint: ATTACKER_FP }),
          reply: (f: Record<string, unknown>) => ({ ...f, fingerprint: fingerprint(4) }),
        },
      ];
      for (const rewrite of rewrites) {
        const { verdict, result } = run(customer(), technician(), rewrite);
        expect(verdict).toEqual({ ok: false, code: "CONFIRMATION_FAILED", result: { ok: false } });
        expect(result).toEqual({ ok: false, code: "REFUSED_BY_CUSTOMER" });
      }
    });

    it("that changes a nonce or the tag in transit is refused", () => {
      const rewrites = [
        { start: (f: Record<string, unknown>) => ({ ...f, nonce: flip(f.nonce) }) },
        { reply: (f: Record<string, unknown>) => ({ ...f, nonce: flip(f.nonce) }) },
        { finish: (f: Record<string, unknown>) => ({ ...f, tag: flip(f.tag) }) },
      ];
      for (const rewrite of rewrites) {
        const { verdict, result } = run(customer(), technician(), rewrite);
        expect(verdict).toEqual({ ok: false, code: "CONFIRMATION_FAILED", result: { ok: false } });
        expect(result?.ok).toBe(false);
      }
    });

    it(`that relays the ${who}'s verdict of one run to a technician in another is refused`, () => {
      const first = open();
      const firstResult = ok(first.c.onFinish(ok(first.t.onReply(first.reply)).finish)).result;
      const second = open();
      ok(second.t.onReply(second.reply));
      expect(second.t.onResult(firstResult)).toEqual({ ok: false, code: "CONFIRMATION_FAILED" });
    });
  });

  describe("replaying an earlier run", () => {
    it(`an old pakeFinish fails in a new ${who} run, even one opened with the old pakeStart`, () => {
      const old = open();
      const oldFinish = ok(old.t.onReply(old.reply)).finish;
      ok(old.c.onFinish(oldFinish));
      // A new run answers the same pakeStart with a new nonce and a new share.
      const c = customer();
      const reply = ok(c.onStart(old.start)).reply;
      expect(reply.nonce).not.toBe(old.reply.nonce);
      expect(reply.share).not.toBe(old.reply.share);
      expect(c.onFinish(oldFinish)).toEqual({ ok: false, code: "CONFIRMATION_FAILED", result: { ok: false } });
    });

    it("an old pakeReply and its verdict fail against a new technician run", () => {
      const old = open();
      const oldResult = ok(old.c.onFinish(ok(old.t.onReply(old.reply)).finish)).result;
      const t = technician();
      ok(t.start());
      ok(t.onReply(old.reply));
      expect(t.onResult(oldResult)).toEqual({ ok: false, code: "CONFIRMATION_FAILED" });
    });

    it(`a run for another session code fails at the ${who}, which the binding of the code shows`, () => {
      const { verdict, result } = run(customer(), technician({ code: "987654321" }));
      expect(verdict).toEqual({ ok: false, code: "CONFIRMATION_FAILED", result: { ok: false } });
      expect(result).toEqual({ ok: false, code: "REFUSED_BY_CUSTOMER" });
    });

    it("a second pakeFinish after a confirmed run is refused and changes nothing", () => {
      const { c, t, reply } = open();
      const finish = ok(t.onReply(reply)).finish;
      ok(c.onFinish(finish));
      expect(c.onFinish(finish)).toEqual({ ok: false, code: "ALREADY_FINISHED", result: null });
      expect(c.phase).toBe("confirmed");
    });

    it("a second pakeResult or pakeStart after a confirmed run is refused and changes nothing", () => {
      const { c, t, reply } = open();
      const result = ok(c.onFinish(ok(t.onReply(reply)).finish)).result;
      ok(t.onResult(result));
      expect(t.onResult(result)).toEqual({ ok: false, code: "ALREADY_FINISHED" });
      expect(t.start()).toEqual({ ok: false, code: "ALREADY_FINISHED" });
      expect(t.phase).toBe("confirmed");
    });
  });

  describe("reflected and invalid shares", () => {
    it(`the ${who} refuses its own share sent back as the technician's`, () => {
      const { c, t, reply } = open();
      const finish = ok(t.onReply(reply)).finish;
      expect(c.onFinish({ ...finish, share: reply.share })).toEqual({
        ok: false,
        code: "REFLECTED_FRAME",
        result: { ok: false },
      });
    });

    it(`the ${who} refuses an invalid share from the technician, and owes its no`, () => {
      for (const share of sides.invalidShares) {
        const { c, t, reply } = open();
        const finish = ok(t.onReply(reply)).finish;
        expect(c.onFinish({ ...finish, share }), share).toEqual({
          ok: false,
          code: "INVALID_POINT",
          result: { ok: false },
        });
        expect(c.phase).toBe("failed");
      }
    });

    it(`the technician refuses an invalid share from the ${who}`, () => {
      for (const share of sides.invalidShares) {
        const { t, reply } = open();
        expect(t.onReply({ ...reply, share }), share).toEqual({ ok: false, code: "INVALID_POINT" });
        expect(t.phase).toBe("failed");
      }
    });

    it(`the technician refuses its own nonce or fingerprint sent back as the ${who}'s`, () => {
      const a = open();
      expect(a.t.onReply({ ...a.reply, nonce: a.start.nonce })).toEqual({ ok: false, code: "REFLECTED_FRAME" });
      const b = open();
      const reflected = { ...b.reply, fingerprint: TECHNICIAN_FP };
      expect(b.t.onReply(reflected)).toEqual({ ok: false, code: "REFLECTED_FRAME" });
    });

    it(`the ${who} refuses its own fingerprint sent as the technician's, owing no verdict`, () => {
      const start = ok(technician().start()).start;
      const c = customer();
      expect(c.onStart({ ...start, fingerprint: CUSTOMER_FP })).toEqual({
        ok: false,
        code: "REFLECTED_FRAME",
        result: null,
      });
      expect(c.phase).toBe("failed");
    });
  });

  describe("frames out of order", () => {
    it("the technician refuses a reply before its start, a result before the reply, and a second start", () => {
      expect(technician().onReply(open().reply)).toEqual({ ok: false, code: "OUT_OF_ORDER" });
      const t = technician();
      ok(t.start());
      expect(t.onResult({ ok: false })).toEqual({ ok: false, code: "OUT_OF_ORDER" });
      expect(t.phase).toBe("failed");
      const again = technician();
      ok(again.start());
      expect(again.start()).toEqual({ ok: false, code: "OUT_OF_ORDER" });
    });

    it("the technician refuses a second reply in one run", () => {
      const { t, reply } = open();
      ok(t.onReply(reply));
      expect(t.onReply(reply)).toEqual({ ok: false, code: "OUT_OF_ORDER" });
      expect(t.phase).toBe("failed");
    });

    it(`the ${who} refuses a finish before any start, owing no verdict`, () => {
      const c = customer();
      expect(c.onFinish({ share: SHARE, tag: TAG })).toEqual({ ok: false, code: "OUT_OF_ORDER", result: null });
      expect(c.phase).toBe("failed");
    });

    it(`the ${who} refuses a second start in one run, owing the technician its no`, () => {
      const { c, start } = open();
      expect(c.onStart(start)).toEqual({ ok: false, code: "OUT_OF_ORDER", result: { ok: false } });
      expect(c.phase).toBe("failed");
    });

    it("a run that refused a frame stays failed: the right frame afterwards is refused too", () => {
      const { c, t, reply } = open();
      const finish = ok(t.onReply(reply)).finish;
      expect(c.onFinish({ ...finish, tag: "!" }).ok).toBe(false);
      expect(c.onFinish(finish)).toEqual({ ok: false, code: "ALREADY_FINISHED", result: null });
      const other = open();
      expect(other.t.onReply({ ...other.reply, share: "x" }).ok).toBe(false);
      expect(other.t.onReply(other.reply)).toEqual({ ok: false, code: "ALREADY_FINISHED" });
    });
  });

  describe("malformed frames", () => {
    it(`the ${who} refuses every malformed pakeStart, owing no verdict, and the run ends`, () => {
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
      const { reply } = open();
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

    it(`the ${who} refuses every malformed pakeFinish, ends the run and owes its no`, () => {
      const finish = { share: SHARE, tag: TAG };
      const frames = [
        ...notObjects,
        ...badShares.map((v) => withField(finish, "share", v)),
        ...badTags.map((v) => withField(finish, "tag", v)),
      ];
      for (const frame of frames) {
        const { c } = open();
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
        const { c, t, reply } = open();
        ok(c.onFinish(ok(t.onReply(reply)).finish));
        expect(t.onResult(frame), JSON.stringify(frame)).toEqual({ ok: false, code: "MALFORMED_FRAME" });
        expect(t.phase).toBe("failed");
      }
    });

    it(`the technician takes the ${who}'s no as a refusal`, () => {
      const { t, reply } = open();
      ok(t.onReply(reply));
      expect(t.onResult({ ok: false })).toEqual({ ok: false, code: "REFUSED_BY_CUSTOMER" });
      expect(t.phase).toBe("failed");
    });

    it("accepts nonces of 16 to 32 bytes, as the protocol allows", () => {
      for (const length of [17, 32]) {
        const start = { ...ok(technician().start()).start, nonce: toBase64url(new Uint8Array(length).fill(5)) };
        expect(customer().onStart(start).ok).toBe(true);
      }
    });
  });
}
