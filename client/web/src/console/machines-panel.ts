import { TechnicianList, type TechnicianSummary } from "#protocol/auth.ts";
import {
  MachineEnrolment,
  MachineList,
  MachineSession,
  type MachineSummary,
  machineFingerprint,
} from "#protocol/machines.ts";
import { formatTime } from "../i18n/format.ts";
import { technicianText } from "../i18n/page.ts";
import { AnyBody, callApi } from "../lib/api.ts";
import { actionButton, announce, byId, whileBusy } from "../lib/dom.ts";
import { nameErrorText, technicianErrorText } from "../lib/errors.ts";

// The console's machines panel, where the site has unattended access on: the machines the technician may reach (an
// admin every one, anyone else those an admin assigned to them), each with its key as its agent printed it at
// enrolment (so that it can be told apart), when it was enrolled and last seen, and Connect while it is online. Admins
// also enrol (the one-time command to run on the machine), rename and remove machines, and choose per machine the
// technicians who may reach it. A site with unattended access off answers UNATTENDED_OFF, and the panel stays hidden.
// The console reads the list again while it is in view (refreshMachinesPanel), so that a machine's state follows its
// agent's heartbeats without a reload.

const section = byId("machines");
const list = byId("machine-list", HTMLUListElement);
const none = byId("no-machines");
const noneAssigned = byId("no-machines-assigned");
const adminHint = byId("machines-hint");
const assignedHint = byId("machines-hint-assigned");
const enrol = byId("machine-enrol", HTMLButtonElement);
const enrolment = byId("machine-enrolment");
const command = byId("machine-command", HTMLInputElement);

const T = () => technicianText().machines;

const button = (text: string, label: string, action: () => Promise<void>) =>
  actionButton(text, label, action, "secondary");

/** Whether the panel was last drawn for an admin. */
let isAdminView = false;
/** The technicians an admin may assign machines to, as last read (null when not an admin, or the read failed). */
let assignableView: TechnicianSummary[] | null = null;
/** Whether the panel shows a list (unattended access is on and the list was read). */
let isShown = false;
/** The latest read of the list started: an answer to an older one is not drawn over a newer one's. */
let reads = 0;

/** One machine's item in the list, with the machine it was drawn for. */
type Drawn = { machine: MachineSummary; item: HTMLLIElement; line: HTMLSpanElement; connect: HTMLButtonElement };
/** The items drawn, by machine id, in the list's order. */
let drawn = new Map<string, Drawn>();

/**
 * Loads the machines the signed-in technician may reach, with an admin's tools when `isAdmin`; keeps the panel hidden
 * where unattended access is off.
 */
export async function loadMachinesPanel(isAdmin: boolean): Promise<void> {
  isAdminView = isAdmin;
  const read = ++reads;
  // Only admins assign machines, and only they may list the technicians to assign them to.
  const [machines, technicians] = await Promise.all([
    callApi("GET", "/api/machines", MachineList),
    isAdmin ? callApi("GET", "/api/technicians", TechnicianList) : null,
  ]);
  if (read !== reads) return;
  if (!machines.ok) {
    section.hidden = true;
    isShown = false;
    if (machines.code !== "UNATTENDED_OFF") announce(() => technicianErrorText(machines), true);
    return;
  }
  if (technicians && !technicians.ok) announce(() => technicianErrorText(technicians), true);
  // Admins reach every machine anyway: the ones to choose from are the others (none to show if the list failed).
  assignableView = technicians?.ok ? technicians.data.technicians.filter((t) => !t.isAdmin) : null;
  section.hidden = false;
  isShown = true;
  adminHint.hidden = !isAdmin;
  assignedHint.hidden = isAdmin;
  enrol.hidden = !isAdmin;
  if (!isAdmin) enrolment.hidden = true;
  drawn = new Map();
  drawList(machines.data.machines);
}

/**
 * Reads the list again and brings the panel up to date where machines came online, went offline, became busy or free,
 * or were enrolled, renamed or removed elsewhere. The items of machines still there stay where they are (the
 * keyboard's focus and an open access choice with them); a failed read leaves the panel as it was.
 */
export async function refreshMachinesPanel(): Promise<void> {
  if (!isShown) return;
  const read = ++reads;
  const machines = await callApi("GET", "/api/machines", MachineList);
  if (read !== reads || !machines.ok || !isShown) return;
  drawList(machines.data.machines);
}

/** Draws `machines`, keeping the item of each machine already drawn under the same name. */
function drawList(machines: MachineSummary[]): void {
  const next = machines.map((machine) => {
    const shown = drawn.get(machine.id);
    if (!shown || shown.machine.name !== machine.name) return machineItem(machine);
    shown.machine = machine;
    showState(shown);
    return shown;
  });
  const items = next.map((each) => each.item);
  // Moved only when the order changed: an item taken out and put back loses the keyboard's focus.
  const isSameOrder = items.length === list.children.length && items.every((item, i) => list.children[i] === item);
  if (!isSameOrder) list.replaceChildren(...items);
  drawn = new Map(next.map((each) => [each.machine.id, each]));
  const isEmpty = machines.length === 0;
  none.hidden = !(isEmpty && isAdminView);
  noneAssigned.hidden = !(isEmpty && !isAdminView);
}

/**
 * The machine's line as it is now, and Connect while it is online: the session is opened with the agent, which only a
 * machine online can join.
 */
function showState({ machine, line, connect: button }: Drawn): void {
  const lastSeen = machine.lastSeenAt === null ? null : formatTime(machine.lastSeenAt);
  line.textContent = T().machineLine(machine, machineFingerprint(machine.id), formatTime(machine.enrolledAt), lastSeen);
  if (machine.isOnline && button.parentNode === null) line.after(button);
  if (!machine.isOnline) button.remove();
}

function machineItem(machine: MachineSummary): Drawn {
  const item = document.createElement("li");
  const line = document.createElement("span");
  item.append(line);
  const drawnItem: Drawn = {
    machine,
    item,
    line,
    connect: actionButton(T().connect, T().connectLabel(machine.name), () => connect(drawnItem.machine)),
  };
  if (isAdminView) {
    item.append(
      button(T().rename, T().renameLabel(machine.name), () => rename(machine)),
      button(T().remove, T().removeLabel(machine.name), () => remove(machine)),
    );
    if (assignableView) item.append(accessChoice(machine, assignableView));
  }
  showState(drawnItem);
  return drawnItem;
}

/**
 * Who may reach the machine besides the admins: a disclosure with one checkbox per technician, each change sent at
 * once and announced. A checkbox keeps the keyboard's focus throughout: the list is not drawn again.
 */
function accessChoice(machine: MachineSummary, assignable: TechnicianSummary[]): HTMLDetailsElement {
  const assigned = new Set(machine.technicianIds ?? []);
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  const counted = () => assignable.filter((t) => assigned.has(t.id)).length;
  summary.textContent = T().access(counted());
  const group = document.createElement("fieldset");
  group.setAttribute("aria-label", T().accessLabel(machine.name));
  if (assignable.length === 0) group.append(T().noneAssignable);
  for (const technician of assignable) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = assigned.has(technician.id);
    // Changes of one checkbox go to the server in order, so that the last one the person made is what stays.
    let sending = Promise.resolve();
    box.addEventListener("change", () => {
      const isAssigned = box.checked;
      sending = sending.then(async () => {
        if (!(await setAccess(machine, technician, isAssigned))) {
          box.checked = !isAssigned;
          return;
        }
        if (isAssigned) assigned.add(technician.id);
        else assigned.delete(technician.id);
        summary.textContent = T().access(counted());
      });
    });
    label.append(box, ` ${technician.name}`);
    group.append(label);
  }
  details.append(summary, group);
  return details;
}

/** Assigns the machine to the technician or takes it back; whether the server did it. */
async function setAccess(
  machine: MachineSummary,
  technician: TechnicianSummary,
  isAssigned: boolean,
): Promise<boolean> {
  const path = `/api/machines/${encodeURIComponent(machine.id)}/technicians/${encodeURIComponent(technician.id)}`;
  const done = await callApi(isAssigned ? "PUT" : "DELETE", path, AnyBody);
  if (!done.ok) {
    announce(() => technicianErrorText(done), true);
    return false;
  }
  announce(() => T().accessChanged(technician.name, machine.name, isAssigned));
  return true;
}

/** Opens a session with the machine, which its agent joins, and hands it to the console's viewer. */
async function connect(machine: MachineSummary): Promise<void> {
  const path = `/api/machines/${encodeURIComponent(machine.id)}/sessions`;
  const opened = await callApi("POST", path, MachineSession, {});
  if (!opened.ok) {
    announce(() => technicianErrorText(opened), true);
    // Gone offline, removed or taken back since the list was drawn: the list shows it as it is now.
    if (opened.code === "MACHINE_OFFLINE" || opened.code === "NOT_FOUND") await refreshMachinesPanel();
    return;
  }
  location.hash = `view=${opened.data.code}&machine=${machine.id}`;
}

async function rename(machine: MachineSummary): Promise<void> {
  const typed = prompt(T().renamePrompt(machine.name), machine.name);
  if (typed === null) return;
  const path = `/api/machines/${encodeURIComponent(machine.id)}`;
  const done = await callApi("PATCH", path, AnyBody, { name: typed });
  if (!done.ok) return announce(() => nameErrorText(done, { field: "machineName", typed }), true);
  announce(() => T().renamed(typed.trim()));
  await refreshMachinesPanel();
}

async function remove(machine: MachineSummary): Promise<void> {
  if (!confirm(T().confirmRemove(machine.name))) return;
  const done = await callApi("DELETE", `/api/machines/${encodeURIComponent(machine.id)}`, AnyBody);
  if (!done.ok) return announce(() => technicianErrorText(done), true);
  announce(() => T().removed(machine.name));
  await refreshMachinesPanel();
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
