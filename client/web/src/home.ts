import { HelpSession } from "#protocol/sessions.ts";
import { toBase64url } from "../../core/base64url.ts";
import { newSeatKey, seatKeyHash } from "../../core/link-secret.ts";
import type { RotationReason } from "../../core/password-guard.ts";
import { startCustomerSession } from "./customer/page.ts";
import { GuardedPassword } from "./customer/secret.ts";
import { callApi } from "./lib/api.ts";
import { announce, byId, whileBusy } from "./lib/dom.ts";
import { groupCode } from "./lib/session-code.ts";

// The home page's "Get help": an anonymous session whose ID and one-time password the customer reads aloud to a
// technician, who types them into the console. The password is made here and never leaves this page: the technician's
// console proves it in a handshake, and after three failed tries (or ten minutes unused) this page replaces it. The
// customer then gets the same consent screen as a link gives.

const start = byId("help-start", HTMLElement);
const codeSection = byId("help-code", HTMLElement);
const getHelp = byId("get-help", HTMLButtonElement);
const passwordNote = byId("help-password-note", HTMLElement);

const TEXT = {
  opening: "Opening a session…",
  rotated: {
    failures: "Someone tried a wrong password. Only read the new one to the person you called.",
    expired:
      "Your password was not used for 10 minutes, so it was replaced. Read the new one when your technician asks.",
  },
} as const;

/** Shows the password to read out; after a replacement, says why, in the live region too. */
function showPassword(password: string, rotated: RotationReason | null): void {
  byId("help-password", HTMLElement).textContent = password;
  passwordNote.hidden = rotated === null;
  passwordNote.className = rotated === "failures" ? "warning" : "hint";
  passwordNote.textContent = rotated ? TEXT.rotated[rotated] : "";
  if (rotated) announce(TEXT.rotated[rotated], rotated === "failures");
}

async function requestHelp(): Promise<void> {
  announce(TEXT.opening);
  // The seat key is this page's alone: the room keeps only its hash, so the customer seat is this page's.
  const seatKey = newSeatKey();
  const created = await callApi("POST", "/api/help", HelpSession, { customerKeyHash: seatKeyHash(seatKey) });
  if (!created.ok) return announce(created.message, true);
  announce("");
  const { code } = created.data;
  // Made here and kept in this page's memory only: never sent to any server, not even in a URL.
  const password = new GuardedPassword(showPassword);
  byId("help-id", HTMLElement).textContent = groupCode(code);
  showPassword(password.password, null);
  start.hidden = true;
  codeSection.hidden = false;
  startCustomerSession(
    { code, session: null, seatKey: toBase64url(seatKey), secret: password, isEndedOnLeave: true },
    (view) => {
      codeSection.hidden = view.phase !== "waiting";
    },
  );
}

getHelp.addEventListener("click", () => void whileBusy(getHelp, requestHelp));
