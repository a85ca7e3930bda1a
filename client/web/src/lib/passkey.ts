import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/browser";
import * as z from "zod/mini";

function hasChallenge(value: unknown): boolean {
  return (
    typeof value === "object" && value !== null && typeof (value as { challenge?: unknown }).challenge === "string"
  );
}

/** Options for creating a passkey, as @simplewebauthn/server generates them. */
export const CreationOptions = z.custom<PublicKeyCredentialCreationOptionsJSON>(hasChallenge);

/** Options for signing in with a passkey, as @simplewebauthn/server generates them. */
export const RequestOptions = z.custom<PublicKeyCredentialRequestOptionsJSON>(hasChallenge);

/** Turns a failed WebAuthn ceremony into a sentence a person can act on. */
export function passkeyErrorMessage(err: unknown): string {
  // @simplewebauthn/browser's WebAuthnError keeps the DOMException's name.
  const name = err instanceof Error ? err.name : "";
  if (name === "NotAllowedError")
    return "The passkey request was cancelled or timed out. Try again when you are ready.";
  if (name === "InvalidStateError") return "This device already holds a passkey for your account.";
  if (err instanceof Error && err.message) return `Your browser could not use a passkey: ${err.message}`;
  return "Your browser could not use a passkey.";
}
