// Random tokens and their stored form, for every secret the server mints: invite and enrolment links, seat tokens,
// participant ids, the Deno host's development secret. One text encoding for random bytes (base64url, no padding)
// and one digest form (SHA-256 hex, which is what D1 already holds for invites and enrolment links). A customer's
// seat key is the exception: its hash is registered by the browser (sessions.ts, CustomerKeyHash), so it is the
// SHA-256 of the key's bytes in base64url, which a page computes with nothing but WebCrypto.

/** base64url without padding. */
export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** `bytes` random bytes as base64url: 32 (the default) is 256 bits in 43 characters. */
export function newToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** SHA-256 hex of a token: the only form in which tokens are stored. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Decodes base64url without padding; null when the text is not base64url. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/** SHA-256 (base64url) of the bytes a seat key encodes: what the customer's page registered when it was created. */
export async function hashSeatKey(seatKey: string): Promise<string | null> {
  const bytes = fromBase64url(seatKey);
  if (!bytes) return null;
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}
