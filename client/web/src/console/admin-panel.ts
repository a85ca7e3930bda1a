import { InviteList, TechnicianList, type TechnicianSummary, TechnicianUpdated } from "#protocol/auth.ts";
import { formatTime } from "../i18n/format.ts";
import { technicianText } from "../i18n/page.ts";
import { AnyBody, callApi } from "../lib/api.ts";
import { actionButton, announce, byId } from "../lib/dom.ts";
import { nameErrorText, technicianErrorText } from "../lib/errors.ts";
import { loadAuditPanel } from "./audit-panel.ts";

// The console's admin panel: every technician (role, passkeys, last sign-in, live sessions) with promote, demote,
// remove, and the display name customers read (edit, lock, unlock), and the invites not yet used with revoke. The server checks on every call that the caller is an admin.

const technicianList = byId("technicians", HTMLUListElement);
const inviteList = byId("open-invites", HTMLUListElement);
const noInvites = byId("no-open-invites");

const T = () => technicianText().admin;

let myId = "";
let onOwnNameChanged: () => Promise<void> = loadTechnicians;

const button = actionButton;

async function loadTechnicians(): Promise<void> {
  const list = await callApi("GET", "/api/technicians", TechnicianList);
  if (!list.ok) return announce(() => technicianErrorText(list), true);
  technicianList.replaceChildren(
    ...list.data.technicians.map((t) => {
      const item = document.createElement("li");
      const lastSignIn = t.lastSignInAt === null ? null : formatTime(t.lastSignInAt);
      const text = document.createElement("span");
      text.textContent = T().technicianLine(t, lastSignIn, t.id === myId);
      const role = t.isAdmin
        ? button(T().demote, T().demoteLabel(t.name), () => setRole(t, false))
        : button(T().promote, T().promoteLabel(t.name), () => setRole(t, true));
      const lock = t.nameLocked
        ? button(T().unlockName, T().unlockNameLabel(t.name), () => setNameLock(t, false))
        : button(T().lockName, T().lockNameLabel(t.name), () => setNameLock(t, true));
      item.append(
        text,
        role,
        button(T().editName, T().editNameLabel(t.name), () => editName(t)),
        lock,
        button(T().remove, T().removeLabel(t.name), () => removeTechnician(t)),
      );
      return item;
    }),
  );
}

async function setRole(t: TechnicianSummary, isAdmin: boolean): Promise<void> {
  const done = await callApi("PATCH", `/api/technicians/${encodeURIComponent(t.id)}`, AnyBody, { isAdmin });
  if (!done.ok) return announce(() => technicianErrorText(done), true);
  announce(() => T().roleChanged(t.name, isAdmin));
  // Demoting oneself ends one's own admin rights at once: the page then shows the console without this panel.
  if (t.id === myId && !isAdmin) return location.reload();
  await loadTechnicians();
}

async function editName(t: TechnicianSummary): Promise<void> {
  const typed = prompt(T().editNamePrompt(t.name), t.name);
  if (typed === null) return;
  // The server holds names to the rule for what customers read, and says what is wrong with one it refuses.
  const done = await callApi("PATCH", `/api/technicians/${encodeURIComponent(t.id)}`, TechnicianUpdated, {
    name: typed,
  });
  if (!done.ok) return announce(() => nameErrorText(done, { field: "displayName", typed }), true);
  announce(() => T().nameChanged(done.data.technician.name));
  // One's own name shows in the header and the settings too: the console reloads them, and this list with them.
  if (t.id === myId) return onOwnNameChanged();
  await loadTechnicians();
}

async function setNameLock(t: TechnicianSummary, nameLocked: boolean): Promise<void> {
  const done = await callApi("PATCH", `/api/technicians/${encodeURIComponent(t.id)}`, AnyBody, { nameLocked });
  if (!done.ok) return announce(() => technicianErrorText(done), true);
  announce(() => T().nameLockChanged(t.name, nameLocked));
  await loadTechnicians();
}

async function removeTechnician(t: TechnicianSummary): Promise<void> {
  if (!confirm(T().confirmRemove(t.name))) return;
  const done = await callApi("DELETE", `/api/technicians/${encodeURIComponent(t.id)}`, AnyBody);
  if (!done.ok) return announce(() => technicianErrorText(done), true);
  if (t.id === myId) return location.assign("/sign-in");
  announce(() => T().removed(t.name));
  await loadTechnicians();
}

/** Loads the open invites; also after a new one is made. */
export async function loadInvites(): Promise<void> {
  const list = await callApi("GET", "/api/invites", InviteList);
  if (!list.ok) return announce(() => technicianErrorText(list), true);
  inviteList.replaceChildren(
    ...list.data.invites.map((invite) => {
      const item = document.createElement("li");
      const expires = formatTime(invite.expiresAt);
      const text = document.createElement("span");
      text.textContent = T().inviteLine(invite.isAdmin, invite.createdBy ?? null, expires);
      item.append(
        text,
        button(T().revoke, T().revokeLabel(expires), () => revokeInvite(invite.id)),
      );
      return item;
    }),
  );
  noInvites.hidden = list.data.invites.length > 0;
}

async function revokeInvite(id: string): Promise<void> {
  const done = await callApi("DELETE", `/api/invites/${id}`, AnyBody);
  if (!done.ok) return announce(() => technicianErrorText(done), true);
  announce(() => T().revoked);
  await loadInvites();
}

/** Fills the admin panel for the admin `technicianId`; `onOwnNameChanged` runs when they edit their own name. */
export async function loadAdminPanel(technicianId: string, ownNameChanged: () => Promise<void>): Promise<void> {
  myId = technicianId;
  onOwnNameChanged = ownNameChanged;
  await Promise.all([loadTechnicians(), loadInvites(), loadAuditPanel()]);
}
