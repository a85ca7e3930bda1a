import "./customer/link-fragment.ts";
import { toBase64url } from "../../core/base64url.ts";
import { prsOfLinkSecret, seatKeyOf } from "../../core/link-secret.ts";
import { startCustomerSession } from "./customer/page.ts";
import { linkSecret } from "./customer/secret.ts";
import { fetchSessionInfo } from "./customer/session-info.ts";
import { customerText, startLanguage } from "./i18n/page.ts";
import { announce } from "./lib/dom.ts";
import { errorText } from "./lib/errors.ts";
import { linkSecretOf } from "./lib/link-secrets.ts";

// The customer's page for a session link, /j/CODE#SECRET: who is asking and a warning first; nothing is shared before
// Allow and the browser's own picker, and nothing goes to a technician before their handshake proved the link's
// secret. The secret stays in this tab (customer/link-fragment.ts, imported first, took it out of the address bar): it
// is the handshake's PRS, and the seat key derived from it proves to the room that this page holds the link.

const T = customerText;

async function open(): Promise<void> {
  const code = /^\/j\/(\d{9})\/?$/.exec(location.pathname)?.[1];
  if (!code) return announce(() => T().link.noCode, true);
  const secret = linkSecretOf(code);
  const prs = secret === null ? null : prsOfLinkSecret(secret);
  const seatKey = secret === null ? null : seatKeyOf(secret);
  // Checked before anything is asked of the server: a damaged link says so at once.
  if (!prs || !seatKey) return announce(() => T().link.incomplete, true);
  const info = await fetchSessionInfo(code, toBase64url(seatKey));
  if (!info.ok) {
    // In the customer's own words where the catalogue has them: an ended link says what to do next.
    const refused: Partial<Record<string, string>> = T().refused;
    return announce(() => refused[info.code] ?? errorText(info), true);
  }
  startCustomerSession({ code, session: info.data, seatKey: toBase64url(seatKey), secret: linkSecret(prs) });
}

// The language's catalogue (if not English) loads alongside the session's details rather than before them: what is
// shown meanwhile is drawn again once it is in.
await Promise.all([startLanguage(() => T().markup), open()]);
