// The secrets of session links (`/j/CODE#SECRET`), kept in this browser tab only: in memory, and in sessionStorage so
// that a reload of the console (or of the customer's page, whose address bar no longer shows the fragment) keeps
// them. Never sent anywhere: not in a request, a log or a URL that leaves the browser.

const PREFIX = "tether.link.";

const kept = new Map<string, string>();
/** When each secret was kept in this page, as a count: a list fetched earlier cannot know of a later session. */
const keptAt = new Map<string, number>();
let keptCount = 0;

function storage(): Storage | null {
  try {
    return sessionStorage;
  } catch {
    return null;
  }
}

/** Keeps the secret of session `code`'s link. */
export function keepLinkSecret(code: string, secret: string): void {
  kept.set(code, secret);
  keptAt.set(code, ++keptCount);
  try {
    storage()?.setItem(PREFIX + code, secret);
  } catch {
    // Storage refused (a private mode, a full quota): the secret lives until this page goes.
  }
}

/** The secret of session `code`'s link, if this tab holds it. */
export function linkSecretOf(code: string): string | null {
  const secret = kept.get(code) ?? storage()?.getItem(PREFIX + code) ?? null;
  if (secret !== null) kept.set(code, secret);
  return secret;
}

/** A mark to take before asking for the live sessions, for forgetLinkSecretsExcept. */
export function linkSecretsMark(): number {
  return keptCount;
}

/**
 * Forgets the secrets of every session not in `liveCodes`, a list asked for at `mark`: an ended session's link is of
 * no use to anyone. A secret kept after the mark is not forgotten, since the list may have been made before its
 * session existed (a slow list answer that arrives after a new session was created).
 */
export function forgetLinkSecretsExcept(liveCodes: readonly string[], mark: number): void {
  const live = new Set(liveCodes);
  const isStale = (code: string) => !live.has(code) && (keptAt.get(code) ?? 0) <= mark;
  for (const code of [...kept.keys()].filter(isStale)) {
    kept.delete(code);
    keptAt.delete(code);
  }
  const store = storage();
  if (!store) return;
  const stale = Array.from({ length: store.length }, (_, i) => store.key(i) ?? "").filter(
    (key) => key.startsWith(PREFIX) && isStale(key.slice(PREFIX.length)),
  );
  for (const key of stale) store.removeItem(key);
}
