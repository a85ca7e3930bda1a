// What ties one handshake run to one session, two certificates and two fresh nonces, and what a confirmed run hands
// the pages. The channel identifier binds the session code, both roles and both DTLS certificate fingerprints: a relay
// that swaps a fingerprint leaves the two pages with different CPace generators, so key confirmation fails. The
// session id comes from a nonce of each side, so no frame of an earlier run fits a later one. Both handshakes
// (handshake.ts, machine-handshake.ts) also share from here how a run reads the peer's frames and how it ends.

import { equalBytes } from "@noble/curves/utils.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import * as z from "zod/mini";
import {
  type CertificateFingerprint,
  RelayedPakeFinish,
  RelayedPakeReply,
  RelayedPakeResult,
  RelayedPakeStart,
} from "#protocol/handshake.ts";
import { fromBase64url } from "./base64url.ts";
import { cpaceDeriveKey, lvCat, type RandomSource } from "./cpace.ts";
import { isSameFingerprint } from "./fingerprint.ts";
import { wordsOf } from "./password.ts";

/** How many random bytes each side's nonce has. */
export const NONCE_BYTES = 16;

/** The associated data of the customer's CPace message (A, the initiator). */
export const CUSTOMER_AD = utf8ToBytes("customer");

/** The associated data of the technician's CPace message (B, the responder). */
export const TECHNICIAN_AD = utf8ToBytes("technician");

/** How many words the verification code has: 32 bits, so a relay that got in the middle shows different words. */
export const VERIFICATION_WORDS = 4;

const VERIFICATION_CODE_LABEL = "tether/verification-code/v1";

export const MAX_NONCE_BYTES = 32;
export const SHARE_BYTES = 32;
export const TAG_BYTES = 64;

// The fields of each frame as the peer sent them: the relayed schemas without `type` and `from`, so that a whole
// relayed frame and its bare fields parse alike (unknown keys are dropped, never passed on).
/** pakeStart's fields. */
export const PakeStartFields = z.omit(RelayedPakeStart, { type: true, from: true });
/** pakeReply's fields. */
export const PakeReplyFields = z.omit(RelayedPakeReply, { type: true, from: true });
/** pakeFinish's fields. */
export const PakeFinishFields = z.omit(RelayedPakeFinish, { type: true, from: true });
/** pakeResult's fields. */
export const PakeResultFields = z.omit(RelayedPakeResult, { type: true, from: true });

/** What the technician sends to open a run: its nonce and its certificate's fingerprint. */
export type PakeStartFields = z.infer<typeof PakeStartFields>;
/** The customer's answer: its nonce, its certificate's fingerprint and its CPace share (Ya). */
export type PakeReplyFields = z.infer<typeof PakeReplyFields>;
/** The technician's CPace share (Yb) and its key confirmation tag. */
export type PakeFinishFields = z.infer<typeof PakeFinishFields>;
/** The customer's verdict: ok with its own tag, or not. */
export type PakeResultFields = z.infer<typeof PakeResultFields>;

/** Why a frame was refused; every refusal is a value, and (except for a frame after the end) ends the run. */
export type HandshakeFailureCode =
  /** A field failed its schema, or decoded to the wrong number of bytes. */
  | "MALFORMED_FRAME"
  /** A frame this side does not expect at this point of the run. */
  | "OUT_OF_ORDER"
  /** A frame for a run that has already been confirmed or failed; the run's outcome stands. */
  | "ALREADY_FINISHED"
  /** The peer's share, nonce or fingerprint is this side's own, sent back. */
  | "REFLECTED_FRAME"
  /** The peer's share is no valid ristretto255 element, or the identity. */
  | "INVALID_POINT"
  /** The peer's tag is wrong: another password, another certificate, another run, or someone in the middle. */
  | "CONFIRMATION_FAILED"
  /** The technician's side: the customer's page said no. */
  | "REFUSED_BY_CUSTOMER";

/** A refused frame. */
export type HandshakeFailure = { readonly ok: false; readonly code: HandshakeFailureCode };

/**
 * Where a run stands: "started" once this side has sent its first frame (the technician's pakeStart, the customer's
 * pakeReply), "finished" once the technician has sent pakeFinish; "confirmed" and "failed" are final.
 */
export type HandshakePhase = "idle" | "started" | "finished" | "confirmed" | "failed";

/** What a confirmed run gives a page, and all it gives: the ISK itself stays inside deriveKey. */
export type HandshakeConfirmed = {
  /** The peer's certificate fingerprint, now authenticated: every SDP and connected certificate must match it. */
  readonly peerFingerprint: CertificateFingerprint;
  /** Four words from the password list, the same on both pages, for the people to compare by voice. */
  readonly verificationCode: string;
  /** A key for one purpose, HKDF-SHA512 from the ISK with `label` as info; a distinct label for every use. */
  readonly deriveKey: (label: string, length?: number) => Uint8Array;
};

/** The channel identifier: protocol label, session code, both roles and both certificate fingerprints, lv_cat'ed. */
export function channelIdentifier(
  code: string,
  customer: CertificateFingerprint,
  technician: CertificateFingerprint,
): Uint8Array {
  return lvCat(
    ...["tether/handshake/v1", code, "customer", "technician", customer.value, technician.value].map(utf8ToBytes),
  );
}

/** The CPace sid: the first 16 bytes of SHA-512 over both nonces, so each side knows the run is a new one. */
export function sessionId(technicianNonce: Uint8Array, customerNonce: Uint8Array): Uint8Array {
  return sha512(lvCat(utf8ToBytes("tether/sid/v1"), technicianNonce, customerNonce)).slice(0, 16);
}

/** A field's bytes if it is canonical base64url of an allowed length, else null. */
export function decodeField(text: string, minBytes: number, maxBytes = minBytes): Uint8Array | null {
  const bytes = fromBase64url(text);
  return bytes && bytes.length >= minBytes && bytes.length <= maxBytes ? bytes : null;
}

/** What a page learns from a confirmed run: the verification code is derived here, the ISK stays in the closure. */
export function confirmedRun(isk: Uint8Array, peerFingerprint: CertificateFingerprint): HandshakeConfirmed {
  return {
    peerFingerprint,
    verificationCode: wordsOf(cpaceDeriveKey(isk, VERIFICATION_CODE_LABEL, VERIFICATION_WORDS)),
    deriveKey: (label, length = 32) => cpaceDeriveKey(isk, label, length),
  };
}

/** Parses a frame's fields with its schema; null if they do not fit. */
export function parseFields<T>(schema: z.ZodMiniType<T>, value: unknown): T | null {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** A refusal as a value. */
export function refusal(code: HandshakeFailureCode): HandshakeFailure {
  return { ok: false, code };
}

/** A fresh nonce from the run's random source. */
export function newNonce(random: RandomSource): Uint8Array {
  return Uint8Array.from(random(NONCE_BYTES));
}

/** One run's phase, and the one way it ends early. */
export type RunPhase = {
  /** Where the run stands; each step moves it on. */
  current: HandshakePhase;
  /** Refuses a frame for `reason` and ends the run, or refuses it as ALREADY_FINISHED if the run had ended. */
  fail(reason: HandshakeFailureCode): HandshakeFailure;
};

/** A new run; `forget` drops what the run held when it fails, and a frame after the end changes nothing. */
export function runPhase(forget: () => void): RunPhase {
  const run: RunPhase = {
    current: "idle",
    fail(reason) {
      if (run.current === "confirmed" || run.current === "failed") return refusal("ALREADY_FINISHED");
      run.current = "failed";
      forget();
      return refusal(reason);
    },
  };
  return run;
}

// What each side takes from the frames it receives, the same checks in the same order for both handshakes: the
// schema and the byte lengths (MALFORMED_FRAME), then whether the peer sent this side's own values back.

/** A pakeStart's nonce and fingerprint, the fingerprint not this side's `own`. */
export function readStart(
  start: unknown,
  own: CertificateFingerprint,
): { readonly ok: true; readonly nonce: Uint8Array; readonly fingerprint: CertificateFingerprint } | HandshakeFailure {
  const fields = parseFields(PakeStartFields, start);
  const nonce = fields && decodeField(fields.nonce, NONCE_BYTES, MAX_NONCE_BYTES);
  if (!fields || !nonce) return refusal("MALFORMED_FRAME");
  if (isSameFingerprint(fields.fingerprint, own)) return refusal("REFLECTED_FRAME");
  return { ok: true, nonce, fingerprint: fields.fingerprint };
}

/** A pakeReply's nonce, share and fingerprint, neither the nonce nor the fingerprint this side's own sent back. */
export function readReply(
  reply: unknown,
  own: { readonly nonce: Uint8Array; readonly fingerprint: CertificateFingerprint },
):
  | {
      readonly ok: true;
      readonly nonce: Uint8Array;
      readonly share: Uint8Array;
      readonly fingerprint: CertificateFingerprint;
    }
  | HandshakeFailure {
  const fields = parseFields(PakeReplyFields, reply);
  if (!fields) return refusal("MALFORMED_FRAME");
  const nonce = decodeField(fields.nonce, NONCE_BYTES, MAX_NONCE_BYTES);
  const share = decodeField(fields.share, SHARE_BYTES);
  if (!nonce || !share) return refusal("MALFORMED_FRAME");
  if (equalBytes(nonce, own.nonce) || isSameFingerprint(fields.fingerprint, own.fingerprint)) {
    return refusal("REFLECTED_FRAME");
  }
  return { ok: true, nonce, share, fingerprint: fields.fingerprint };
}

/** A pakeFinish's share and tag. */
export function readFinish(
  finish: unknown,
): { readonly ok: true; readonly share: Uint8Array; readonly tag: Uint8Array } | HandshakeFailure {
  const fields = parseFields(PakeFinishFields, finish);
  const share = fields && decodeField(fields.share, SHARE_BYTES);
  const tag = fields && decodeField(fields.tag, TAG_BYTES);
  return share && tag ? { ok: true, share, tag } : refusal("MALFORMED_FRAME");
}

/** A pakeResult's tag if the peer said ok; REFUSED_BY_CUSTOMER if it said no. */
export function readResult(result: unknown): { readonly ok: true; readonly tag: Uint8Array } | HandshakeFailure {
  const fields = parseFields(PakeResultFields, result);
  if (!fields) return refusal("MALFORMED_FRAME");
  if (!fields.ok) return refusal("REFUSED_BY_CUSTOMER");
  const tag = fields.tag === undefined ? null : decodeField(fields.tag, TAG_BYTES);
  return tag ? { ok: true, tag } : refusal("MALFORMED_FRAME");
}
