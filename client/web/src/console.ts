import { InviteResponse, MeResponse, type PasskeyInfo } from "#protocol/auth.ts";
import { CreatedSession, OwnSessions } from "#protocol/sessions.ts";
import { normalisePassword } from "../../core/password.ts";
import { AnyBody, callApi } from "./lib/api.ts";
import { announce, byId, formatTime, whileBusy } from "./lib/dom.ts";
import { addPasskey } from "./lib/passkey.ts";
import { groupCode } from "./lib/session-code.ts";
import { openViewer } from "./viewer/page.ts";

// The technician console: who is signed in, their passkeys, new sessions, joining a customer's help request,
// (for admins) invites, and the viewer for one session at /console#view=CODE.

const main = byId("console", HTMLElement);
const who = byId("who", HTMLElement);
const passkeyList = byId("passkeys", HTMLUListElement);
const addPasskeyButton = byId("add-passkey", HTMLButtonElement);
const signOut = byId("sign-out", HTMLButtonElement);
const newSessionForm = byId("new-session", HTMLFormElement);
const newSessionButton = byId("create-session", HTMLButtonElement);
const caseNumber = byId("case-number", HTMLInputElement);
const liveList = byId("live-sessions", HTMLUListElement);
const noLive = byId("no-live-sessions", HTMLElement);
const invite = byId("invite", HTMLButtonElement);
const joinForm = byId("join-session", HTMLFormElement);
const joinCode = byId("join-code", HTMLInputElement);
const joinPassword = byId("join-password", HTMLInputElement);

let isSignedIn = false;
let viewing: { code: string; close(): void } | null = null;
/**
 * The password typed for a help request, until the viewer takes it. Memory only — never stored or sent anywhere:
 * it is the secret of the key exchange that will bind the connection to the customer's browser.
 */
let typedPassword: string | null = null;

/** Loads who is signed in; a visitor without a valid sign-in goes to the sign-in page. */
async function loadMe(): Promise<void> {
  const me = await callApi("GET", "/api/me", MeResponse);
  if (!me.ok) {
    if (me.status === 401) return location.replace("/sign-in");
    return announce(me.message, true);
  }
  const { technician } = me.data;
  who.textContent = `Signed in as ${technician.name}${technician.isAdmin ? " (admin)" : ""}`;
  byId("admin", HTMLElement).hidden = !technician.isAdmin;
  renderPasskeys(me.data.passkeys);
  isSignedIn = true;
  route();
}

/** The session code in /console#view=CODE, if any. */
function viewedCode(): string | null {
  return /^#view=(\d{9})$/.exec(location.hash)?.[1] ?? null;
}

/** Shows the console, or the viewer when the address names a session; a reload of the viewer rejoins. */
function route(): void {
  if (!isSignedIn) return;
  const code = viewedCode();
  main.hidden = code !== null;
  if ((viewing?.code ?? null) === code) return;
  viewing?.close();
  viewing = code ? { code, close: openViewer(code, typedPassword) } : null;
  typedPassword = null;
}

function viewHref(code: string): string {
  return `/console#view=${code}`;
}

function joinHelpSession(): void {
  const code = joinCode.value.replace(/[\s-]/g, "");
  if (!/^\d{9}$/.test(code)) {
    announce("The session ID is nine digits, like 123 456 789.", true);
    return;
  }
  const password = normalisePassword(joinPassword.value);
  if (!password) {
    announce("The password is three words, like maple river owl. Ask the customer again.", true);
    return;
  }
  typedPassword = password;
  joinForm.reset();
  announce("");
  location.hash = `view=${code}`;
}

function renderPasskeys(passkeys: PasskeyInfo[]): void {
  passkeyList.replaceChildren(
    ...passkeys.map((passkey, i) => {
      const item = document.createElement("li");
      const label = `Passkey ${i + 1}`;
      const text = document.createElement("span");
      const used =
        passkey.lastUsedAt === null ? "never used to sign in" : `last used ${formatTime(passkey.lastUsedAt)}`;
      text.textContent = `${label}: added ${formatTime(passkey.createdAt)}, ${used}`;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove ${label.toLowerCase()}`);
      remove.addEventListener("click", () => void whileBusy(remove, () => removePasskey(passkey.id)));
      item.append(text, remove);
      return item;
    }),
  );
}

async function removePasskey(id: string): Promise<void> {
  const removed = await callApi("DELETE", `/api/me/passkeys/${encodeURIComponent(id)}`, AnyBody);
  if (!removed.ok) return announce(removed.message, true);
  announce("Passkey removed.");
  await loadMe();
}

async function registerPasskey(): Promise<void> {
  announce("Waiting for your new passkey…");
  const added = await addPasskey();
  if (!added.ok) return announce(added.message, true);
  announce("Passkey added.");
  await loadMe();
}

async function signOutNow(): Promise<void> {
  const done = await callApi("POST", "/api/auth/logout", AnyBody, {});
  if (!done.ok) return announce(done.message, true);
  location.assign("/sign-in");
}

async function createSession(): Promise<void> {
  const wanted = caseNumber.value.trim();
  const created = await callApi("POST", "/api/sessions", CreatedSession, wanted ? { caseNumber: wanted } : {});
  if (!created.ok) return announce(created.message, true);
  byId("session-code", HTMLElement).textContent = groupCode(created.data.code);
  byId("session-link", HTMLInputElement).value = created.data.url;
  byId("session-expiry", HTMLElement).textContent = `Expires ${formatTime(created.data.expiresAt)}.`;
  byId("session-view", HTMLAnchorElement).href = viewHref(created.data.code);
  byId("session-result", HTMLElement).hidden = false;
  announce("Session created. Read the code to your customer or send them the link.");
  caseNumber.value = "";
  await loadSessions();
}

async function loadSessions(): Promise<void> {
  const live = await callApi("GET", "/api/sessions", OwnSessions);
  if (!live.ok) return announce(live.message, true);
  liveList.replaceChildren(
    ...live.data.sessions.map((session) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = session.url;
      link.textContent = groupCode(session.code);
      const details = [
        session.caseNumber ? `case ${session.caseNumber}` : "",
        `expires ${formatTime(session.expiresAt)}`,
      ];
      const view = document.createElement("a");
      view.href = viewHref(session.code);
      view.textContent = "View";
      view.setAttribute("aria-label", `View session ${groupCode(session.code)}`);
      item.append(link, ` ${details.filter(Boolean).join(", ")}`, view);
      return item;
    }),
  );
  noLive.hidden = live.data.sessions.length > 0;
}

async function createInvite(): Promise<void> {
  const created = await callApi("POST", "/api/invites", InviteResponse, {});
  if (!created.ok) return announce(created.message, true);
  byId("invite-link", HTMLInputElement).value = created.data.url;
  byId("invite-expiry", HTMLElement).textContent = `Works once, until ${formatTime(created.data.expiresAt)}.`;
  byId("invite-result", HTMLElement).hidden = false;
  announce("Invite link created. Send it to the technician over a channel you trust.");
}

async function copyFrom(input: HTMLInputElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(input.value);
    announce("Copied.");
  } catch {
    input.select();
    announce("Could not copy; the link is selected, copy it with your keyboard.", true);
  }
}

for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-copy]")) {
  const input = byId(button.dataset.copy ?? "", HTMLInputElement);
  button.addEventListener("click", () => void copyFrom(input));
}
addPasskeyButton.addEventListener("click", () => void whileBusy(addPasskeyButton, registerPasskey));
signOut.addEventListener("click", () => void whileBusy(signOut, signOutNow));
invite.addEventListener("click", () => void whileBusy(invite, createInvite));
newSessionForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void whileBusy(newSessionButton, createSession);
});

joinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  joinHelpSession();
});
addEventListener("hashchange", route);

await loadMe();
if (isSignedIn) await loadSessions();
