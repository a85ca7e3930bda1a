import { toBase64url } from "../../../core/base64url.ts";
import type { HandshakeConfirmed } from "../../../core/handshake.ts";

// A page that catches a certificate other than the authenticated one (in an SDP, or on the connection itself) tells
// the other page why it ends the session, in a keyExchange frame the room relays unread. The payload is a key of the
// confirmed run, so only the two pages can make it: a relay can drop the notice but never fake one.

const NOTICE_LABEL = "tether/notice/intercepted/v1";

/** The payload of the "this connection may be intercepted" notice for a confirmed run. */
export function interceptNotice(confirmed: HandshakeConfirmed): string {
  return toBase64url(confirmed.deriveKey(NOTICE_LABEL));
}

/** Whether a keyExchange payload from the confirmed peer is its interception notice (compared in constant time). */
export function isInterceptNotice(confirmed: HandshakeConfirmed, payload: string): boolean {
  const expected = interceptNotice(confirmed);
  if (payload.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ payload.charCodeAt(i);
  return difference === 0;
}
