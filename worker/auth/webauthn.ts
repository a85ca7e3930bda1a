import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import * as z from "zod/mini";
import type { AuthenticationResponse, RegistrationResponse } from "#protocol/auth.ts";
import { PASSKEY_ALGORITHMS } from "#protocol/passkey-algorithms.ts";
import type { Config } from "../config.ts";
import type { NewPasskey, StoredPasskey } from "../db/passkeys.ts";
import { AppError } from "../errors.ts";
import { ownOrigin } from "../site-origin.ts";
import type { Checked } from "./checked.ts";

/** How long a WebAuthn challenge stays valid. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** Who the passkeys are for: the RP ID (this host) and the page origins allowed to use them. */
export type RelyingParty = { id: string; name: string; origins: string[] };

/**
 * The relying party for a request to one of the site's own origins (site-origin.ts): that origin's hostname as RP ID,
 * the origin plus ALLOWED_ORIGINS as page origins. A request addressed to any other name is refused.
 */
export function relyingParty(requestUrl: string, config: Config): RelyingParty {
  const own = ownOrigin(requestUrl, config);
  if (own === null) {
    throw new AppError("ORIGIN_NOT_ALLOWED", 403, "Passkeys work only on this site's own origins (ALLOWED_ORIGINS).");
  }
  const origins = [own, ...config.ALLOWED_ORIGINS.filter((origin) => origin !== own)];
  return { id: new URL(own).hostname, name: config.ORGANISATION, origins };
}

// Always the explicit list: without one, SimpleWebAuthn offers ML-DSA-44 first wherever SubtleCrypto.supports() says
// yes (Deno, not workerd), so each host would offer its own list, with passkeys larger than the schemas allow.
const supportedAlgorithmIDs: number[] = [...PASSKEY_ALGORITHMS];

/** Options for navigator.credentials.create(): a discoverable, user-verified passkey, no attestation. */
export function creationOptions(
  rp: RelyingParty,
  user: { id: string; name: string },
  exclude: { id: string; transports: string[] }[] = [],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userID: isoBase64URL.toBuffer(user.id),
    userName: user.name,
    userDisplayName: user.name,
    timeout: CHALLENGE_TTL_MS,
    attestationType: "none",
    supportedAlgorithmIDs,
    excludeCredentials: exclude,
    authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
  });
}

/** Options for navigator.credentials.get(): any discoverable passkey for this RP, user verification required. */
export function requestOptions(rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({ rpID: rp.id, timeout: CHALLENGE_TTL_MS, userVerification: "required" });
}

/** A fresh random WebAuthn user handle (32 bytes, base64url). */
export function newUserId(): string {
  return isoBase64URL.fromBuffer(crypto.getRandomValues(new Uint8Array(32)));
}

const ClientData = z.object({
  type: z.string().check(z.maxLength(64)),
  challenge: z.string().check(z.minLength(1), z.maxLength(512)),
  origin: z.string().check(z.maxLength(2048)),
});

/** The challenge and origin a response's clientDataJSON claims; null when it is not readable JSON of that shape. */
export function readClientData(clientDataJSON: string): z.infer<typeof ClientData> | null {
  try {
    const parsed = ClientData.safeParse(JSON.parse(isoBase64URL.toUTF8String(clientDataJSON)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Refuses a response made on a page whose origin is not ours, with a message saying which origin it was. */
function checkOrigin(rp: RelyingParty, clientDataJSON: string): AppError | null {
  const origin = readClientData(clientDataJSON)?.origin;
  if (origin !== undefined && rp.origins.includes(origin)) return null;
  return new AppError(
    "PASSKEY_INVALID",
    400,
    `This passkey was used on ${JSON.stringify((origin ?? "an unknown page").slice(0, 100))}, which is not this Tether site; open Tether at ${rp.origins[0]} and try again.`,
  );
}

function notVerified(err: unknown): AppError {
  const reason = err instanceof Error ? err.message.slice(0, 200) : "unknown reason";
  return new AppError("PASSKEY_INVALID", 400, `Your passkey's answer could not be verified (${reason}); try again.`, {
    cause: err,
  });
}

/** Verifies a registration against the stored challenge; the new passkey on success. */
export async function verifyRegistration(
  rp: RelyingParty,
  response: RegistrationResponse,
  expectedChallenge: string,
): Promise<Checked<NewPasskey>> {
  const wrongOrigin = checkOrigin(rp, response.response.clientDataJSON);
  if (wrongOrigin) return { ok: false, error: wrongOrigin };
  // The browser's word for the algorithm, only to say so plainly; the verification below checks the attested key.
  const algorithm = response.response.publicKeyAlgorithm;
  if (algorithm !== undefined && !supportedAlgorithmIDs.includes(algorithm)) {
    return {
      ok: false,
      error: new AppError(
        "PASSKEY_INVALID",
        400,
        `Your passkey provider made a kind of key Tether does not accept (COSE algorithm ${algorithm}); use another passkey provider or security key.`,
      ),
    };
  }
  try {
    const result = await verifyRegistrationResponse({
      response: { ...response, clientExtensionResults: response.clientExtensionResults ?? {} },
      expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      requireUserPresence: true,
      requireUserVerification: true,
      supportedAlgorithmIDs,
    });
    if (!result.verified) return { ok: false, error: notVerified(new Error("attestation not verified")) };
    const { credential } = result.registrationInfo;
    // The library takes the ID from the attested authenticator data; a different one outside is tampering.
    if (credential.id !== response.id) {
      return { ok: false, error: notVerified(new Error("credential ID does not match the attested one")) };
    }
    return {
      ok: true,
      value: {
        id: credential.id,
        publicKey: credential.publicKey,
        counter: credential.counter,
        transports: response.response.transports ?? [],
      },
    };
  } catch (err) {
    return { ok: false, error: notVerified(err) };
  }
}

/** Verifies an assertion against the stored challenge and passkey; the authenticator's new counter on success. */
export async function verifyAuthentication(
  rp: RelyingParty,
  response: AuthenticationResponse,
  expectedChallenge: string,
  passkey: StoredPasskey,
): Promise<Checked<{ newCounter: number }>> {
  const wrongOrigin = checkOrigin(rp, response.response.clientDataJSON);
  if (wrongOrigin) return { ok: false, error: wrongOrigin };
  try {
    const result = await verifyAuthenticationResponse({
      response: { ...response, clientExtensionResults: response.clientExtensionResults ?? {} },
      expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      credential: {
        id: passkey.id,
        publicKey: passkey.publicKey,
        counter: passkey.counter,
        transports: passkey.transports,
      },
      requireUserVerification: true,
    });
    if (!result.verified) {
      return { ok: false, error: new AppError("PASSKEY_INVALID", 401, "Your passkey's signature did not verify.") };
    }
    return { ok: true, value: { newCounter: result.authenticationInfo.newCounter } };
  } catch (err) {
    return { ok: false, error: notVerified(err) };
  }
}
