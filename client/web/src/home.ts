import { HelpSession } from "#protocol/sessions.ts";
import { newPassword } from "../../core/password.ts";
import { startCustomerSession } from "./customer/page.ts";
import { callApi } from "./lib/api.ts";
import { announce, byId, whileBusy } from "./lib/dom.ts";
import { groupCode } from "./lib/session-code.ts";

// The home page's "Get help": an anonymous session whose ID and one-time password the customer reads aloud to a
// technician, who types them into the console. The customer then gets the same consent screen as a link gives.

const start = byId("help-start", HTMLElement);
const codeSection = byId("help-code", HTMLElement);
const getHelp = byId("get-help", HTMLButtonElement);

async function requestHelp(): Promise<void> {
  announce("Opening a session…");
  const created = await callApi("POST", "/api/help", HelpSession);
  if (!created.ok) return announce(created.message, true);
  const { code } = created.data;
  // Made here and kept in this page's memory only: never sent to any server, not even in a URL.
  const password = newPassword();
  byId("help-id", HTMLElement).textContent = groupCode(code);
  byId("help-password", HTMLElement).textContent = password;
  start.hidden = true;
  codeSection.hidden = false;
  startCustomerSession(
    code,
    null,
    (view) => {
      codeSection.hidden = view.phase !== "waiting";
    },
    { isEndedOnLeave: true },
  );
}

getHelp.addEventListener("click", () => void whileBusy(getHelp, requestHelp));
