// When a page fetches its session's ICE servers again: relay credentials are short-lived (TURN REST credentials, or
// Cloudflare's), and a connection that restarts ICE after they ran out cannot reach the relay. Pure, so that the
// browser pages and the native agent renew alike and a unit test can check the rule.

/** Refresh at least this long before the relay credentials run out... */
const REFRESH_BEFORE_MS = 60_000;
/** ...and after at most this share of their remaining life, so short-lived ones are renewed well in time too. */
const REFRESH_AT_SHARE = 0.8;
/** Never refresh more often than this (a short-lived or failing answer must not become a loop). */
export const MIN_REFRESH_MS = 30_000;

/** When to fetch again, from the credentials' remaining life alone: an hour's renews after 48 min, a minute's after 30 s. */
export function refreshDelayMs(remainingMs: number): number {
  return Math.max(MIN_REFRESH_MS, Math.min(remainingMs - REFRESH_BEFORE_MS, remainingMs * REFRESH_AT_SHARE));
}
