// CPace-RISTR255-SHA512 (draft-irtf-cfrg-cpace-21): the balanced PAKE the customer's page and the technician's
// console run over the session's secret (a link's fragment secret, or the spoken Get-help password), so that both end
// up with a strong shared key while the signaling server in between learns nothing it could test guesses against. The customer is the initiator (A), the
// technician the responder (B); the transcript is the initiator-responder one. Pure and runtime-neutral: only
// @noble/curves and @noble/hashes, no DOM, Node or Deno APIs.

import { ristretto255, ristretto255_hasher } from "@noble/curves/ed25519.js";
import { bytesToNumberLE, equalBytes } from "@noble/curves/utils.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { concatBytes, randomBytes, utf8ToBytes } from "@noble/hashes/utils.js";

/** A ristretto255 group element in noble's internal representation (the draft's `_g`). */
export type RistrettoPoint = InstanceType<typeof ristretto255.Point>;

/** `count` uniformly random bytes; injected so tests can replay the draft's scalars. */
export type RandomSource = (count: number) => Uint8Array;

/** G.DSI of G_Ristretto255. */
export const DSI = utf8ToBytes("CPaceRistretto255");

/** G.DSI || "_ISK", the domain separator of the ISK hash. */
export const DSI_ISK = utf8ToBytes("CPaceRistretto255_ISK");

/** G.I: the encoding of the neutral element, which scalarMultVfy returns for every input it refuses. */
export const IDENTITY: Uint8Array = new Uint8Array(32);

const FIELD_SIZE_BYTES = 32;
const GROUP_SIZE_BITS = 252;

/** prepend_len: the octet string with its length in front, LEB128-encoded. */
export function prependLen(data: Uint8Array): Uint8Array {
  const length: number[] = [];
  let rest = data.length;
  do {
    length.push(rest < 128 ? rest : (rest & 0x7f) | 0x80);
    rest >>>= 7;
  } while (rest > 0);
  return concatBytes(Uint8Array.from(length), data);
}

/** lv_cat: each argument length-prefixed, then concatenated, so that no two argument lists encode alike. */
export function lvCat(...args: Uint8Array[]): Uint8Array {
  return concatBytes(...args.map(prependLen));
}

/** lexiographically_larger: whether bytes1 sorts after bytes2, a longer string after its own prefix. */
export function isLexicographicallyLarger(bytes1: Uint8Array, bytes2: Uint8Array): boolean {
  const minLength = Math.min(bytes1.length, bytes2.length);
  for (let m = 0; m < minLength; m++) {
    const a = bytes1[m] ?? 0;
    const b = bytes2[m] ?? 0;
    if (a !== b) return a > b;
  }
  return bytes1.length > bytes2.length;
}

/** o_cat: b"oc", then the lexicographically larger string, then the other; independent of argument order. */
export function oCat(bytes1: Uint8Array, bytes2: Uint8Array): Uint8Array {
  const [first, second] = isLexicographicallyLarger(bytes1, bytes2) ? [bytes1, bytes2] : [bytes2, bytes1];
  return concatBytes(utf8ToBytes("oc"), first, second);
}

/** transcript_ir: the transcript when A always speaks first, as in Tether (customer A, technician B). */
export function transcriptIr(ya: Uint8Array, adA: Uint8Array, yb: Uint8Array, adB: Uint8Array): Uint8Array {
  return concatBytes(lvCat(ya, adA), lvCat(yb, adB));
}

/** transcript_oc: the transcript of the symmetric setting, where either party may speak first. */
export function transcriptOc(ya: Uint8Array, adA: Uint8Array, yb: Uint8Array, adB: Uint8Array): Uint8Array {
  return oCat(lvCat(ya, adA), lvCat(yb, adB));
}

/** generator_string: DSI, PRS and zero padding fill the first hash block, so its cost does not depend on the PRS. */
export function generatorString(
  dsi: Uint8Array,
  prs: Uint8Array,
  ci: Uint8Array,
  sid: Uint8Array,
  sInBytes: number,
): Uint8Array {
  const lenZpad = Math.max(0, sInBytes - 1 - prependLen(prs).length - prependLen(dsi).length);
  return lvCat(dsi, prs, new Uint8Array(lenZpad), ci, sid);
}

/** G.calculate_generator: the password-derived generator, via RFC 9496 element derivation of a 64-byte SHA-512. */
export function calculateGenerator(prs: Uint8Array, ci: Uint8Array, sid: Uint8Array): RistrettoPoint {
  const genStrHash = sha512(generatorString(DSI, prs, ci, sid, sha512.blockLen));
  const generator = ristretto255_hasher.deriveToCurve?.(genStrHash);
  if (generator === undefined) throw new Error("@noble/curves lacks ristretto255 element derivation");
  return generator;
}

/** G.sample_scalar: 32 random bytes with the bits above 252 cleared, read little-endian (returned as its bytes). */
export function sampleScalar(random: RandomSource = randomBytes): Uint8Array {
  const scalar = Uint8Array.from(random(FIELD_SIZE_BYTES));
  if (scalar.length !== FIELD_SIZE_BYTES) throw new Error("The random source returned the wrong number of bytes");
  scalar[FIELD_SIZE_BYTES - 1] =
    (scalar[FIELD_SIZE_BYTES - 1] ?? 0) & (0xff >> (8 * FIELD_SIZE_BYTES - GROUP_SIZE_BITS));
  if (scalar.every((byte) => byte === 0)) throw new Error("The random source returned only zero bits");
  return scalar;
}

/** G.scalar_mult: y (little-endian) times the point in internal representation, encoded. */
export function scalarMult(y: Uint8Array, g: RistrettoPoint): Uint8Array {
  const scalar = ristretto255.Point.Fn.create(bytesToNumberLE(y));
  return scalar === 0n ? IDENTITY.slice() : g.multiply(scalar).toBytes();
}

/** G.scalar_mult_vfy: y times the decoded X, encoded; G.I if X is no canonical ristretto255 encoding. */
export function scalarMultVfy(y: Uint8Array, x: Uint8Array): Uint8Array {
  let point: RistrettoPoint;
  try {
    point = ristretto255.Point.fromBytes(x);
  } catch {
    return IDENTITY.slice();
  }
  return scalarMult(y, point);
}

/** ISK = H.hash(lv_cat(DSI_ISK, sid, K) || transcript); the draft forbids exposing K itself, only ISK. */
export function deriveIsk(sid: Uint8Array, k: Uint8Array, transcript: Uint8Array): Uint8Array {
  return sha512(concatBytes(lvCat(DSI_ISK, sid, k), transcript));
}

/** sid_output: a public session identifier both parties can compute after a run that had no sid input. */
export function deriveSidOutput(transcript: Uint8Array): Uint8Array {
  return sha512(concatBytes(utf8ToBytes("CPaceSidOutput"), transcript));
}

/** mac_key = H.hash(b"CPaceMac" || sid || ISK), the key of the explicit key confirmation tags. */
export function deriveMacKey(sid: Uint8Array, isk: Uint8Array): Uint8Array {
  return sha512(concatBytes(utf8ToBytes("CPaceMac"), sid, isk));
}

/** A party's key confirmation tag, HMAC-SHA512(mac_key, lv_cat(Y, AD)) over the message it sent. */
export function calculateTag(macKey: Uint8Array, share: Uint8Array, ad: Uint8Array): Uint8Array {
  return hmac(sha512, macKey, lvCat(share, ad));
}

/** Which side of the run a party plays: in Tether the customer initiates and the technician responds. */
export type CpaceRole = "initiator" | "responder";

/** What one party sends the other: its public share Y and its associated data AD, sent in clear but authenticated. */
export type CpaceMessage = { readonly share: Uint8Array; readonly ad: Uint8Array };

/** One party's inputs: PRS and CI stay private and must match the peer's; AD travels in the message. */
export type CpaceInputs = {
  readonly role: CpaceRole;
  readonly prs: Uint8Array;
  readonly sid: Uint8Array;
  readonly ci?: Uint8Array;
  readonly ad?: Uint8Array;
  readonly random?: RandomSource;
};

/** What a party keeps between sending its message and receiving the peer's, including its secret scalar. */
export type CpaceState = {
  readonly role: CpaceRole;
  readonly sid: Uint8Array;
  readonly scalar: Uint8Array;
  readonly message: CpaceMessage;
};

/** A finished run: ISK, the confirmation tag to send, and the one the peer must send back. */
export type CpaceSession = {
  readonly isk: Uint8Array;
  readonly confirmation: Uint8Array;
  readonly expectedConfirmation: Uint8Array;
};

/** cpaceFinish's answer: a session, or why the peer's message was refused (then abort and use no key). */
export type CpaceFinishResult =
  | ({ readonly ok: true } & CpaceSession)
  | { readonly ok: false; readonly code: "INVALID_POINT" | "REFLECTED_MESSAGE" };

/** cpaceConfirm's answer: CONFIRMATION_FAILED means the peer lacks the same ISK (wrong password, CI, sid or AD). */
export type CpaceConfirmResult = { readonly ok: true } | { readonly ok: false; readonly code: "CONFIRMATION_FAILED" };

/** Starts a run: samples this party's scalar and computes the message to send. */
export function cpaceStart(inputs: CpaceInputs): { message: CpaceMessage; state: CpaceState } {
  const { role, prs, sid, ci = new Uint8Array(), ad = new Uint8Array(), random } = inputs;
  const scalar = sampleScalar(random);
  const message = { share: scalarMult(scalar, calculateGenerator(prs, ci, sid)), ad };
  return { message, state: { role, sid, scalar, message } };
}

/**
 * Finishes a run with the peer's message: refuses an invalid or identity share (the draft's abort on K = G.I) and
 * this party's own share sent back, which would otherwise also pass key confirmation.
 */
export function cpaceFinish(state: CpaceState, peer: CpaceMessage): CpaceFinishResult {
  if (equalBytes(peer.share, state.message.share)) return { ok: false, code: "REFLECTED_MESSAGE" };
  const k = scalarMultVfy(state.scalar, peer.share);
  if (equalBytes(k, IDENTITY)) return { ok: false, code: "INVALID_POINT" };
  const [a, b] = state.role === "initiator" ? [state.message, peer] : [peer, state.message];
  const isk = deriveIsk(state.sid, k, transcriptIr(a.share, a.ad, b.share, b.ad));
  const macKey = deriveMacKey(state.sid, isk);
  return {
    ok: true,
    isk,
    confirmation: calculateTag(macKey, state.message.share, state.message.ad),
    expectedConfirmation: calculateTag(macKey, peer.share, peer.ad),
  };
}

/** Checks the peer's confirmation tag in constant time; only a match proves the peer derived the same ISK. */
export function cpaceConfirm(session: CpaceSession, peerTag: Uint8Array): CpaceConfirmResult {
  return equalBytes(peerTag, session.expectedConfirmation) ? { ok: true } : { ok: false, code: "CONFIRMATION_FAILED" };
}

/** A further key from ISK, HKDF-SHA512 with `label` as info, so each use (verification code, seat key) gets its own. */
export function cpaceDeriveKey(isk: Uint8Array, label: string, length = 32): Uint8Array {
  return hkdf(sha512, isk, undefined, utf8ToBytes(label), length);
}
