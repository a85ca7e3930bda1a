import { type PendingChallenge, storeChallenge, takeChallenge } from "../db/challenges.ts";
import { AppError } from "../errors.ts";
import type { Checked } from "./checked.ts";
import { CHALLENGE_TTL_MS, readClientData } from "./webauthn.ts";

type Purpose = PendingChallenge["purpose"];

/** Remembers a challenge just handed to the browser, and what it is for, for CHALLENGE_TTL_MS. */
export function rememberChallenge(db: D1Database, challenge: string, pending: PendingChallenge, now: number) {
  return storeChallenge(db, challenge, pending, now, now + CHALLENGE_TTL_MS);
}

/**
 * Finds the challenge a response answers (from its clientDataJSON) and deletes it, so each challenge
 * is used at most once; refused when unknown, already used, expired or issued for something else.
 */
export async function redeemChallenge<P extends Purpose>(
  db: D1Database,
  clientDataJSON: string,
  purpose: P,
  now: number,
): Promise<Checked<{ challenge: string; pending: Extract<PendingChallenge, { purpose: P }> }>> {
  const challenge = readClientData(clientDataJSON)?.challenge;
  const pending = challenge ? await takeChallenge(db, challenge, now) : null;
  if (!challenge || !pending || pending.purpose !== purpose) {
    return {
      ok: false,
      error: new AppError(
        "CHALLENGE_INVALID",
        400,
        "This passkey prompt has expired or was already answered; start again.",
      ),
    };
  }
  return { ok: true, value: { challenge, pending: pending as Extract<PendingChallenge, { purpose: P }> } };
}
