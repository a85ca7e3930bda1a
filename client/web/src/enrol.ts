import { startRegistration } from "@simplewebauthn/browser";
import { AnyBody, callApi } from "./lib/api.ts";
import { announce, byId, whileBusy } from "./lib/dom.ts";
import { CreationOptions, passkeyErrorMessage } from "./lib/passkey.ts";

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
  const options = await callApi("POST", "/api/auth/register/options", CreationOptions, { invite, displayName });
  if (!options.ok) return announce(options.message, true);
  let response: unknown;
  try {
    response = await startRegistration({ optionsJSON: options.data });
  } catch (err) {
    return announce(passkeyErrorMessage(err), true);
  }
  const verified = await callApi("POST", "/api/auth/register/verify", AnyBody, { response });
  if (!verified.ok) return announce(verified.message, true);
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
