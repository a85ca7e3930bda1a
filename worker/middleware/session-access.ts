import type { Context } from "hono";
import type { SessionSummary } from "#protocol/room.ts";
import { CustomerKeyHash, SEAT_PROOF_HEADER } from "#protocol/sessions.ts";
import { findSession, isLive, type SessionRow } from "../db/sessions.ts";
import { AppError } from "../errors.ts";
import type { AppEnv } from "../types.ts";
import { authenticate } from "./auth.ts";

// Who may learn anything about a session from its code: its customer's page, which proves its seat key by the key's
// hash (SEAT_PROOF_HEADER), and signed-in technicians. Everyone else gets one answer whatever the code, so that a
// lookup does not tell a live code from an unknown one.

/** The one answer to a caller without a right to the session: the same for a live, an ended and an unknown code. */
function notOpenToCaller(): AppError {
  return new AppError(
    "SEAT_KEY_INVALID",
    403,
    "No session with this code is open to this page; open the link you were sent again.",
  );
}

function ended(): AppError {
  return new AppError("SESSION_ENDED", 410, "This session has ended.");
}

/**
 * The session `code` as its customer's page sees it, for a request whose seat proof the room recognises; a missing
 * or wrong proof and an unknown code (or one whose room is gone) are all answered alike (SEAT_KEY_INVALID, 403).
 * Only a holder of the right proof learns that the session has ended.
 */
export async function customerAccess(
  c: Context<AppEnv>,
  code: string,
): Promise<{ row: SessionRow; session: SessionSummary }> {
  // Checked before any lookup: a missing proof learns nothing, not even how long a lookup takes.
  const proof = CustomerKeyHash.safeParse(c.req.header(SEAT_PROOF_HEADER));
  if (!proof.success) throw notOpenToCaller();
  const row = await findSession(c.env.DB, code);
  // D1 answers for unknown codes, so guessing codes never instantiates a room.
  if (!row) throw notOpenToCaller();
  const info = await c.get("host").room(code).info(proof.data);
  if (!info.ok) throw info.code === "SESSION_ENDED" ? ended() : notOpenToCaller();
  if (!isLive(row, Date.now())) throw ended();
  return { row, session: info.session };
}

/**
 * The live session `code`, for its customer's page (customerAccess) or a signed-in technician: a request with a seat
 * proof is the customer's; one without is a technician's, whose sign-in is checked before any lookup. A caller
 * with neither gets customerAccess's one answer; a signed-in technician learns whether the code is live (404, 410),
 * as joining by code would tell them.
 */
export async function participantAccess(c: Context<AppEnv>, code: string): Promise<SessionRow> {
  if (c.req.header(SEAT_PROOF_HEADER) !== undefined) return (await customerAccess(c, code)).row;
  const signedIn = await authenticate(c, "Sign in with your passkey first.");
  if (!signedIn.ok) throw signedIn.error.code === "UNAUTHENTICATED" ? notOpenToCaller() : signedIn.error;
  const row = await findSession(c.env.DB, code);
  if (!row) throw new AppError("SESSION_NOT_FOUND", 404, "There is no session with this code.");
  if (!isLive(row, Date.now())) throw ended();
  return row;
}
