// The link an owner gives a colleague: /console#invite=CODE.SECRET. The session's secret travels in the fragment,
// which browsers never send to a server, exactly as in the customer's /j/CODE#SECRET; the console that opens it keeps
// the secret in its tab (link-secrets.ts) and shows /console#view=CODE instead, so the secret leaves the address bar.

const INVITE = /^#invite=(\d{9})\.([A-Za-z0-9_-]{22,86})$/;

/** The colleague's link for session `code` whose link secret is `secret`, on this page's origin. */
export function inviteLinkOf(origin: string, code: string, secret: string): string {
  return `${origin}/console#invite=${code}.${secret}`;
}

/** The session code and secret a colleague's link carries in `hash` (location.hash), or null if it is none. */
export function parseInviteHash(hash: string): { code: string; secret: string } | null {
  const match = INVITE.exec(hash);
  return match?.[1] && match[2] ? { code: match[1], secret: match[2] } : null;
}
