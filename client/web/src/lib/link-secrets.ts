// The secrets of session links (`/j/CODE#SECRET`), kept in this browser tab only: in memory, and in sessionStorage so
// that a reload of the console (or of the customer's page, whose address bar no longer shows the fragment) keeps
// them. Never sent anywhere: not in a request, a log or a URL that leaves the browser.

const PREFIX = "tether.link.";

const kept = new Map<string, string>();

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

/** Forgets the secrets of every session not in `liveCodes`: an ended session's link is of no use to anyone. */
export function forgetLinkSecretsExcept(liveCodes: readonly string[]): void {
  const live = new Set(liveCodes);
  for (const code of kept.keys()) if (!live.has(code)) kept.delete(code);
  const store = storage();
  if (!store) return;
  const stale = Array.from({ length: store.length }, (_, i) => store.key(i) ?? "").filter(
    (key) => key.startsWith(PREFIX) && !live.has(key.slice(PREFIX.length)),
  );
  for (const key of stale) store.removeItem(key);
}
