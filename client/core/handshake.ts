// The handshake each side runs over the room's four relayed frames (worker/protocol/handshake.ts): CPace between the
// customer's page (initiator) and one technician's console (responder), over the session's secret, bound to both DTLS
// certificates, with key confirmation both ways. Each role is a small state machine that takes what arrived and
// returns the fields to send (the caller adds `type` and `to`) or why it refused; it never throws on what a peer or
// relay sends, and a refused frame ends the run, so nobody gets to probe one run twice.
//
//   technician: start() → pakeStart   onReply(pakeReply) → pakeFinish   onResult(pakeResult) → confirmed
//   customer:   onStart(pakeStart) → pakeReply   onFinish(pakeFinish) → pakeResult (+ confirmed)

import { equalBytes } from "@noble/curves/utils.js";
import { randomBytes } from "@noble/hashes/utils.js";
import type { CertificateFingerprint } from "#protocol/handshake.ts";
import { toBase64url } from "./base64url.ts";
import {
  type CpaceSession,
  type CpaceState,
  cpaceConfirm,
  cpaceFinish,
  cpaceStart,
  type RandomSource,
} from "./cpace.ts";
import { isSameFingerprint } from "./fingerprint.ts";
import {
  CUSTOMER_AD,
  channelIdentifier,
  confirmedRun,
  decodeField,
  type HandshakeConfirmed,
  type HandshakeFailure,
  type HandshakeFailureCode,
  NONCE_BYTES,
  PakeFinishFields,
  PakeReplyFields,
  PakeResultFields,
  PakeStartFields,
  parseFields,
  sessionId,
  TECHNICIAN_AD,
} from "./handshake-binding.ts";

export type {
  HandshakeConfirmed,
  HandshakeFailure,
  HandshakeFailureCode,
  PakeFinishFields,
  PakeReplyFields,
  PakeResultFields,
  PakeStartFields,
} from "./handshake-binding.ts";

/** What each side brings to a run. */
export type HandshakeInputs = {
  /** The session's code as the room spells it (9 digits); both sides must bind the same one. */
  readonly code: string;
  /** The secret: prsOfLinkSecret(...) or prsOfPassword(...). */
  readonly prs: Uint8Array;
  /** This side's own DTLS certificate fingerprint, made before the run (certificateFingerprint(...)). */
  readonly fingerprint: CertificateFingerprint;
  /** Random bytes for the nonce and the CPace scalar; the platform's CSPRNG unless a test replays a run. */
  readonly random?: RandomSource;
};

/**
 * Where a run stands: "started" once this side has sent its first frame (the technician's pakeStart, the customer's
 * pakeReply), "finished" once the technician has sent pakeFinish; "confirmed" and "failed" are final.
 */
export type HandshakePhase = "idle" | "started" | "finished" | "confirmed" | "failed";

/** The technician's side of one run. */
export type TechnicianHandshake = {
  /** Where this run stands. */
  readonly phase: HandshakePhase;
  /** Opens the run: pakeStart's fields (a fresh nonce and this console's fingerprint). */
  start(): { readonly ok: true; readonly start: PakeStartFields } | HandshakeFailure;
  /** Takes the customer's pakeReply: pakeFinish's fields (Yb and the technician's tag), or why it was refused. */
  onReply(reply: unknown): { readonly ok: true; readonly finish: PakeFinishFields } | HandshakeFailure;
  /** Takes the customer's pakeResult: confirmed once the customer's tag checks out. */
  onResult(result: unknown): { readonly ok: true; readonly confirmed: HandshakeConfirmed } | HandshakeFailure;
};

/**
 * A frame the customer's page refused. `result` is the pakeResult to send when the refusal ended a run the page had
 * already replied to (the technician waits for a verdict, the room charges it), null when it ended none.
 */
export type CustomerFailure = HandshakeFailure & { readonly result: { readonly ok: false } | null };

/** The customer's answer to a pakeFinish: the pakeResult to send, and the confirmed run when it says ok. */
export type CustomerFinish =
  | {
      readonly ok: true;
      readonly result: { readonly ok: true; readonly tag: string };
      readonly confirmed: HandshakeConfirmed;
    }
  | CustomerFailure;

/** The customer's side of one run. */
export type CustomerHandshake = {
  /** Where this run stands. */
  readonly phase: HandshakePhase;
  /** Takes the technician's pakeStart: pakeReply's fields (a fresh nonce, this page's fingerprint and Ya). */
  onStart(start: unknown): { readonly ok: true; readonly reply: PakeReplyFields } | CustomerFailure;
  /** Takes the technician's pakeFinish: checks its share and tag and gives the verdict to send. */
  onFinish(finish: unknown): CustomerFinish;
};

const SHARE_BYTES = 32;
const TAG_BYTES = 64;
const MAX_NONCE_BYTES = 32;

/** A refusal as a value. */
function refusal(code: HandshakeFailureCode): HandshakeFailure {
  return { ok: false, code };
}

/** A fresh nonce from the run's random source. */
function newNonce(random: RandomSource): Uint8Array {
  return Uint8Array.from(random(NONCE_BYTES));
}

/** The technician's state machine for one run; make a new one for every attempt. */
export function technicianHandshake(inputs: HandshakeInputs): TechnicianHandshake {
  const { code, prs, fingerprint, random = randomBytes } = inputs;
  let phase: HandshakePhase = "idle";
  let nonce: Uint8Array | undefined;
  let session: (CpaceSession & { peerFingerprint: CertificateFingerprint }) | undefined;

  /** Ends the run for `reason`; a frame after the end changes nothing. */
  const fail = (reason: HandshakeFailureCode): HandshakeFailure => {
    if (phase === "confirmed" || phase === "failed") return refusal("ALREADY_FINISHED");
    phase = "failed";
    nonce = undefined;
    session = undefined;
    return refusal(reason);
  };

  return {
    get phase() {
      return phase;
    },

    start() {
      if (phase !== "idle") return fail("OUT_OF_ORDER");
      nonce = newNonce(random);
      phase = "started";
      return { ok: true, start: { nonce: toBase64url(nonce), fingerprint } };
    },

    onReply(reply) {
      if (phase !== "started" || nonce === undefined) return fail("OUT_OF_ORDER");
      const fields = parseFields(PakeReplyFields, reply);
      if (!fields) return fail("MALFORMED_FRAME");
      const customerNonce = decodeField(fields.nonce, NONCE_BYTES, MAX_NONCE_BYTES);
      const ya = decodeField(fields.share, SHARE_BYTES);
      if (!customerNonce || !ya) return fail("MALFORMED_FRAME");
      if (equalBytes(customerNonce, nonce) || isSameFingerprint(fields.fingerprint, fingerprint)) {
        return fail("REFLECTED_FRAME");
      }
      const sid = sessionId(nonce, customerNonce);
      const ci = channelIdentifier(code, fields.fingerprint, fingerprint);
      const { message, state } = cpaceStart({ role: "responder", prs, sid, ci, ad: TECHNICIAN_AD, random });
      const finished = cpaceFinish(state, { share: ya, ad: CUSTOMER_AD });
      if (!finished.ok) return fail(finished.code === "INVALID_POINT" ? "INVALID_POINT" : "REFLECTED_FRAME");
      session = { ...finished, peerFingerprint: fields.fingerprint };
      phase = "finished";
      return { ok: true, finish: { share: toBase64url(message.share), tag: toBase64url(finished.confirmation) } };
    },

    onResult(result) {
      if (phase !== "finished" || session === undefined) return fail("OUT_OF_ORDER");
      const fields = parseFields(PakeResultFields, result);
      if (!fields) return fail("MALFORMED_FRAME");
      if (!fields.ok) return fail("REFUSED_BY_CUSTOMER");
      const tag = fields.tag === undefined ? null : decodeField(fields.tag, TAG_BYTES);
      if (!tag) return fail("MALFORMED_FRAME");
      if (!cpaceConfirm(session, tag).ok) return fail("CONFIRMATION_FAILED");
      const confirmed = confirmedRun(session.isk, session.peerFingerprint);
      phase = "confirmed";
      session = undefined;
      return { ok: true, confirmed };
    },
  };
}

/** The customer's state machine for one run; make a new one for every technician's pakeStart. */
export function customerHandshake(inputs: HandshakeInputs): CustomerHandshake {
  const { code, prs, fingerprint, random = randomBytes } = inputs;
  let phase: HandshakePhase = "idle";
  let pending: { state: CpaceState; peerFingerprint: CertificateFingerprint } | undefined;

  /** Ends the run for `reason`, with the verdict owed if the page had replied (the technician waits for one). */
  const fail = (reason: HandshakeFailureCode): CustomerFailure => {
    if (phase === "confirmed" || phase === "failed") return { ...refusal("ALREADY_FINISHED"), result: null };
    const owed = phase === "started";
    phase = "failed";
    pending = undefined;
    return { ...refusal(reason), result: owed ? { ok: false } : null };
  };

  return {
    get phase() {
      return phase;
    },

    onStart(start) {
      if (phase !== "idle") return fail("OUT_OF_ORDER");
      const fields = parseFields(PakeStartFields, start);
      const technicianNonce = fields && decodeField(fields.nonce, NONCE_BYTES, MAX_NONCE_BYTES);
      if (!fields || !technicianNonce) return fail("MALFORMED_FRAME");
      if (isSameFingerprint(fields.fingerprint, fingerprint)) return fail("REFLECTED_FRAME");
      const nonce = newNonce(random);
      const sid = sessionId(technicianNonce, nonce);
      const ci = channelIdentifier(code, fingerprint, fields.fingerprint);
      const { message, state } = cpaceStart({ role: "initiator", prs, sid, ci, ad: CUSTOMER_AD, random });
      pending = { state, peerFingerprint: fields.fingerprint };
      phase = "started";
      return { ok: true, reply: { nonce: toBase64url(nonce), fingerprint, share: toBase64url(message.share) } };
    },

    onFinish(finish) {
      if (phase !== "started" || pending === undefined) return fail("OUT_OF_ORDER");
      const fields = parseFields(PakeFinishFields, finish);
      const yb = fields && decodeField(fields.share, SHARE_BYTES);
      const tag = fields && decodeField(fields.tag, TAG_BYTES);
      if (!yb || !tag) return fail("MALFORMED_FRAME");
      const finished = cpaceFinish(pending.state, { share: yb, ad: TECHNICIAN_AD });
      if (!finished.ok) return fail(finished.code === "INVALID_POINT" ? "INVALID_POINT" : "REFLECTED_FRAME");
      if (!cpaceConfirm(finished, tag).ok) return fail("CONFIRMATION_FAILED");
      const confirmed = confirmedRun(finished.isk, pending.peerFingerprint);
      phase = "confirmed";
      pending = undefined;
      return { ok: true, result: { ok: true, tag: toBase64url(finished.confirmation) }, confirmed };
    },
  };
}
