// The secrets that make a session's customer seat belong to the right page. A link session's secret (`/j/CODE#SECRET`)
// is made in the technician's console and travels only in the link's fragment, which browsers never send to a server;
// both pages run CPace over it. From it the console also derives a seat key whose hash it registers with the room, and
// the customer's page presents the key itself in its hello: the room can check the key but, with 128 bits behind it,
// never work back to the secret. A Get-help page makes a random seat key of its own instead.

import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { randomBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { fromBase64url, toBase64url } from "./base64url.ts";

/** How many random bytes a new link secret has: 128 bits, 22 base64url characters. */
export const LINK_SECRET_BYTES = 16;

/** The most bytes a link secret may have; anything longer in a fragment is not one of ours. */
export const LINK_SECRET_MAX_BYTES = 64;

/** How many bytes a seat key has. */
export const SEAT_KEY_BYTES = 32;

/** The HKDF info that separates the seat key from every other use of the link secret. */
const SEAT_KEY_INFO = "tether/seat-key/v1";

/** A new link secret for `/j/CODE#SECRET`: 128 random bits, base64url; `random` is a parameter for tests. */
export function newLinkSecret(random: (count: number) => Uint8Array = randomBytes): string {
  return toBase64url(random(LINK_SECRET_BYTES));
}

/** A link secret's bytes, or null if the text is no canonical base64url of 16 to 64 bytes (a damaged link). */
export function parseLinkSecret(secret: string): Uint8Array | null {
  const bytes = fromBase64url(secret);
  return bytes && bytes.length >= LINK_SECRET_BYTES && bytes.length <= LINK_SECRET_MAX_BYTES ? bytes : null;
}

/** The PRS CPace runs over for a link session: the secret's bytes; null if the secret is malformed. */
export function prsOfLinkSecret(secret: string): Uint8Array | null {
  return parseLinkSecret(secret);
}

/** The customer seat's key of a link session: HKDF-SHA512(secret bytes, info "tether/seat-key/v1"), 32 bytes. */
export function seatKeyOf(secret: string): Uint8Array | null {
  const bytes = parseLinkSecret(secret);
  return bytes && hkdf(sha512, bytes, undefined, utf8ToBytes(SEAT_KEY_INFO), SEAT_KEY_BYTES);
}

/** A Get-help page's seat key: 32 random bytes that only this page holds. */
export function newSeatKey(random: (count: number) => Uint8Array = randomBytes): Uint8Array {
  return random(SEAT_KEY_BYTES).slice();
}

/** What the room stores for a seat key: SHA-256 of its bytes, base64url (43 characters), all it needs to check one. */
export function seatKeyHash(seatKey: Uint8Array): string {
  return toBase64url(sha256(seatKey));
}

/** The HKDF info that separates a colleague's invite key from the seat key. */
const INVITE_KEY_INFO = "tether/invite-key/v1";

/**
 * The key a colleague invited into a link session presents in their hello: HKDF-SHA512(secret bytes, info
 * "tether/invite-key/v1"), 32 bytes, base64url. Only holders of the link's secret can make it; the owner registers its
 * hash (seatKeyHash) with the room when they invite. Null if the secret's bytes are malformed.
 */
export function inviteKeyOf(prs: Uint8Array): string | null {
  if (prs.length < LINK_SECRET_BYTES || prs.length > LINK_SECRET_MAX_BYTES) return null;
  return toBase64url(hkdf(sha512, prs, undefined, utf8ToBytes(INVITE_KEY_INFO), SEAT_KEY_BYTES));
}

/** What the owner registers for an invite: the invite key's SHA-256, base64url. */
export function inviteKeyHash(inviteKey: string): string | null {
  const bytes = fromBase64url(inviteKey);
  return bytes && seatKeyHash(bytes);
}
