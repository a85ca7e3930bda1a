import { SeatToken } from "#protocol/room.ts";
import { parseLinkSecret, seatKeyOf } from "../core/link-secret.ts";

// The session link the agent is started with, `https://HOST/j/CODE#SECRET`, read as the link page reads it: the
// site, the session's code and the secret of its fragment, which stays on this machine (it goes into the handshake
// and the seat key, never into a request). A customer's session page that offers the agent (the /agent page) adds its
// seat's token after the secret, `#SECRET.TOKEN`: the agent presents it to take that page's seat, as a reload of the
// page would, since a session has one customer seat.

/**
 * A link the agent can join with: where, which session, and the secret's bytes with the seat key they give; the seat
 * token of the page it takes the place of, or null.
 */
export type SessionLink = {
  origin: string;
  code: string;
  prs: Uint8Array;
  seatKey: Uint8Array;
  seatToken: string | null;
};

/** Why a text is not a link to join: not a session link, no secret in it, a damaged secret, or plain http off this machine. */
export type LinkProblem = "notALink" | "noSecret" | "badSecret" | "insecure";

export type LinkResult = { ok: true; link: SessionLink } | { ok: false; problem: LinkProblem };

/** Hosts that may be reached over plain http: this machine only (a server started with `npm start`). */
export const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Reads a session link; nothing of the secret is kept in the answer's text. */
export function parseSessionLink(text: string): LinkResult {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, problem: "notALink" };
  }
  const code = /^\/j\/(\d{9})\/?$/.exec(url.pathname)?.[1];
  if (!code || (url.protocol !== "https:" && url.protocol !== "http:")) return { ok: false, problem: "notALink" };
  if (url.protocol === "http:" && !LOOPBACK.has(url.hostname)) return { ok: false, problem: "insecure" };
  const [secret = "", seatToken = null, ...rest] = url.hash.slice(1).split(".");
  if (secret === "") return { ok: false, problem: "noSecret" };
  const prs = parseLinkSecret(secret);
  const seatKey = seatKeyOf(secret);
  if (!prs || !seatKey || rest.length > 0 || (seatToken !== null && !SeatToken.safeParse(seatToken).success)) {
    return { ok: false, problem: "badSecret" };
  }
  return { ok: true, link: { origin: url.origin, code, prs, seatKey, seatToken } };
}
