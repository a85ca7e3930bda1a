import { startLanguage, technicianText } from "./i18n/page.ts";
import { announce, byId, whileBusy } from "./lib/dom.ts";
import { passkeyFailureText } from "./lib/errors.ts";
import { enrolWithPasskey } from "./lib/passkey.ts";

// Enrolment page: the invite token arrives in the URL fragment, which browsers never send to a
// server; it leaves this page only inside the POST body of the registration request.
const form = byId("enrol", HTMLFormElement);
const nameInput = byId("display-name", HTMLInputElement);
const submit = byId("create-passkey", HTMLButtonElement);
const invite = location.hash.slice(1);
const T = technicianText;

async function enrol(): Promise<void> {
  const displayName = nameInput.value.trim();
  if (!displayName) {
    nameInput.focus();
    return announce(() => T().enrol.needName, true);
  }
  announce(() => T().waitingForPasskey);
  const enrolled = await enrolWithPasskey(invite, displayName);
  if (!enrolled.ok)
    return announce(() => passkeyFailureText(enrolled, { field: "displayName", typed: displayName }), true);
  // The token is spent: drop it from this history entry before moving on.
  history.replaceState(null, "", location.pathname);
  announce(() => T().enrol.created);
  location.assign("/console");
}

await startLanguage(() => T().markup);
if (!invite) {
  form.hidden = true;
  announce(() => T().enrol.incomplete, true);
} else {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void whileBusy(submit, enrol);
  });
}
