// Short-lived playback links: `/api/recordings/ID/media?exp=…&sig=…`, where `sig` is an HMAC-SHA256 over the
// recording's id and the expiry, under a key derived from JWT_SECRET for this purpose only (HKDF). Nothing of a
// session's secret is in it; routes never log the address.

/** How long a playback link works, in milliseconds. */
export const PLAYBACK_TTL_MS = 5 * 60_000;

const encoder = new TextEncoder();

async function playbackKey(secret: string) {
  const base = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode("tether/recording-playback") },
    base,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}

const message = (id: string, expiresAt: number) => encoder.encode(`${id}.${expiresAt}`);

function toBase64url(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  return Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (ch) => ch.charCodeAt(0));
}

/** The signature of a playback link for recording `id`, valid until `expiresAt` (ms). */
export async function signPlayback(secret: string, id: string, expiresAt: number): Promise<string> {
  return toBase64url(await crypto.subtle.sign("HMAC", await playbackKey(secret), message(id, expiresAt)));
}

/** Whether `sig` signs recording `id` until `expiresAt`, and that is still after `now`. */
export async function isPlaybackValid(
  secret: string,
  id: string,
  expiresAt: number,
  sig: string,
  now: number,
): Promise<boolean> {
  if (!Number.isSafeInteger(expiresAt) || expiresAt <= now || expiresAt > now + PLAYBACK_TTL_MS) return false;
  const bytes = fromBase64url(sig);
  if (!bytes) return false;
  return crypto.subtle.verify("HMAC", await playbackKey(secret), bytes, message(id, expiresAt));
}
