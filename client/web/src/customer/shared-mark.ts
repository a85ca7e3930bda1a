// Whether the customer already allowed sharing in this tab's session, kept in sessionStorage: a reload (or a browser
// restoring the tab) then resumes the session and asks them to pick what to share again, instead of showing the
// consent screen anew or ending the session. Nothing secret: only that this tab shared in session CODE.

const PREFIX = "tether.shared.";

function storage(): Storage | null {
  try {
    return sessionStorage;
  } catch {
    return null;
  }
}

/** Remembers that this tab's customer allowed sharing in session `code`. */
export function markShared(code: string): void {
  try {
    storage()?.setItem(PREFIX + code, "1");
  } catch {
    // Storage refused (a private mode): a reload then asks for consent again, which is all that is lost.
  }
}

/** Whether this tab's customer allowed sharing in session `code` before this page was loaded. */
export function hasSharedBefore(code: string): boolean {
  return storage()?.getItem(PREFIX + code) === "1";
}

/** The session is over: a reload no longer resumes it. */
export function forgetShared(code: string): void {
  storage()?.removeItem(PREFIX + code);
}
