import { startLanguage, technicianText } from "./i18n/page.ts";
import { announce, byId, whileBusy } from "./lib/dom.ts";
import { passkeyFailureText } from "./lib/errors.ts";
import { signInWithPasskey } from "./lib/passkey.ts";

// Sign-in page: one discoverable-passkey ceremony, then on to the console.
const button = byId("sign-in", HTMLButtonElement);
const T = technicianText;

async function signIn(): Promise<void> {
  announce(() => T().waitingForPasskey);
  const signedIn = await signInWithPasskey();
  if (!signedIn.ok) return announce(() => passkeyFailureText(signedIn), true);
  announce(() => T().signedIn);
  location.assign("/console");
}

await startLanguage(() => T().markup);
button.addEventListener("click", () => void whileBusy(button, signIn));
