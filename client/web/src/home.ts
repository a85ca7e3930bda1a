import { HelpSession } from "#protocol/sessions.ts";
import { toBase64url } from "../../core/base64url.ts";
import { newSeatKey, seatKeyHash } from "../../core/link-secret.ts";
import { PASSWORD_LIFETIME_MS, type RotationReason } from "../../core/password-guard.ts";
import { captureMode, showCaptureMode } from "./customer/camera.ts";
import { forgetHelpSession, keepHelpSession, keptHelpSession } from "./customer/help-resume.ts";
import { startCustomerSession } from "./customer/page.ts";
import { GuardedPassword, resumedPassword } from "./customer/secret.ts";
import { markShared } from "./customer/shared-mark.ts";
import { formatUnit } from "./i18n/format.ts";
import { customerText, helpText, onLanguageChange, startLanguage } from "./i18n/page.ts";
import { callApi } from "./lib/api.ts";
import { announce, byId, whileBusy } from "./lib/dom.ts";
import { errorText } from "./lib/errors.ts";
import { groupCode } from "./lib/session-code.ts";

// The home page's "Get help": an anonymous session whose ID and one-time password the customer reads aloud to a
// technician, who types them into the console. The password is made here and never leaves this page: the technician's
// console proves it in a handshake, and after three failed tries (or ten minutes unused) this page replaces it. The
// customer then gets the same consent screen as a link gives.

const start = byId("help-start");
const codeSection = byId("help-code");
const getHelp = byId("get-help", HTMLButtonElement);
const passwordNote = byId("help-password-note");
const cancel = byId("help-cancel", HTMLButtonElement);
const helpAgain = byId("help-again");

const T = helpText;

/** Why the password was replaced, in a sentence. */
function rotatedText(reason: RotationReason): string {
  return reason === "failures"
    ? T().rotated.failures
    : T().rotated.expired(formatUnit(PASSWORD_LIFETIME_MS / 60_000, "minute", true));
}

/** Why the password shown was replaced, if it was: worded again in a new language. */
let lastRotation: RotationReason | null = null;

/** Shows the password to read out; after a replacement, says why, in the live region too. */
function showPassword(password: string, rotated: RotationReason | null): void {
  byId("help-password").textContent = password;
  lastRotation = rotated;
  passwordNote.hidden = rotated === null;
  passwordNote.className = rotated === "failures" ? "warning" : "hint";
  passwordNote.textContent = rotated ? rotatedText(rotated) : "";
  if (rotated) announce(() => rotatedText(rotated), rotated === "failures");
}

async function requestHelp(): Promise<void> {
  announce(() => T().opening);
  // The seat key is this page's alone: the room keeps only its hash, so the customer seat is this page's.
  const seatKey = newSeatKey();
  const created = await callApi("POST", "/api/help", HelpSession, { customerKeyHash: seatKeyHash(seatKey) });
  if (!created.ok) return announce(() => errorText(created), true);
  announce("");
  const { code } = created.data;
  // Made here and kept in this page's memory only: never sent to any server, not even in a URL.
  const password = new GuardedPassword(showPassword);
  byId("help-id").textContent = groupCode(code);
  showPassword(password.password, null);
  start.hidden = true;
  codeSection.hidden = false;
  // The Get help button went away: the keyboard focus goes to what took its place.
  byId("help-code-title").focus();
  // Once the customer allowed the technician whose handshake proved the password, the session is kept in this tab:
  // a reload then resumes it (help-resume.ts). Before that, the request ends with the page.
  let isKept = false;
  const customer = startCustomerSession(
    { code, session: null, seatKey: toBase64url(seatKey), secret: password, isEndedOnLeave: () => !isKept },
    (view) => {
      codeSection.hidden = view.phase !== "waiting";
      // A new request starts from a fresh page: a new seat key, a new password, nothing of this one left.
      helpAgain.hidden = view.phase !== "ended";
      const prs = password.confirmedPrs;
      if (!isKept && view.phase === "sharing" && prs) {
        isKept = true;
        keepHelpSession({ code, seatKey: toBase64url(seatKey), prs });
        markShared(code);
      }
      if (view.phase === "ended") forgetHelpSession();
    },
  );
  cancel.addEventListener("click", () => customer.cancel());
}

/** A help session this tab allowed before a reload: it goes on, and the person picks what to share again. */
function resumeHelp(): void {
  const kept = keptHelpSession();
  if (!kept) return;
  start.hidden = true;
  startCustomerSession(
    { code: kept.code, session: null, seatKey: kept.seatKey, secret: resumedPassword(kept.prs), isEndedOnLeave: false },
    (view) => {
      helpAgain.hidden = view.phase !== "ended";
      if (view.phase === "ended") forgetHelpSession();
    },
  );
}

onLanguageChange(() => {
  if (lastRotation) passwordNote.textContent = rotatedText(lastRotation);
});
getHelp.addEventListener("click", () => void whileBusy(getHelp, requestHelp));
resumeHelp();
// A phone says before Get help what it can offer: its camera, not its screen.
showCaptureMode(captureMode());
// The page's own static text, and that of the session's screens it holds (customer/screens.html).
await startLanguage(() => ({ ...customerText().markup, ...T().markup }));
