// Base64url without padding (RFC 4648 §5), the text form of every nonce, share, tag, seat key and link secret Tether
// sends or puts in a link. Written out rather than taken from btoa/atob or Uint8Array.prototype.toBase64 because not
// every runtime the client core runs in (browsers, Workers, Deno, Node) has the latter, and the former work on
// "binary strings" that are easy to get wrong. Decoding is strict: one text for one byte string, so a relay cannot
// send the same value in two spellings.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Each character's 6-bit value, or -1 for a character outside the alphabet. */
const VALUES = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) values[ALPHABET.charCodeAt(i)] = i;
  return values;
})();

/** Bytes as base64url without padding: 4 characters for every 3 bytes, 2 or 3 for a remainder of 1 or 2. */
export function toBase64url(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const chunk = (a << 16) | (b << 8) | c;
    const characters = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let j = 0; j < characters; j++) text += ALPHABET[(chunk >> (18 - 6 * j)) & 0x3f];
  }
  return text;
}

/**
 * Base64url without padding back to bytes; null for anything else: padding, whitespace, a character outside the
 * alphabet, a length no byte string has (4n + 1), or unused low bits that are not zero (a second spelling).
 */
export function fromBase64url(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const bytes = new Uint8Array(Math.floor((text.length * 6) / 8));
  let buffer = 0;
  let bits = 0;
  let out = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (VALUES[code] ?? -1) : -1;
    if (value < 0) return null;
    buffer = ((buffer << 6) | value) & 0xfff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[out++] = (buffer >> bits) & 0xff;
    }
  }
  // The bits left over after the last whole byte (2 or 4 of them) must be zero in the one canonical spelling.
  if ((buffer & ((1 << bits) - 1)) !== 0) return null;
  return bytes;
}
