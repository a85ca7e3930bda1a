import {
  InviteList,
  type OpenInvite,
  TechnicianList,
  type TechnicianSummary,
  TechnicianUpdated,
} from "#protocol/auth.ts";
import { AnyBody, callApi } from "../lib/api.ts";
import { announce, byId, formatTime, whileBusy } from "../lib/dom.ts";
import { loadAuditPanel } from "./audit-panel.ts";

// The console's admin panel: every technician (role, passkeys, last sign-in, live sessions) with promote, demote,
// remove, and the display name customers read (edit, lock, unlock), and the invites not yet used with revoke. The server checks on every call that the caller is an admin.

const technicianList = byId("technicians", HTMLUListElement);
const inviteList = byId("open-invites", HTMLUListElement);
const noInvites = byId("no-open-invites", HTMLElement);

const TEXT = {
  technicianLine: (t: TechnicianSummary, lastSignIn: string) =>
    `${t.name}${t.isAdmin ? " (admin)" : ""}${t.nameLocked ? " (name locked)" : ""}: ${t.passkeys} passkey${t.passkeys === 1 ? "" : "s"}, last sign-in ${lastSignIn}, ${t.liveSessions} live session${t.liveSessions === 1 ? "" : "s"}`,
  never: "never",
  you: " (you)",
  promote: "Make admin",
  demote: "Take admin rights",
  promoteLabel: (name: string) => `Make ${name} an admin`,
  demoteLabel: (name: string) => `Take admin rights from ${name}`,
  editName: "Edit name",
  editNameLabel: (name: string) => `Edit the display name of ${name}`,
  editNamePrompt: (name: string) => `The name customers see for ${name}:`,
  nameChanged: (name: string) => `The display name is now ${name}.`,
  lockName: "Lock name",
  lockNameLabel: (name: string) => `Lock the display name of ${name}`,
  unlockName: "Unlock name",
  unlockNameLabel: (name: string) => `Unlock the display name of ${name}`,
  nameLockChanged: (name: string, isLocked: boolean) =>
    isLocked
      ? `${name}'s display name is locked: only an admin can change it.`
      : `${name} can change their name again.`,
  remove: "Remove",
  removeLabel: (name: string) => `Remove ${name}`,
  confirmRemove: (name: string) =>
    `Remove ${name}? Their passkeys stop working, they are signed out everywhere and leave their sessions within a minute.`,
  removed: (name: string) => `${name} was removed and signed out everywhere.`,
  roleChanged: (name: string, isAdmin: boolean) =>
    isAdmin ? `${name} is now an admin.` : `${name} is no longer an admin.`,
  inviteLine: (invite: OpenInvite, expires: string) =>
    `${invite.isAdmin ? "Admin invite" : "Invite"} by ${invite.createdBy ?? "the command line"}, works until ${expires}`,
  revoke: "Revoke",
  revokeLabel: (expires: string) => `Revoke the invite that works until ${expires}`,
  revoked: "Invite revoked: its link no longer works.",
} as const;

let myId = "";
let onOwnNameChanged: () => Promise<void> = loadTechnicians;

function button(text: string, label: string, action: () => Promise<void>): HTMLButtonElement {
  const el = document.createElement("button");
  el.type = "button";
  el.textContent = text;
  el.setAttribute("aria-label", label);
  el.addEventListener("click", () => void whileBusy(el, action));
  return el;
}

async function loadTechnicians(): Promise<void> {
  const list = await callApi("GET", "/api/technicians", TechnicianList);
  if (!list.ok) return announce(list.message, true);
  technicianList.replaceChildren(
    ...list.data.technicians.map((t) => {
      const item = document.createElement("li");
      const lastSignIn = t.lastSignInAt === null ? TEXT.never : formatTime(t.lastSignInAt);
      const text = document.createElement("span");
      text.textContent = TEXT.technicianLine(t, lastSignIn) + (t.id === myId ? TEXT.you : "");
      const role = t.isAdmin
        ? button(TEXT.demote, TEXT.demoteLabel(t.name), () => setRole(t, false))
        : button(TEXT.promote, TEXT.promoteLabel(t.name), () => setRole(t, true));
      const lock = t.nameLocked
        ? button(TEXT.unlockName, TEXT.unlockNameLabel(t.name), () => setNameLock(t, false))
        : button(TEXT.lockName, TEXT.lockNameLabel(t.name), () => setNameLock(t, true));
      item.append(
        text,
        role,
        button(TEXT.editName, TEXT.editNameLabel(t.name), () => editName(t)),
        lock,
        button(TEXT.remove, TEXT.removeLabel(t.name), () => removeTechnician(t)),
      );
      return item;
    }),
  );
}

async function setRole(t: TechnicianSummary, isAdmin: boolean): Promise<void> {
  const done = await callApi("PATCH", `/api/technicians/${encodeURIComponent(t.id)}`, AnyBody, { isAdmin });
  if (!done.ok) return announce(done.message, true);
  announce(TEXT.roleChanged(t.name, isAdmin));
  // Demoting oneself ends one's own admin rights at once: the page then shows the console without this panel.
  if (t.id === myId && !isAdmin) return location.reload();
  await loadTechnicians();
}

async function editName(t: TechnicianSummary): Promise<void> {
  const typed = prompt(TEXT.editNamePrompt(t.name), t.name);
  if (typed === null) return;
  // The server holds names to the rule for what customers read, and says what is wrong with one it refuses.
  const done = await callApi("PATCH", `/api/technicians/${encodeURIComponent(t.id)}`, TechnicianUpdated, {
    name: typed,
  });
  if (!done.ok) return announce(done.message, true);
  announce(TEXT.nameChanged(done.data.technician.name));
  // One's own name shows in the header and the settings too: the console reloads them, and this list with them.
  if (t.id === myId) return onOwnNameChanged();
  await loadTechnicians();
}

async function setNameLock(t: TechnicianSummary, nameLocked: boolean): Promise<void> {
  const done = await callApi("PATCH", `/api/technicians/${encodeURIComponent(t.id)}`, AnyBody, { nameLocked });
  if (!done.ok) return announce(done.message, true);
  announce(TEXT.nameLockChanged(t.name, nameLocked));
  await loadTechnicians();
}

async function removeTechnician(t: TechnicianSummary): Promise<void> {
  if (!confirm(TEXT.confirmRemove(t.name))) return;
  const done = await callApi("DELETE", `/api/technicians/${encodeURIComponent(t.id)}`, AnyBody);
  if (!done.ok) return announce(done.message, true);
  if (t.id === myId) return location.assign("/sign-in");
  announce(TEXT.removed(t.name));
  await loadTechnicians();
}

/** Loads the open invites; also after a new one is made. */
export async function loadInvites(): Promise<void> {
  const list = await callApi("GET", "/api/invites", InviteList);
  if (!list.ok) return announce(list.message, true);
  inviteList.replaceChildren(
    ...list.data.invites.map((invite) => {
      const item = document.createElement("li");
      const expires = formatTime(invite.expiresAt);
      const text = document.createElement("span");
      text.textContent = TEXT.inviteLine(invite, expires);
      item.append(
        text,
        button(TEXT.revoke, TEXT.revokeLabel(expires), () => revokeInvite(invite.id)),
      );
      return item;
    }),
  );
  noInvites.hidden = list.data.invites.length > 0;
}

async function revokeInvite(id: string): Promise<void> {
  const done = await callApi("DELETE", `/api/invites/${id}`, AnyBody);
  if (!done.ok) return announce(done.message, true);
  announce(TEXT.revoked);
  await loadInvites();
}

/** Fills the admin panel for the admin `technicianId`; `onOwnNameChanged` runs when they edit their own name. */
export async function loadAdminPanel(technicianId: string, ownNameChanged: () => Promise<void>): Promise<void> {
  myId = technicianId;
  onOwnNameChanged = ownNameChanged;
  await Promise.all([loadTechnicians(), loadInvites(), loadAuditPanel()]);
}
