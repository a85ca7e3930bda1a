// The handshake a technician's console runs with an enrolled machine's agent when nobody sits at the machine to read
// a password: signed ephemeral Diffie–Hellman (SIGMA-like) over the same four relayed frames and field sizes as the
// CPace handshake (client/core/handshake.ts), so the room relays and charges it unchanged. The machine plays the
// customer's part. Each side makes a fresh X25519 key pair; the technician proves it holds the shared key with an HMAC
// over the transcript, and only then does the machine sign the transcript with the Ed25519 key it enrolled with. The
// transcript binds the session code, the machine's id, both DTLS certificate fingerprints, both nonces and both
// shares, so a relay that changes any of them, replays an earlier run or answers with its own key is refused, and the
// technician confirms only the machine whose key it pinned. The authentication is one way: the machine learns
// nothing about the technician beyond what the room vouches for in letting them send pakeStart.
//
//   technician: start() → pakeStart { nonce, fingerprint }
//   machine:    onStart(pakeStart) → pakeReply { nonce, fingerprint, share: Ya }
//   technician: onReply(pakeReply) → pakeFinish { share: Yb, tag: HMAC over the transcript }
//   machine:    onFinish(pakeFinish) → pakeResult { ok: true, tag: Ed25519 signature over the transcript } (+ confirmed)
//   technician: onResult(pakeResult) → confirmed once the signature checks out under the pinned key
//
// Both sides then hold the same ISK and hand the product the same HandshakeConfirmed as a CPace run does.

import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { equalBytes } from "@noble/curves/utils.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { randomBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import type { CertificateFingerprint } from "#protocol/handshake.ts";
import { toBase64url } from "./base64url.ts";
import { cpaceDeriveKey, lvCat, type RandomSource } from "./cpace.ts";
import type { CustomerFailure, CustomerHandshake, TechnicianHandshake } from "./handshake.ts";
import {
  confirmedRun,
  decodeField,
  type HandshakeFailureCode,
  newNonce,
  readFinish,
  readReply,
  readResult,
  readStart,
  runPhase,
} from "./handshake-binding.ts";

/** An enrolled machine's key as the technician's side pins it: the id it was enrolled with and its public key. */
export type MachineKey = { readonly id: string; readonly publicKey: Uint8Array };

const TRANSCRIPT_LABEL = "tether/machine-handshake/v1";
const ISK_LABEL = "tether/machine-handshake/isk/v1";
const TECHNICIAN_TAG_LABEL = "tether/machine-handshake/technician-tag/v1";
const SIGNATURE_LABEL = "tether/machine-handshake/signature/v1";

const KEY_BYTES = 32;

/** The machine's id for its Ed25519 public key: the key's SHA-256, base64url; the agent, the site and the viewer alike. */
export function machineIdOf(publicKey: Uint8Array): string {
  return toBase64url(sha256(publicKey));
}

/** The machine's key if `publicKey` (base64url, 32 bytes) is the one whose SHA-256 is `id`; else null. */
export function machineKeyOf(id: string, publicKey: string): MachineKey | null {
  const key = decodeField(publicKey, KEY_BYTES);
  return key && machineIdOf(key) === id ? { id, publicKey: key } : null;
}

/** What both sides bind into one run; each side fills it from its own inputs and the frames it received. */
type Transcript = {
  readonly code: string;
  readonly machineId: string;
  readonly machineFingerprint: CertificateFingerprint;
  readonly technicianFingerprint: CertificateFingerprint;
  readonly technicianNonce: Uint8Array;
  readonly machineNonce: Uint8Array;
  readonly ya: Uint8Array;
  readonly yb: Uint8Array;
};

/** The transcript's bytes, lv_cat'ed so that no two transcripts encode alike. */
function transcriptBytes(t: Transcript): Uint8Array {
  return lvCat(
    ...[TRANSCRIPT_LABEL, t.code, t.machineId, t.machineFingerprint.value, t.technicianFingerprint.value].map(
      utf8ToBytes,
    ),
    t.technicianNonce,
    t.machineNonce,
    t.ya,
    t.yb,
  );
}

/** What a run's shared secret and transcript give both sides: the ISK, the technician's tag and the signed message. */
function keySchedule(shared: Uint8Array, transcript: Transcript) {
  const bytes = transcriptBytes(transcript);
  const isk = sha512(lvCat(utf8ToBytes(ISK_LABEL), shared, bytes));
  // The tag's key comes from the ISK under its own label, so the tag reveals nothing of the keys the run hands out.
  const technicianTag = hmac(sha512, cpaceDeriveKey(isk, TECHNICIAN_TAG_LABEL, 64), bytes);
  return { isk, technicianTag, signed: lvCat(utf8ToBytes(SIGNATURE_LABEL), bytes) };
}

/** A fresh X25519 key pair from the run's random source. */
function ephemeralKey(random: RandomSource): { secret: Uint8Array; share: Uint8Array } {
  const secret = Uint8Array.from(random(KEY_BYTES));
  if (secret.length !== KEY_BYTES) throw new Error("The random source returned the wrong number of bytes");
  return { secret, share: x25519.getPublicKey(secret) };
}

/**
 * X25519 with the peer's share, then the secret is wiped; null for a low-order share, which would give a shared
 * secret everyone knows (the library refuses the all-zero result; the check here does not depend on it).
 */
function agree(secret: Uint8Array, peerShare: Uint8Array): Uint8Array | null {
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secret, peerShare);
  } catch {
    return null;
  } finally {
    secret.fill(0);
  }
  return shared.every((byte) => byte === 0) ? null : shared;
}

/** Whether `signature` is the machine's over `message`: strict RFC 8032, which refuses small-order keys. */
function isSignedBy(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** The technician's state machine for one run with the machine it pinned; make a new one for every attempt. */
export function technicianMachineHandshake(inputs: {
  readonly code: string;
  readonly fingerprint: CertificateFingerprint;
  readonly machine: MachineKey;
  readonly random?: RandomSource;
}): TechnicianHandshake {
  const { code, fingerprint, random = randomBytes } = inputs;
  const machine = { id: inputs.machine.id, publicKey: Uint8Array.from(inputs.machine.publicKey) };
  let nonce: Uint8Array | undefined;
  let pending: { isk: Uint8Array; signed: Uint8Array; peerFingerprint: CertificateFingerprint } | undefined;
  const run = runPhase(() => {
    nonce = undefined;
    pending = undefined;
  });

  return {
    get phase() {
      return run.current;
    },

    start() {
      if (run.current !== "idle") return run.fail("OUT_OF_ORDER");
      nonce = newNonce(random);
      run.current = "started";
      return { ok: true, start: { nonce: toBase64url(nonce), fingerprint } };
    },

    onReply(frame) {
      if (run.current !== "started" || nonce === undefined) return run.fail("OUT_OF_ORDER");
      const reply = readReply(frame, { nonce, fingerprint });
      if (!reply.ok) return run.fail(reply.code);
      const own = ephemeralKey(random);
      const shared = agree(own.secret, reply.share);
      if (!shared) return run.fail("INVALID_POINT");
      const { isk, technicianTag, signed } = keySchedule(shared, {
        code,
        machineId: machine.id,
        machineFingerprint: reply.fingerprint,
        technicianFingerprint: fingerprint,
        technicianNonce: nonce,
        machineNonce: reply.nonce,
        ya: reply.share,
        yb: own.share,
      });
      pending = { isk, signed, peerFingerprint: reply.fingerprint };
      run.current = "finished";
      return { ok: true, finish: { share: toBase64url(own.share), tag: toBase64url(technicianTag) } };
    },

    onResult(frame) {
      if (run.current !== "finished" || pending === undefined) return run.fail("OUT_OF_ORDER");
      const result = readResult(frame);
      if (!result.ok) return run.fail(result.code);
      if (!isSignedBy(machine.publicKey, result.tag, pending.signed)) return run.fail("CONFIRMATION_FAILED");
      const confirmed = confirmedRun(pending.isk, pending.peerFingerprint);
      run.current = "confirmed";
      pending = undefined;
      return { ok: true, confirmed };
    },
  };
}

/**
 * The machine's state machine for one run; make a new one for every technician's pakeStart. `privateKey` is the
 * 32-byte Ed25519 seed the machine enrolled with, `machineId` its id; a key of another length is a local mistake and
 * throws here, so that nothing a peer sends later can make the run throw.
 */
export function machineHandshake(inputs: {
  readonly code: string;
  readonly fingerprint: CertificateFingerprint;
  readonly machineId: string;
  readonly privateKey: Uint8Array;
  readonly random?: RandomSource;
}): CustomerHandshake {
  const { code, fingerprint, machineId, random = randomBytes } = inputs;
  if (inputs.privateKey.length !== KEY_BYTES) throw new Error("A machine's private key is a 32-byte Ed25519 seed");
  const privateKey = Uint8Array.from(inputs.privateKey);
  let pending:
    | {
        secret: Uint8Array;
        ya: Uint8Array;
        nonce: Uint8Array;
        technicianNonce: Uint8Array;
        peerFingerprint: CertificateFingerprint;
      }
    | undefined;
  const run = runPhase(() => {
    pending?.secret.fill(0);
    pending = undefined;
  });

  /** Ends the run for `reason`, with the verdict owed if the machine had replied (the technician waits for one). */
  const fail = (reason: HandshakeFailureCode): CustomerFailure => {
    const owed = run.current === "started";
    return { ...run.fail(reason), result: owed ? { ok: false } : null };
  };

  return {
    get phase() {
      return run.current;
    },

    onStart(frame) {
      if (run.current !== "idle") return fail("OUT_OF_ORDER");
      const start = readStart(frame, fingerprint);
      if (!start.ok) return fail(start.code);
      const nonce = newNonce(random);
      const { secret, share: ya } = ephemeralKey(random);
      pending = { secret, ya, nonce, technicianNonce: start.nonce, peerFingerprint: start.fingerprint };
      run.current = "started";
      return { ok: true, reply: { nonce: toBase64url(nonce), fingerprint, share: toBase64url(ya) } };
    },

    onFinish(frame) {
      if (run.current !== "started" || pending === undefined) return fail("OUT_OF_ORDER");
      const finish = readFinish(frame);
      if (!finish.ok) return fail(finish.code);
      const yb = finish.share;
      if (equalBytes(yb, pending.ya)) return fail("REFLECTED_FRAME");
      const shared = agree(pending.secret, yb);
      if (!shared) return fail("INVALID_POINT");
      const { isk, technicianTag, signed } = keySchedule(shared, {
        code,
        machineId,
        machineFingerprint: fingerprint,
        technicianFingerprint: pending.peerFingerprint,
        technicianNonce: pending.technicianNonce,
        machineNonce: pending.nonce,
        ya: pending.ya,
        yb,
      });
      // The machine signs only once the tag shows that the technician holds this run's key and agrees on every byte
      // of the transcript; a run a relay altered ends in a no the room sees, as a CPace run with a wrong secret does.
      if (!equalBytes(finish.tag, technicianTag)) return fail("CONFIRMATION_FAILED");
      const signature = ed25519.sign(signed, privateKey);
      const confirmed = confirmedRun(isk, pending.peerFingerprint);
      run.current = "confirmed";
      pending = undefined;
      return { ok: true, result: { ok: true, tag: toBase64url(signature) }, confirmed };
    },
  };
}
