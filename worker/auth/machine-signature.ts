import { ed25519 } from "@noble/curves/ed25519.js";
import { fromBase64url } from "./tokens.ts";

// The one check of what an enrolled machine signs with its key: its enrolment, its heartbeats (routes/machines.ts)
// and the answer on its line (durable-objects/machine-line/line.ts), on every host alike.

/**
 * Whether `signature` signs `message` with the machine's `publicKey` (both base64url). Strict RFC 8032 verification:
 * the lenient kind accepts small-order keys, for which anyone can make a signature, and this key vouches for the
 * machine.
 */
export function isSignedByMachine(publicKey: string, signature: string, message: Uint8Array): boolean {
  const [key, bytes] = [fromBase64url(publicKey), fromBase64url(signature)];
  return key !== null && bytes !== null && ed25519.verify(bytes, message, key, { zip215: false });
}
