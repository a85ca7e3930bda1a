import { announce, byId, whileBusy } from "./lib/dom.ts";
import { enrolWithPasskey } from "./lib/passkey.ts";

// Enrolment page: the invite token arrives in the URL fragment, which browsers never send to a
// server; it leaves this page only inside the POST body of the registration request.
const form = byId("enrol", HTMLFormElement);
const nameInput = byId("display-name", HTMLInputElement);
const submit = byId("create-passkey", HTMLButtonElement);
const invite = location.hash.slice(1);

async function enrol(): Promise<void> {
  const displayName = nameInput.value.trim();
  if (!displayName) {
    nameInput.focus();
    return announce("Enter the name customers will see.", true);
  }
  announce("Waiting for your passkey…");
  const enrolled = await enrolWithPasskey(invite, displayName);
  if (!enrolled.ok) return announce(enrolled.message, true);
  // The token is spent: drop it from this history entry before moving on.
  history.replaceState(null, "", location.pathname);
  announce("Passkey created.");
  location.assign("/console");
}

if (!invite) {
  form.hidden = true;
  announce(
    "This enrolment link is incomplete. Open the whole link you were sent, or ask your admin for a new one.",
    true,
  );
} else {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void whileBusy(submit, enrol);
  });
}
