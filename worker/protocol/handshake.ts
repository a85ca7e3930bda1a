import * as z from "zod/mini";
import { ParticipantId as ParticipantRef, relayedOf } from "./relay.ts";

// The handshake that binds a session to its secret, as the room sees it: four typed frames between the customer's
// page and one technician's console, each relayed with `to` turned into `from`. Their fields are CPace messages
// (client/core/cpace.ts), nonces and DTLS certificate fingerprints; the room checks their shapes and sizes, charges
// every start, and learns the outcome only from the customer's verdict. It cannot compute or forge any of them.
//
//   technician → customer  pakeStart  { nonce, fingerprint }           charged by the room before it is relayed
//   customer → technician  pakeReply  { nonce, fingerprint, share }    CPace's Ya
//   technician → customer  pakeFinish { share, tag }                   Yb and the technician's confirmation
//   customer → technician  pakeResult { ok, tag? }                     the verdict the room acts on (owner, backoff)

const base64url = (min: number, max: number) =>
  z.string().check(z.minLength(min), z.maxLength(max), z.regex(/^[A-Za-z0-9_-]+$/));

/** A nonce for the session id: 16 to 32 random bytes, base64url. */
export const HandshakeNonce = base64url(22, 43);

/** A CPace share (a ristretto255 encoding, 32 bytes), base64url. */
export const PakeShare = base64url(43, 43);

/** A key confirmation tag (HMAC-SHA512, 64 bytes), base64url. */
export const PakeTag = base64url(86, 86);

/** A DTLS certificate fingerprint as an SDP `a=fingerprint` line carries it: SHA-256, 32 hex bytes with colons. */
export const CertificateFingerprint = z.strictObject({
  algorithm: z.literal("sha-256"),
  value: z.string().check(z.regex(/^(?:[0-9A-F]{2}:){31}[0-9A-F]{2}$/)),
});
export type CertificateFingerprint = z.infer<typeof CertificateFingerprint>;

export const PakeStart = z.strictObject({
  type: z.literal("pakeStart"),
  to: ParticipantRef,
  nonce: HandshakeNonce,
  fingerprint: CertificateFingerprint,
});
export const PakeReply = z.strictObject({
  type: z.literal("pakeReply"),
  to: ParticipantRef,
  nonce: HandshakeNonce,
  fingerprint: CertificateFingerprint,
  share: PakeShare,
});
export const PakeFinish = z.strictObject({
  type: z.literal("pakeFinish"),
  to: ParticipantRef,
  share: PakeShare,
  tag: PakeTag,
});
/** The customer's verdict: ok with its own confirmation tag, or not (wrong password, bad point, wrong tag). */
export const PakeResult = z.strictObject({
  type: z.literal("pakeResult"),
  to: ParticipantRef,
  ok: z.boolean(),
  tag: z.optional(PakeTag),
});

/** The handshake frames a client sends. */
export const HandshakeMessages = [PakeStart, PakeReply, PakeFinish, PakeResult] as const;

export const RelayedPakeStart = relayedOf(PakeStart);
export const RelayedPakeReply = relayedOf(PakeReply);
export const RelayedPakeFinish = relayedOf(PakeFinish);
export const RelayedPakeResult = relayedOf(PakeResult);

/**
 * The room tells the customer's page that a technician's attempt was refused for now (someone may be guessing),
 * and until when no attempt is accepted.
 */
export const HandshakeThrottled = z.object({
  type: z.literal("handshakeThrottled"),
  failures: z.int().check(z.nonnegative()),
  retryAt: z.int(),
});

/** The relayed handshake frames and the room's notice, as a client receives them. */
export const HandshakeServerMessages = [
  RelayedPakeStart,
  RelayedPakeReply,
  RelayedPakeFinish,
  RelayedPakeResult,
  HandshakeThrottled,
] as const;
