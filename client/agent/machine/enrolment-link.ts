import { EnrolmentToken } from "#protocol/machines.ts";
import { LOOPBACK } from "../link.ts";

// The link an admin's console shows for enrolling a machine, `https://HOST/enrol-machine#TOKEN`, read as the agent
// reads a session link (link.ts): the site is the link's origin, and plain http is for a site on this machine only.
// The token stays in the fragment of what the person pasted, and goes to the site once, in the enrolment's body.

/** A link to enrol with: the site and the one-time token. */
export type EnrolmentLink = { origin: string; token: string };

/** Why a text is not a link to enrol with: not an enrolment link (or a damaged token), or plain http off this machine. */
export type EnrolmentLinkProblem = "badLink" | "insecure";

export type EnrolmentLinkResult = { ok: true; link: EnrolmentLink } | { ok: false; problem: EnrolmentLinkProblem };

/** Reads an enrolment link. */
export function parseEnrolmentLink(text: string): EnrolmentLinkResult {
  const url = URL.parse(text.trim());
  const isWeb = url?.protocol === "https:" || url?.protocol === "http:";
  if (!url || !isWeb || !/^\/enrol-machine\/?$/.test(url.pathname)) return { ok: false, problem: "badLink" };
  if (url.protocol === "http:" && !LOOPBACK.has(url.hostname)) return { ok: false, problem: "insecure" };
  const token = EnrolmentToken.safeParse(url.hash.slice(1));
  if (!token.success) return { ok: false, problem: "badLink" };
  return { ok: true, link: { origin: url.origin, token: token.data } };
}
