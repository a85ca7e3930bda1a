import { InviteList, type OpenInvite, TechnicianList, type TechnicianSummary } from "#protocol/auth.ts";
import { AnyBody, callApi } from "../lib/api.ts";
import { announce, byId, formatTime, whileBusy } from "../lib/dom.ts";

// The console's admin panel: every technician (role, passkeys, last sign-in, live sessions) with promote, demote
// and remove, and the invites not yet used with revoke. The server checks on every call that the caller is an admin.

const technicianList = byId("technicians", HTMLUListElement);
const inviteList = byId("open-invites", HTMLUListElement);
const noInvites = byId("no-open-invites", HTMLElement);

const TEXT = {
  technicianLine: (t: TechnicianSummary, lastSignIn: string) =>
    `${t.name}${t.isAdmin ? " (admin)" : ""}: ${t.passkeys} passkey${t.passkeys === 1 ? "" : "s"}, last sign-in ${lastSignIn}, ${t.liveSessions} live session${t.liveSessions === 1 ? "" : "s"}`,
  never: "never",
  you: " (you)",
  promote: "Make admin",
  demote: "Take admin rights",
  promoteLabel: (name: string) => `Make ${name} an admin`,
  demoteLabel: (name: string) => `Take admin rights from ${name}`,
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
      item.append(
        text,
        role,
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

/** Fills the admin panel for the admin `technicianId`. */
export async function loadAdminPanel(technicianId: string): Promise<void> {
  myId = technicianId;
  await Promise.all([loadTechnicians(), loadInvites()]);
}
