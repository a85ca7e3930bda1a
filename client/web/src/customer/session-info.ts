import { SessionSummary } from "#protocol/room.ts";
import { SEAT_PROOF_HEADER } from "#protocol/sessions.ts";
import { fromBase64url } from "../../../core/base64url.ts";
import { seatKeyHash } from "../../../core/link-secret.ts";
import { type ApiResult, type CallApi, callApi } from "../lib/api.ts";

/**
 * GET /api/sessions/CODE as the customer's page: who is asking, the case number, the state. The server answers only
 * the holder of the session's seat key, which proves it with the key's hash in a header (never in the URL); the key
 * itself goes only into the room's hello. `call` is the API client: the page's own unless said.
 */
export function fetchSessionInfo(
  code: string,
  seatKey: string,
  call: CallApi = callApi,
): Promise<ApiResult<SessionSummary>> {
  return call("GET", `/api/sessions/${code}`, SessionSummary, undefined, seatProofHeaders(seatKey));
}

/** The header that proves this page holds the session's seat key (base64url), for the routes that ask for it. */
export function seatProofHeaders(seatKey: string): Record<string, string> {
  const key = fromBase64url(seatKey) ?? new Uint8Array();
  return { [SEAT_PROOF_HEADER]: seatKeyHash(key) };
}
