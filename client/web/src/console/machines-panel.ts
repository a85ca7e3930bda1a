import { MachineEnrolment, MachineList, type MachineSummary, machineFingerprint } from "#protocol/machines.ts";
import { formatTime } from "../i18n/format.ts";
import { technicianText } from "../i18n/page.ts";
import { AnyBody, callApi } from "../lib/api.ts";
import { actionButton, announce, byId, whileBusy } from "../lib/dom.ts";
import { nameErrorText, technicianErrorText } from "../lib/errors.ts";

// The console's machines panel (admins, where the site has unattended access on): the machines enrolled, each with
// its key as its agent printed it at enrolment (so that the admin can tell it is the machine they enrolled), when it
// was enrolled and last seen, with rename and remove; and Enrol a machine, which makes the one-time command to run on
// the machine. A site with unattended access off answers UNATTENDED_OFF, and the panel stays hidden.

const section = byId("machines", HTMLElement);
const list = byId("machine-list", HTMLUListElement);
const none = byId("no-machines", HTMLElement);
const enrol = byId("machine-enrol", HTMLButtonElement);
const enrolment = byId("machine-enrolment", HTMLElement);
const command = byId("machine-command", HTMLInputElement);

const T = () => technicianText().machines;

const button = (text: string, label: string, action: () => Promise<void>) =>
  actionButton(text, label, action, "secondary");

/** Loads the machines; keeps the panel hidden where unattended access is off. */
export async function loadMachinesPanel(): Promise<void> {
  const machines = await callApi("GET", "/api/machines", MachineList);
  if (!machines.ok) {
    section.hidden = true;
    if (machines.code !== "UNATTENDED_OFF") announce(() => technicianErrorText(machines), true);
    return;
  }
  section.hidden = false;
  list.replaceChildren(...machines.data.machines.map(machineItem));
  none.hidden = machines.data.machines.length > 0;
}

function machineItem(machine: MachineSummary): HTMLLIElement {
  const item = document.createElement("li");
  const text = document.createElement("span");
  const lastSeen = machine.lastSeenAt === null ? null : formatTime(machine.lastSeenAt);
  text.textContent = T().machineLine(machine, machineFingerprint(machine.id), formatTime(machine.enrolledAt), lastSeen);
  item.append(
    text,
    button(T().rename, T().renameLabel(machine.name), () => rename(machine)),
    button(T().remove, T().removeLabel(machine.name), () => remove(machine)),
  );
  return item;
}

async function rename(machine: MachineSummary): Promise<void> {
  const typed = prompt(T().renamePrompt(machine.name), machine.name);
  if (typed === null) return;
  const path = `/api/machines/${encodeURIComponent(machine.id)}`;
  const done = await callApi("PATCH", path, AnyBody, { name: typed });
  if (!done.ok) return announce(() => nameErrorText(done, { field: "machineName", typed }), true);
  announce(() => T().renamed(typed.trim()));
  await loadMachinesPanel();
}

async function remove(machine: MachineSummary): Promise<void> {
  if (!confirm(T().confirmRemove(machine.name))) return;
  const done = await callApi("DELETE", `/api/machines/${encodeURIComponent(machine.id)}`, AnyBody);
  if (!done.ok) return announce(() => technicianErrorText(done), true);
  announce(() => T().removed(machine.name));
  await loadMachinesPanel();
}

/** Makes a one-time enrolment and shows the command that uses it, with the downloaded agent. */
async function makeEnrolment(): Promise<void> {
  const made = await callApi("POST", "/api/machines/enrolments", MachineEnrolment, {});
  if (!made.ok) return announce(() => technicianErrorText(made), true);
  // The token is in the link's fragment; the command is shown to this admin only, to run on the machine.
  command.value = `node tether-agent.mjs enrol '${made.data.url}'`;
  enrolment.hidden = false;
  const until = formatTime(made.data.expiresAt);
  announce(() => T().created(until));
}

enrol.addEventListener("click", () => void whileBusy(enrol, makeEnrolment));
