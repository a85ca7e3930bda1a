import { fromBase64url, toBase64url } from "../../../core/base64url.ts";

// A Get-help session that the customer allowed, kept in this browser tab (sessionStorage) so that a reload, or a
// browser restoring the tab, resumes it as a link's session resumes: the same seat, and the secret the confirmed
// technician proved (the password's PRS), for the handshake the reload runs again. Kept only from Allow on (before
// that a help request ends with its page) and forgotten at the end. Never sent anywhere.

const KEY = "tether.help";

/** What resuming needs: the session, this page's seat key (base64url) and the confirmed technician's PRS. */
export type KeptHelpSession = { code: string; seatKey: string; prs: Uint8Array };

function storage(): Storage | null {
  try {
    return sessionStorage;
  } catch {
    return null;
  }
}

/** Keeps help session `code` in this tab. */
export function keepHelpSession({ code, seatKey, prs }: KeptHelpSession): void {
  try {
    storage()?.setItem(KEY, JSON.stringify({ code, seatKey, prs: toBase64url(prs) }));
  } catch {
    // Storage refused (a private mode): a reload then ends the session, as before.
  }
}

/** The help session this tab kept, if any and well formed. */
export function keptHelpSession(): KeptHelpSession | null {
  let kept: unknown;
  try {
    kept = JSON.parse(storage()?.getItem(KEY) ?? "null");
  } catch {
    return null;
  }
  if (typeof kept !== "object" || kept === null) return null;
  const { code, seatKey, prs } = kept as Record<string, unknown>;
  if (typeof code !== "string" || !/^\d{9}$/.test(code)) return null;
  if (typeof seatKey !== "string" || !/^[\w-]{16,128}$/.test(seatKey) || typeof prs !== "string") return null;
  const bytes = prs.length <= 128 ? fromBase64url(prs) : null;
  return bytes && bytes.length > 0 ? { code, seatKey, prs: bytes } : null;
}

/** The session is over: a reload shows Get help again. */
export function forgetHelpSession(): void {
  try {
    storage()?.removeItem(KEY);
  } catch {
    // Nothing kept.
  }
}
