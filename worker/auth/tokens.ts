// Random tokens and their stored form, for every secret the server mints: invite and enrolment links, seat tokens,
// participant ids, the Deno host's development secret. One text encoding for random bytes (base64url, no padding)
// and one digest form (SHA-256 hex, which is what D1 already holds for invites and enrolment links).

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
