import type { Config } from "./config.ts";

/** Loopback hosts: a page can have one of these origins only on the machine itself (npm start, the tests). */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The origin a request was addressed to, when it is one of the site's own: listed in ALLOWED_ORIGINS, or a loopback
 * origin (http://localhost:PORT, http://127.0.0.1:PORT); null otherwise. The Host header alone never makes an origin
 * ours: a DNS-rebinding page points its own name at this server and sends that name as Host and as Origin.
 */
export function ownOrigin(requestUrl: string, config: Config): string | null {
  const url = new URL(requestUrl);
  if (config.ALLOWED_ORIGINS.includes(url.origin)) return url.origin;
  return LOOPBACK_HOSTS.has(url.hostname) ? url.origin : null;
}

/** Whether a page on `origin` may call the API that `requestUrl` addresses: it is that site's own, or listed. */
export function isAllowedOrigin(origin: string, requestUrl: string, config: Config): boolean {
  return origin === ownOrigin(requestUrl, config) || config.ALLOWED_ORIGINS.includes(origin);
}
