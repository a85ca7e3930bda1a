import { announce, byId, whileBusy } from "./lib/dom.ts";
import { signInWithPasskey } from "./lib/passkey.ts";

// Sign-in page: one discoverable-passkey ceremony, then on to the console.
const button = byId("sign-in", HTMLButtonElement);

async function signIn(): Promise<void> {
  announce("Waiting for your passkey…");
  const signedIn = await signInWithPasskey();
  if (!signedIn.ok) return announce(signedIn.message, true);
  announce("Signed in.");
  location.assign("/console");
}

button.addEventListener("click", () => void whileBusy(button, signIn));
