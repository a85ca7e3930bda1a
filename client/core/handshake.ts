// The handshake each side runs over the room's four relayed frames (worker/protocol/handshake.ts): CPace between the
// customer's page (initiator) and one technician's console (responder), over the session's secret, bound to both DTLS
// certificates, with key confirmation both ways. Each role is a small state machine that takes what arrived and
// returns the fields to send (the caller adds `type` and `to`) or why it refused; it never throws on what a peer or
// relay sends, and a refused frame ends the run, so nobody gets to probe one run twice.
//
//   technician: start() → pakeStart   onReply(pakeReply) → pakeFinish   onResult(pakeResult) → confirmed
//   customer:   onStart(pakeStart) → pakeReply   onFinish(pakeFinish) → pakeResult (+ confirmed)

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
  type HandshakePhase,
  MAX_NONCE_BYTES,
  NONCE_BYTES,
  newNonce,
  PakeFinishFields,
  type PakeReplyFields,
  PakeStartFields,
  parseFields,
  readReply,
  readResult,
  refusal,
  runPhase,
  SHARE_BYTES,
  sessionId,
  TAG_BYTES,
  TECHNICIAN_AD,
} from "./handshake-binding.ts";

export type {
  HandshakeConfirmed,
  HandshakeFailure,
  HandshakeFailureCode,
  HandshakePhase,
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

/** The technician's state machine for one run; make a new one for every attempt. */
export function technicianHandshake(inputs: HandshakeInputs): TechnicianHandshake {
  const { code, prs, fingerprint, random = randomBytes } = inputs;
  let nonce: Uint8Array | undefined;
  let session: (CpaceSession & { peerFingerprint: CertificateFingerprint }) | undefined;
  const run = runPhase(() => {
    nonce = undefined;
    session = undefined;
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
      const sid = sessionId(nonce, reply.nonce);
      const ci = channelIdentifier(code, reply.fingerprint, fingerprint);
      const { message, state } = cpaceStart({ role: "responder", prs, sid, ci, ad: TECHNICIAN_AD, random });
      const finished = cpaceFinish(state, { share: reply.share, ad: CUSTOMER_AD });
      if (!finished.ok) return run.fail(finished.code === "INVALID_POINT" ? "INVALID_POINT" : "REFLECTED_FRAME");
      session = { ...finished, peerFingerprint: reply.fingerprint };
      run.current = "finished";
      return { ok: true, finish: { share: toBase64url(message.share), tag: toBase64url(finished.confirmation) } };
    },

    onResult(frame) {
      if (run.current !== "finished" || session === undefined) return run.fail("OUT_OF_ORDER");
      const result = readResult(frame);
      if (!result.ok) return run.fail(result.code);
      if (!cpaceConfirm(session, result.tag).ok) return run.fail("CONFIRMATION_FAILED");
      const confirmed = confirmedRun(session.isk, session.peerFingerprint);
      run.current = "confirmed";
      session = undefined;
      return { ok: true, confirmed };
    },
  };
}

/**
 * The customer's state machine for one run; make a new one for every technician's pakeStart. Written out rather than
 * on runPhase and the frame readers as the technician's side is: the customer's page loads it before its consent
 * screen, and this is the smaller code.
 */
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
