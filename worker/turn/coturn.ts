import type { IceServer } from "#protocol/ice.ts";

/**
 * coturn's TURN REST API credentials (use-auth-secret): username = "expiry:tag", credential =
 * base64(HMAC-SHA1(secret, username)). coturn checks both; nothing is stored.
 */
export async function coturnCredentials(
  secret: string,
  urls: string[],
  expiresAtS: number,
  tag: string,
): Promise<IceServer> {
  const username = `${expiresAtS}:${tag}`;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(username)));
  return { urls, username, credential: btoa(String.fromCharCode(...mac)) };
}
