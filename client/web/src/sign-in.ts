import { startAuthentication } from "@simplewebauthn/browser";
import { AnyBody, callApi } from "./lib/api.ts";
import { announce, byId, whileBusy } from "./lib/dom.ts";
import { passkeyErrorMessage, RequestOptions } from "./lib/passkey.ts";

// Sign-in page: one discoverable-passkey ceremony, then on to the console.
const button = byId("sign-in", HTMLButtonElement);

async function signIn(): Promise<void> {
  announce("Waiting for your passkey…");
  const options = await callApi("POST", "/api/auth/login/options", RequestOptions, {});
  if (!options.ok) return announce(options.message, true);
  let response: unknown;
  try {
    response = await startAuthentication({ optionsJSON: options.data });
  } catch (err) {
    return announce(passkeyErrorMessage(err), true);
  }
  const verified = await callApi("POST", "/api/auth/login/verify", AnyBody, { response });
  if (!verified.ok) return announce(verified.message, true);
  announce("Signed in.");
  location.assign("/console");
}

button.addEventListener("click", () => void whileBusy(button, signIn));
