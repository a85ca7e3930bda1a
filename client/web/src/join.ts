import { PublicSession } from "#protocol/sessions.ts";
import { startCustomerSession } from "./customer/page.ts";
import { callApi } from "./lib/api.ts";
import { announce } from "./lib/dom.ts";

// The customer's page for a session link, /j/CODE: who is asking and a warning first; nothing is shared before
// Allow and the browser's own picker.

async function open(): Promise<void> {
  const code = /^\/j\/(\d{9})\/?$/.exec(location.pathname)?.[1];
  if (!code) return announce("This link has no valid session code. Ask your technician to send it again.", true);
  const info = await callApi("GET", `/api/sessions/${code}`, PublicSession);
  if (!info.ok) return announce(info.message, true);
  startCustomerSession(code, info.data);
}

await open();
