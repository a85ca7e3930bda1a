import { InviteResponse, MeResponse, type PasskeyInfo, PasskeyName, TechnicianUpdated } from "#protocol/auth.ts";
import { MachineResponse } from "#protocol/machines.ts";
import { CreatedSession, OwnSessions } from "#protocol/sessions.ts";
import { newLinkSecret, prsOfLinkSecret, seatKeyHash, seatKeyOf } from "../../core/link-secret.ts";
import { machineKeyOf } from "../../core/machine-handshake.ts";
import { normalisePassword, prsOfPassword } from "../../core/password.ts";
import { loadAdminPanel, loadInvites } from "./console/admin-panel.ts";
import { loadTokens, loadWebhookPanel } from "./console/helpdesk-panel.ts";
import { loadMachinesPanel, refreshMachinesPanel } from "./console/machines-panel.ts";
import { loadRecordingsPanel } from "./console/recordings-panel.ts";
import { formatTime } from "./i18n/format.ts";
import { onLanguageChange, startLanguage, technicianText } from "./i18n/page.ts";
import { AnyBody, callApi } from "./lib/api.ts";
import { announce, byId, copyText, whileBusy } from "./lib/dom.ts";
import { nameErrorText, passkeyFailureText, technicianErrorText } from "./lib/errors.ts";
import { parseInviteHash } from "./lib/invite-link.ts";
import { forgetLinkSecretsExcept, keepLinkSecret, linkSecretOf, linkSecretsMark } from "./lib/link-secrets.ts";
import { addPasskey } from "./lib/passkey.ts";
import { groupCode } from "./lib/session-code.ts";
import { openViewer } from "./viewer/page.ts";
import type { TechnicianSecret } from "./viewer/TechnicianSession.ts";

// The technician console: who is signed in, their passkeys, new sessions, joining a customer's help request,
// (for admins) invites, and the viewer for one session at /console#view=CODE. A new session's link secret is made
// here and kept in this tab only (lib/link-secrets.ts): the server gets just the hash of the seat key it derives.

const main = byId("console");
const who = byId("who");
const passkeyList = byId("passkeys", HTMLUListElement);
const addPasskeyButton = byId("add-passkey", HTMLButtonElement);
const signOut = byId("sign-out", HTMLButtonElement);
const signOutEverywhere = byId("sign-out-everywhere", HTMLButtonElement);
const newSessionForm = byId("new-session", HTMLFormElement);
const newSessionButton = byId("create-session", HTMLButtonElement);
const caseNumber = byId("case-number", HTMLInputElement);
const reference = byId("session-reference", HTMLInputElement);
const liveList = byId("live-sessions", HTMLUListElement);
const noLive = byId("no-live-sessions");
const invite = byId("invite", HTMLButtonElement);
const joinForm = byId("join-session", HTMLFormElement);
const joinCode = byId("join-code", HTMLInputElement);
const joinPassword = byId("join-password", HTMLInputElement);
const myName = byId("my-name");
const renameMe = byId("rename-me", HTMLButtonElement);
const nameLocked = byId("name-locked");

const T = () => technicianText().console;

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
    return announce(() => technicianErrorText(me), true);
  }
  const { technician } = me.data;
  who.textContent = T().signedInAs(technician.name, technician.isAdmin);
  myName.textContent = technician.name;
  renameMe.hidden = technician.nameLocked;
  nameLocked.hidden = !technician.nameLocked;
  byId("admin").hidden = !technician.isAdmin;
  renderPasskeys(me.data.passkeys);
  isSignedIn = true;
  route();
  // Loaded again after every change of the person (and on a new language, which redraws the lists).
  await Promise.all([loadTokens(), loadRecordingsPanel(), loadMachinesPanel(technician.isAdmin)]);
  if (technician.isAdmin) await Promise.all([loadAdminPanel(technician.id, loadMe), loadWebhookPanel()]);
}

/**
 * A colleague's link (/console#invite=CODE.SECRET): its secret is kept in this tab and the address becomes the
 * viewer's, /console#view=CODE, so the secret is not left in the address bar or the history.
 */
function takeInvite(): void {
  const invited = parseInviteHash(location.hash);
  if (!invited || !prsOfLinkSecret(invited.secret)) return;
  keepLinkSecret(invited.code, invited.secret);
  history.replaceState(null, "", viewHref(invited.code));
}

/**
 * The session in the address, if any: /console#view=CODE, or #view=CODE&machine=ID for a session with an enrolled
 * machine (`machineId`).
 */
function viewed(): { code: string; machineId: string | undefined } | null {
  const match = VIEW_HASH.exec(location.hash);
  return match?.[1] ? { code: match[1], machineId: match[2] } : null;
}

/**
 * How often the Machines panel is read again while the console is in view: half the agents' default heartbeat
 * (MACHINE_HEARTBEAT_S, 20 s).
 */
const MACHINES_REFRESH_MS = 10_000;

const VIEW_HASH = /^#view=(\d{9})(?:&machine=([A-Za-z0-9_-]{43}))?$/;

/**
 * Opens the viewer of a session with the enrolled machine `machineId`: its key is read from the site (GET
 * /api/machines/:id, which answers only a technician who may reach it), and pinned by its id (the key's hash), so
 * that a site that gave another key is caught. The viewer closes as a session's does; until the key is read there is
 * nothing to close.
 */
function openMachineViewer(code: string, machineId: string): () => void {
  let close: (() => void) | null = null;
  let isClosed = false;
  void callApi("GET", `/api/machines/${machineId}`, MachineResponse).then((found) => {
    if (isClosed) return;
    const machine = found.ok ? found.data.machine : undefined;
    const key = machine ? machineKeyOf(machineId, machine.publicKey) : null;
    close = openViewer(code, { kind: "machine", machine: key }, { isMachineBusy: machine?.isBusy === true });
  });
  return () => {
    isClosed = true;
    close?.();
  };
}

/** What the viewer of session `code` proves: the link's secret this tab holds, or the password just typed. */
function secretFor(code: string): TechnicianSecret | null {
  const linkSecret = linkSecretOf(code);
  const prs = linkSecret === null ? null : prsOfLinkSecret(linkSecret);
  if (prs) return { kind: "link", prs };
  return typedPassword === null ? null : { kind: "password", prs: prsOfPassword(typedPassword) };
}

/** Shows the console, or the viewer when the address names a session; a reload of the viewer rejoins. */
function route(): void {
  takeInvite();
  if (!isSignedIn) return;
  const shown = viewed();
  const code = shown?.code ?? null;
  main.hidden = code !== null;
  if ((viewing?.code ?? null) === code) return;
  const wasViewing = viewing !== null;
  viewing?.close();
  // What the console last said (Session created, Copied) belongs to the console, not to the viewer it gives way to.
  if (!wasViewing) announce("");
  const open = ({ code: opened, machineId }: { code: string; machineId: string | undefined }) =>
    machineId ? openMachineViewer(opened, machineId) : openViewer(opened, secretFor(opened));
  viewing = shown ? { code: shown.code, close: open(shown) } : null;
  typedPassword = null;
  // Back from a viewer, whose session may have ended meanwhile: the sessions and the machines are read again.
  if (wasViewing && code === null) {
    void loadSessions();
    void refreshMachinesPanel();
  }
}

function viewHref(code: string): string {
  return `/console#view=${code}`;
}

function joinHelpSession(): void {
  const code = joinCode.value.replace(/[\s-]/g, "");
  if (!/^\d{9}$/.test(code)) {
    announce(() => T().badCode, true);
    return;
  }
  const password = normalisePassword(joinPassword.value);
  if (!password) {
    announce(() => T().badPassword, true);
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
      const label = passkey.name ?? T().passkeyLabel(i + 1);
      const text = document.createElement("span");
      const used = T().passkeyUsed(passkey.lastUsedAt === null ? null : formatTime(passkey.lastUsedAt));
      text.textContent = T().passkeyLine(label, formatTime(passkey.createdAt), used);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = T().remove;
      remove.setAttribute("aria-label", T().removeLabel(label));
      remove.addEventListener("click", () => void whileBusy(remove, () => removePasskey(passkey.id)));
      const rename = document.createElement("button");
      rename.type = "button";
      rename.textContent = T().rename;
      rename.setAttribute("aria-label", T().renameLabel(label));
      rename.addEventListener("click", () => void whileBusy(rename, () => renamePasskey(passkey.id, label)));
      item.append(text, rename, remove);
      return item;
    }),
  );
}

async function removePasskey(id: string): Promise<void> {
  const removed = await callApi("DELETE", `/api/me/passkeys/${encodeURIComponent(id)}`, AnyBody);
  if (!removed.ok) return announce(() => technicianErrorText(removed), true);
  announce(() => T().passkeyRemoved);
  // If this browser signed in with it, /api/me now answers 401 and loadMe goes to the sign-in page.
  await loadMe();
}

async function renamePasskey(id: string, label: string): Promise<void> {
  const typed = prompt(T().renamePrompt(label), label);
  if (typed === null) return;
  const name = PasskeyName.safeParse(typed);
  if (!name.success) return announce(() => T().badPasskeyName, true);
  const renamed = await callApi("PATCH", `/api/me/passkeys/${encodeURIComponent(id)}`, AnyBody, { name: name.data });
  if (!renamed.ok) return announce(() => technicianErrorText(renamed), true);
  announce(() => T().passkeyRenamed);
  await loadMe();
}

async function renameMyself(): Promise<void> {
  const typed = prompt(T().renameMePrompt, myName.textContent ?? "");
  if (typed === null) return;
  // The server holds names to the rule for what customers read, and says what is wrong with one it refuses.
  const renamed = await callApi("PATCH", "/api/me", TechnicianUpdated, { name: typed });
  if (!renamed.ok) return announce(() => nameErrorText(renamed, { field: "displayName", typed }), true);
  announce(() => T().renamedMe(renamed.data.technician.name));
  await loadMe();
}

async function signOutOfEverything(): Promise<void> {
  if (!confirm(T().confirmSignOutEverywhere)) return;
  const done = await callApi("DELETE", "/api/me/sign-ins", AnyBody);
  if (!done.ok) return announce(() => technicianErrorText(done), true);
  location.assign("/sign-in");
}

async function registerPasskey(): Promise<void> {
  announce(() => T().waitingForNewPasskey);
  const added = await addPasskey();
  if (!added.ok) return announce(() => passkeyFailureText(added), true);
  announce(() => T().passkeyAdded);
  await loadMe();
}

async function signOutNow(): Promise<void> {
  const done = await callApi("POST", "/api/auth/logout", AnyBody, {});
  if (!done.ok) return announce(() => technicianErrorText(done), true);
  location.assign("/sign-in");
}

async function createSession(): Promise<void> {
  const wanted = caseNumber.value.trim();
  const helpdeskReference = reference.value.trim();
  // The link's secret: made here, kept in this tab, sent to no server. The room learns only the hash of the seat key
  // it derives, which the customer's page (holding the secret) then presents.
  const secret = newLinkSecret();
  const seatKey = seatKeyOf(secret);
  if (!seatKey) return announce(() => T().noSecret, true);
  const body = {
    customerKeyHash: seatKeyHash(seatKey),
    ...(wanted ? { caseNumber: wanted } : {}),
    ...(helpdeskReference ? { reference: helpdeskReference } : {}),
  };
  const created = await callApi("POST", "/api/sessions", CreatedSession, body);
  if (!created.ok) return announce(() => nameErrorText(created, { field: "caseNumber", typed: wanted }), true);
  keepLinkSecret(created.data.code, secret);
  byId("session-code").textContent = groupCode(created.data.code);
  byId("session-link", HTMLInputElement).value = `${created.data.url}#${secret}`;
  newSessionExpiry = created.data.expiresAt;
  showExpiries();
  byId("session-view", HTMLAnchorElement).href = viewHref(created.data.code);
  byId("session-result").hidden = false;
  announce(() => T().sessionCreated);
  caseNumber.value = "";
  reference.value = "";
  await loadSessions();
}

/** When the session and the invite made last expire, for the lines under them. */
let newSessionExpiry: number | null = null;
let inviteExpiry: number | null = null;

function showExpiries(): void {
  if (newSessionExpiry !== null) {
    byId("session-expiry").textContent = T().expires(formatTime(newSessionExpiry));
  }
  if (inviteExpiry !== null) byId("invite-expiry").textContent = T().inviteExpiry(formatTime(inviteExpiry));
}

/** The list is read again when its first session expires, so that an expired session does not stay listed as live. */
let expiryTimer: ReturnType<typeof setTimeout> | undefined;

function refreshAtExpiry(expiries: number[]): void {
  clearTimeout(expiryTimer);
  if (expiries.length === 0) return;
  expiryTimer = setTimeout(() => void loadSessions(), Math.max(0, Math.min(...expiries) - Date.now()) + 1_000);
}

/** Counts the requests for the list, so that a slow answer never replaces a newer one's list. */
let listRequests = 0;

async function loadSessions(): Promise<void> {
  const request = ++listRequests;
  const mark = linkSecretsMark();
  const live = await callApi("GET", "/api/sessions", OwnSessions);
  if (request !== listRequests) return;
  // An error of the list is the console's to say, not the viewer's that may be showing.
  if (!live.ok) return viewing ? undefined : announce(() => technicianErrorText(live), true);
  const { sessions } = live.data;
  refreshAtExpiry(sessions.map((session) => session.expiresAt));
  forgetLinkSecretsExcept(
    sessions.map((session) => session.code),
    mark,
  );
  liveList.replaceChildren(
    ...sessions.map((session) => {
      const item = document.createElement("li");
      const secret = linkSecretOf(session.code);
      // Without its secret a link is no use to the customer: say so rather than show a link that cannot work.
      const link = document.createElement(secret === null ? "span" : "a");
      if (link instanceof HTMLAnchorElement) link.href = `${session.url}#${secret}`;
      link.textContent = secret === null ? T().linkNotHere(groupCode(session.code)) : groupCode(session.code);
      const details = T().sessionDetails(session.caseNumber ?? null, session.reference, formatTime(session.expiresAt));
      const view = document.createElement("a");
      view.href = viewHref(session.code);
      view.textContent = T().view;
      view.setAttribute("aria-label", T().viewLabel(groupCode(session.code)));
      item.append(link, ` ${details}`, view);
      return item;
    }),
  );
  noLive.hidden = sessions.length > 0;
}

async function createInvite(): Promise<void> {
  const created = await callApi("POST", "/api/invites", InviteResponse, {});
  if (!created.ok) return announce(() => technicianErrorText(created), true);
  byId("invite-link", HTMLInputElement).value = created.data.url;
  inviteExpiry = created.data.expiresAt;
  showExpiries();
  byId("invite-result").hidden = false;
  announce(() => T().inviteCreated);
  await loadInvites();
}

for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-copy]")) {
  const input = byId(button.dataset.copy ?? "", HTMLInputElement);
  button.addEventListener("click", () => void copyText(input.value, T, () => input.select()));
}
addPasskeyButton.addEventListener("click", () => void whileBusy(addPasskeyButton, registerPasskey));
renameMe.addEventListener("click", () => void whileBusy(renameMe, renameMyself));
signOut.addEventListener("click", () => void whileBusy(signOut, signOutNow));
signOutEverywhere.addEventListener("click", () => void whileBusy(signOutEverywhere, signOutOfEverything));
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
// Sessions end elsewhere too (the customer's End, a closed tab): the list is read again whenever the console comes
// back into view.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState !== "visible" || !isSignedIn || viewing) return;
  void loadSessions();
  void refreshMachinesPanel();
});
// Machines come online, go offline and get busy as their agents beat: the panel follows while the console is in view.
setInterval(() => {
  if (document.visibilityState === "visible" && isSignedIn && !viewing) void refreshMachinesPanel();
}, MACHINES_REFRESH_MS);

/** Lists and lines drawn from data: drawn again in a new language. */
onLanguageChange(() => {
  showExpiries();
  if (!isSignedIn) return;
  void loadMe();
  void loadSessions();
});

// Before anything else: the secret leaves the address bar even if the sign-in check sends this page elsewhere.
takeInvite();
await startLanguage(() => technicianText().markup);
await loadMe();
if (isSignedIn) await loadSessions();
