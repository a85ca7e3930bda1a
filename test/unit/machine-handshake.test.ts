import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { fromBase64url, toBase64url } from "../../client/core/base64url.ts";
import { cpaceDeriveKey, lvCat } from "../../client/core/cpace.ts";
import type { CustomerHandshake, TechnicianHandshake } from "../../client/core/handshake.ts";
import {
  type MachineKey,
  machineHandshake,
  machineKeyOf,
  technicianMachineHandshake,
} from "../../client/core/machine-handshake.ts";
import {
  ATTACKER_FP,
  CODE,
  describeFrameRules,
  flip,
  CUSTOMER_FP as MACHINE_FP,
  ok,
  openRun,
  run,
  seeded,
  TECHNICIAN_FP,
} from "../helpers/handshake-frames.ts";

// The handshake between a technician's console and an enrolled machine's agent with nobody at the machine: signed
// ephemeral X25519 over the CPace frames. The machine plays the customer's part; only the machine is authenticated.

const MACHINE_SEED = new Uint8Array(32).fill(0x11);
const ATTACKER_SEED = new Uint8Array(32).fill(0x22);
const MACHINE_PUBLIC = ed25519.getPublicKey(MACHINE_SEED);
const MACHINE_ID = toBase64url(sha256(MACHINE_PUBLIC));
const MACHINE_KEY: MachineKey = machineKeyOf(MACHINE_ID, toBase64url(MACHINE_PUBLIC)) ?? expect.fail("no key");
const ATTACKER_ID = toBase64url(sha256(ed25519.getPublicKey(ATTACKER_SEED)));

type MachineInputs = Parameters<typeof machineHandshake>[0];
type TechnicianInputs = Parameters<typeof technicianMachineHandshake>[0];

function machine(overrides: Partial<MachineInputs> = {}): CustomerHandshake {
  return machineHandshake({
    code: CODE,
    fingerprint: MACHINE_FP,
    machineId: MACHINE_ID,
    privateKey: MACHINE_SEED,
    ...overrides,
  });
}

function technician(overrides: Partial<TechnicianInputs> = {}): TechnicianHandshake {
  return technicianMachineHandshake({ code: CODE, fingerprint: TECHNICIAN_FP, machine: MACHINE_KEY, ...overrides });
}

// The u-coordinates of the points of small order, and spellings of them (≥ p, top bit set) that X25519 reduces.
const HIGH = `${"ff".repeat(30)}7f`;
const LOW_ORDER = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
  "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
  `ec${HIGH}`, // p − 1
  `ed${HIGH}`, // p, which is 0
  `ee${HIGH}`, // p + 1, which is 1
  "0000000000000000000000000000000000000000000000000000000000000080", // 0 with the top bit set
].map((hex) => toBase64url(hexToBytes(hex)));

/** A share someone else made: the public key of a fresh X25519 secret. */
function otherShare(seed: number): string {
  return toBase64url(x25519.getPublicKey(seeded(seed)(32)));
}

/** The message the machine signs for a transcript, as the header of machine-handshake.ts describes it. */
function transcriptOf(parts: {
  code?: string;
  technicianNonce: Uint8Array;
  machineNonce: Uint8Array;
  ya: Uint8Array;
  yb: Uint8Array;
}): Uint8Array {
  return lvCat(
    ...["tether/machine-handshake/v1", parts.code ?? CODE, MACHINE_ID, MACHINE_FP.value, TECHNICIAN_FP.value].map(
      utf8ToBytes,
    ),
    parts.technicianNonce,
    parts.machineNonce,
    parts.ya,
    parts.yb,
  );
}

describe("the published vectors the handshake's primitives reproduce", () => {
  it("Ed25519, RFC 8032 §7.1 TEST 1 (empty message) and TEST 2 (one octet)", () => {
    const vectors = [
      {
        secret: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        public: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        message: "",
        signature:
          "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
      },
      {
        secret: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        public: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        message: "72",
        signature:
          "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
      },
    ];
    for (const vector of vectors) {
      const secret = hexToBytes(vector.secret);
      const message = hexToBytes(vector.message);
      expect(bytesToHex(ed25519.getPublicKey(secret))).toBe(vector.public);
      expect(bytesToHex(ed25519.sign(message, secret))).toBe(vector.signature);
      const signature = hexToBytes(vector.signature);
      const key = hexToBytes(vector.public);
      expect(ed25519.verify(signature, message, key, { zip215: false })).toBe(true);
      expect(ed25519.verify(signature, Uint8Array.of(...message, 0), key, { zip215: false })).toBe(false);
    }
  });

  it("X25519, RFC 7748 §5.2: the first vector and one iteration of the iterated one", () => {
    const scalar = hexToBytes("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
    const u = hexToBytes("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
    expect(bytesToHex(x25519.getSharedSecret(scalar, u))).toBe(
      "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
    );
    const nine = hexToBytes("0900000000000000000000000000000000000000000000000000000000000000");
    expect(bytesToHex(x25519.getSharedSecret(nine, nine))).toBe(
      "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079",
    );
  });

  it("X25519, RFC 7748 §6.1: Alice's and Bob's keys and their shared secret", () => {
    const alice = hexToBytes("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    const bob = hexToBytes("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    const alicePublic = x25519.getPublicKey(alice);
    const bobPublic = x25519.getPublicKey(bob);
    expect(bytesToHex(alicePublic)).toBe("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    expect(bytesToHex(bobPublic)).toBe("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    const shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    expect(bytesToHex(x25519.getSharedSecret(alice, bobPublic))).toBe(shared);
    expect(bytesToHex(x25519.getSharedSecret(bob, alicePublic))).toBe(shared);
  });
});

describe("a run between a technician's console and an enrolled machine", () => {
  describeFrameRules({
    who: "machine",
    customer: machine,
    technician,
    invalidShares: LOW_ORDER,
  });

  it("follows the documented key schedule, transcript and signature byte for byte", () => {
    const { start, reply, c: m, t } = openRun(machine({ random: seeded(2) }), technician({ random: seeded(1) }));
    const finish = ok(t.onReply(reply)).finish;
    const verdict = ok(m.onFinish(finish));
    // Replay both random sources: each side draws its nonce (16 bytes) first, then its X25519 secret (32 bytes).
    const [onTechnician, onMachine] = [seeded(1), seeded(2)];
    const [technicianNonce, b] = [onTechnician(16), onTechnician(32)];
    const [machineNonce, a] = [onMachine(16), onMachine(32)];
    const [ya, yb] = [x25519.getPublicKey(a), x25519.getPublicKey(b)];
    expect([start.nonce, reply.nonce, reply.share, finish.share]).toEqual(
      [technicianNonce, machineNonce, ya, yb].map(toBase64url),
    );
    const transcript = transcriptOf({ technicianNonce, machineNonce, ya, yb });
    const shared = x25519.getSharedSecret(b, ya);
    const isk = sha512(lvCat(utf8ToBytes("tether/machine-handshake/isk/v1"), shared, transcript));
    const tagKey = cpaceDeriveKey(isk, "tether/machine-handshake/technician-tag/v1", 64);
    expect(finish.tag).toBe(toBase64url(hmac(sha512, tagKey, transcript)));
    const signature = fromBase64url(verdict.result.tag) ?? expect.fail();
    const message = lvCat(utf8ToBytes("tether/machine-handshake/signature/v1"), transcript);
    expect(ed25519.verify(signature, message, MACHINE_PUBLIC, { zip215: false })).toBe(true);
    expect(verdict.confirmed.deriveKey("x")).toEqual(cpaceDeriveKey(isk, "x"));
  });
});

describe("an impostor", () => {
  it("with another key, claiming the pinned machine's id, is refused by the technician", () => {
    const impostor = machine({ privateKey: ATTACKER_SEED });
    const t = technician();
    const { verdict, result } = run(impostor, t);
    // The impostor holds the run's key and signs, but not with the key the technician pinned.
    expect(verdict?.ok).toBe(true);
    expect(result).toEqual({ ok: false, code: "CONFIRMATION_FAILED" });
    expect(t.phase).toBe("failed");
  });

  it("with another key under its own id is refused before it signs, the ids differing in the transcripts", () => {
    const { verdict, result } = run(machine({ privateKey: ATTACKER_SEED, machineId: ATTACKER_ID }), technician());
    expect(verdict).toEqual({ ok: false, code: "CONFIRMATION_FAILED", result: { ok: false } });
    expect(result).toEqual({ ok: false, code: "REFUSED_BY_CUSTOMER" });
  });

  it("cannot pass with a signature that only lenient verification accepts, under a small-order key", () => {
    // The identity point's encoding: a small-order key for which R = identity, S = 0 "signs" every message leniently.
    const weakKey = Uint8Array.of(1, ...new Uint8Array(31));
    const forged = Uint8Array.of(1, ...new Uint8Array(63));
    expect(ed25519.verify(forged, utf8ToBytes("anything"), weakKey, { zip215: true })).toBe(true);
    const pinned = machineKeyOf(toBase64url(sha256(weakKey)), toBase64url(weakKey)) ?? expect.fail();
    const { result } = run(machine(), technician({ machine: pinned }), {
      result: () => ({ ok: true, tag: toBase64url(forged) }),
    });
    expect(result).toEqual({ ok: false, code: "CONFIRMATION_FAILED" });
  });
});

describe("machineKeyOf", () => {
  it("gives the key whose SHA-256 is the id", () => {
    const key = machineKeyOf(MACHINE_ID, toBase64url(MACHINE_PUBLIC));
    expect(key).toEqual({ id: MACHINE_ID, publicKey: MACHINE_PUBLIC });
  });

  it("refuses a key whose hash is not the id", () => {
    const attackerPublic = toBase64url(ed25519.getPublicKey(ATTACKER_SEED));
    expect(machineKeyOf(MACHINE_ID, attackerPublic)).toBeNull();
    expect(machineKeyOf(ATTACKER_ID, toBase64url(MACHINE_PUBLIC))).toBeNull();
    expect(machineKeyOf(flip(MACHINE_ID), toBase64url(MACHINE_PUBLIC))).toBeNull();
  });

  it("refuses malformed ids and keys", () => {
    const publicKey = toBase64url(MACHINE_PUBLIC);
    const badKeys = [
      "",
      toBase64url(MACHINE_PUBLIC.slice(0, 31)),
      toBase64url(Uint8Array.of(...MACHINE_PUBLIC, 0)),
      `${publicKey}=`,
      `${publicKey.slice(0, -1)}+`,
      ` ${publicKey}`,
    ];
    for (const key of badKeys) expect(machineKeyOf(MACHINE_ID, key), key).toBeNull();
    // The same key with its id in another spelling, or the key's hash of a longer input, is no match.
    for (const id of ["", `${MACHINE_ID}=`, MACHINE_ID.toLowerCase(), ` ${MACHINE_ID}`, publicKey]) {
      expect(machineKeyOf(id, publicKey), id).toBeNull();
    }
    const longer = toBase64url(Uint8Array.of(...MACHINE_PUBLIC, 0));
    expect(machineKeyOf(toBase64url(sha256(fromBase64url(longer) ?? expect.fail())), longer)).toBeNull();
  });
});

describe("a relay in the middle", () => {
  it("that swaps the machine's share for its own is refused by the machine, which owes its no", () => {
    const m = machine();
    const t = technician();
    const { verdict, result } = run(m, t, { reply: (f) => ({ ...f, share: otherShare(7) }) });
    expect(verdict).toEqual({ ok: false, code: "CONFIRMATION_FAILED", result: { ok: false } });
    expect(result).toEqual({ ok: false, code: "REFUSED_BY_CUSTOMER" });
    expect([m.phase, t.phase]).toEqual(["failed", "failed"]);
  });

  it("that swaps the machine's share and turns the no into a yes is refused by the technician", () => {
    const forgedTags = [
      toBase64url(new Uint8Array(64).fill(7)),
      toBase64url(ed25519.sign(utf8ToBytes("tether/machine-handshake/signature/v1"), MACHINE_SEED)),
    ];
    for (const tag of forgedTags) {
      const { result } = run(machine(), technician(), {
        reply: (f) => ({ ...f, share: otherShare(7) }),
        result: () => ({ ok: true, tag }),
      });
      expect(result).toEqual({ ok: false, code: "CONFIRMATION_FAILED" });
    }
  });

  it("that swaps the technician's share for its own is refused by the machine", () => {
    const { verdict, result } = run(machine(), technician(), { finish: (f) => ({ ...f, share: otherShare(8) }) });
    expect(verdict).toEqual({ ok: false, code: "CONFIRMATION_FAILED", result: { ok: false } });
    expect(result).toEqual({ ok: false, code: "REFUSED_BY_CUSTOMER" });
  });

  it("that answers both sides with runs of its own cannot make the technician confirm", () => {
    /** The relay plays the machine toward `t` (its own key, the machine's id) and the technician toward the machine. */
    const relay = () => {
      const t = technician();
      const toTechnician = machine({ privateKey: ATTACKER_SEED, fingerprint: ATTACKER_FP });
      const fromTechnician = ok(t.onReply(ok(toTechnician.onStart(ok(t.start()).start)).reply)).finish;
      const ownResult = ok(toTechnician.onFinish(fromTechnician)).result;
      const m = machine();
      const asTechnician = technician({ fingerprint: ATTACKER_FP });
      const reply = ok(m.onStart(ok(asTechnician.start()).start)).reply;
      const machineResult = ok(m.onFinish(ok(asTechnician.onReply(reply)).finish)).result;
      return { t, ownResult, machineResult };
    };
    const first = relay();
    expect(first.t.onResult(first.ownResult)).toEqual({ ok: false, code: "CONFIRMATION_FAILED" });
    const second = relay();
    expect(second.t.onResult(second.machineResult)).toEqual({ ok: false, code: "CONFIRMATION_FAILED" });
  });

  it("that reuses the technician's nonce to finish the machine's run itself cannot pass on the signature", () => {
    const t = technician({ random: seeded(1) });
    const start = ok(t.start()).start;
    const m = machine();
    const reply = ok(m.onStart(start)).reply;
    ok(t.onReply(reply));
    // The relay's own technician run draws the same nonce, then a secret of its own, and so finishes the machine's run.
    const nonce = seeded(1)(16);
    const others = seeded(99);
    let drawn = false;
    const spliced = technician({
      random: (count) => {
        if (drawn) return others(count);
        drawn = true;
        return nonce;
      },
    });
    expect(ok(spliced.start()).start).toEqual(start);
    const verdict = ok(m.onFinish(ok(spliced.onReply(reply)).finish));
    // Only the machine is authenticated: it confirms whoever holds the run's key, but its signature names the
    // relay's share, which the technician's transcript does not have.
    expect(t.onResult(verdict.result)).toEqual({ ok: false, code: "CONFIRMATION_FAILED" });
  });

  it("that sets the unused top bit of the machine's share is refused", () => {
    // The same u-coordinate with the unused top bit set: X25519 ignores it, the transcript does not.
    const { verdict, result } = run(machine(), technician(), {
      reply: (f) => {
        const share = fromBase64url(String(f.share)) ?? expect.fail();
        share[31] = (share[31] ?? 0) | 0x80;
        return { ...f, share: toBase64url(share) };
      },
    });
    expect(verdict).toEqual({ ok: false, code: "CONFIRMATION_FAILED", result: { ok: false } });
    expect(result?.ok).toBe(false);
  });
});

describe("the machine's own inputs", () => {
  it("a private key that is no 32-byte seed is a local mistake, refused when the run is made", () => {
    expect(() => machine({ privateKey: new Uint8Array(31) })).toThrow(/32-byte/);
    expect(() => machine({ privateKey: new Uint8Array(64) })).toThrow(/32-byte/);
  });
});
