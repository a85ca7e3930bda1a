/** base64url without padding. */
export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** A short random participant id: 48 bits, 8 characters. */
export function newParticipantId(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(6)));
}

/** A seat token: 256 bits, 43 characters. */
export function newSeatToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** SHA-256 of a seat token, base64url: the only form in which tokens are stored. */
export async function hashSeatToken(token: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))));
}
