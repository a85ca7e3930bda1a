import { PublicSession } from "../../../worker/protocol/sessions.ts";
import { callApi } from "./lib/api.ts";
import { announce, byId, formatTime } from "./lib/dom.ts";
import { groupCode } from "./lib/session-code.ts";

// The customer's page for /j/CODE. For now it shows who is asking; sharing comes with the
// customer flow.

async function show(): Promise<void> {
  const code = /^\/j\/(\d{9})\/?$/.exec(location.pathname)?.[1];
  if (!code) return announce("This link has no valid session code. Ask your technician to send it again.", true);
  const info = await callApi("GET", `/api/sessions/${code}`, PublicSession);
  if (!info.ok) return announce(info.message, true);
  const { technician, caseNumber, expiresAt } = info.data;
  byId("technician-name", HTMLElement).textContent = technician?.name ?? "a technician (not yet joined)";
  byId("organisation", HTMLElement).textContent = technician?.organisation ?? "";
  byId("session-code", HTMLElement).textContent = groupCode(info.data.code);
  byId("case-number", HTMLElement).textContent = caseNumber ?? "none given";
  byId("expires", HTMLElement).textContent = formatTime(expiresAt);
  byId("session", HTMLElement).hidden = false;
}

await show();
