import {
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  startRegistration,
} from "@simplewebauthn/browser";
import * as z from "zod/mini";
import { AnyBody, type ApiErrorCode, callApi } from "./api.ts";

// Every passkey ceremony in the browser is the same three steps: fetch options from the server, let the browser
// and authenticator answer them, post the answer back for verification. The pages call one function per kind of
// ceremony and word its outcome themselves.

/** Why the browser's part of a ceremony failed: cancelled or timed out, a passkey already there, anything else. */
export type PasskeyErrorCode = "PASSKEY_CANCELLED" | "PASSKEY_EXISTS" | "PASSKEY_FAILED";

/** How a passkey ceremony ended: done, or a code for the page to word (`message`: the detail, for diagnosis). */
export type PasskeyResult = { ok: true } | { ok: false; code: ApiErrorCode | PasskeyErrorCode; message: string };

function hasChallenge(value: unknown): boolean {
  return (
    typeof value === "object" && value !== null && typeof (value as { challenge?: unknown }).challenge === "string"
  );
}

/** Options for creating a passkey, as @simplewebauthn/server generates them. */
const CreationOptions = z.custom<PublicKeyCredentialCreationOptionsJSON>(hasChallenge);

/** Options for signing in with a passkey, as @simplewebauthn/server generates them. */
const RequestOptions = z.custom<PublicKeyCredentialRequestOptionsJSON>(hasChallenge);

/** What went wrong in a failed WebAuthn ceremony, as a code. */
function passkeyError(err: unknown): { ok: false; code: PasskeyErrorCode; message: string } {
  // @simplewebauthn/browser's WebAuthnError keeps the DOMException's name.
  const name = err instanceof Error ? err.name : "";
  const message = err instanceof Error ? err.message : "";
  if (name === "NotAllowedError") return { ok: false, code: "PASSKEY_CANCELLED", message };
  if (name === "InvalidStateError") return { ok: false, code: "PASSKEY_EXISTS", message };
  return { ok: false, code: "PASSKEY_FAILED", message };
}

/** The two endpoints of one ceremony, spelled out whole so that a search for a route finds its caller. */
type Endpoints = { options: string; verify: string };

/** Fetches options (posting `body`), lets the browser `answer` them, and posts the answer back; never throws. */
async function runCeremony<T>(
  endpoints: Endpoints,
  body: unknown,
  options: z.ZodMiniType<T>,
  answer: (optionsJSON: T) => Promise<unknown>,
): Promise<PasskeyResult> {
  const fetched = await callApi("POST", endpoints.options, options, body);
  if (!fetched.ok) return fetched;
  let response: unknown;
  try {
    response = await answer(fetched.data);
  } catch (err) {
    return passkeyError(err);
  }
  const verified = await callApi("POST", endpoints.verify, AnyBody, { response });
  return verified.ok ? { ok: true } : verified;
}

/** Spends an invite: creates the first passkey of a new technician, who is then signed in. */
export function enrolWithPasskey(invite: string, displayName: string): Promise<PasskeyResult> {
  const register = { options: "/api/auth/register/options", verify: "/api/auth/register/verify" };
  return runCeremony(register, { invite, displayName }, CreationOptions, (optionsJSON) =>
    startRegistration({ optionsJSON }),
  );
}

/** Signs in with a discoverable passkey. */
export function signInWithPasskey(): Promise<PasskeyResult> {
  const login = { options: "/api/auth/login/options", verify: "/api/auth/login/verify" };
  return runCeremony(login, {}, RequestOptions, (optionsJSON) => startAuthentication({ optionsJSON }));
}

/** Adds another passkey to the signed-in technician's account. */
export function addPasskey(): Promise<PasskeyResult> {
  const add = { options: "/api/me/passkeys/options", verify: "/api/me/passkeys/verify" };
  return runCeremony(add, {}, CreationOptions, (optionsJSON) => startRegistration({ optionsJSON }));
}
