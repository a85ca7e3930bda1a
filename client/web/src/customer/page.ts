import type { PublicSession } from "#protocol/sessions.ts";
import { announce, byId, formatClock, formatTime, whileBusy } from "../lib/dom.ts";
import { groupCode } from "../lib/session-code.ts";
import { describeConnection } from "../rtc/stats.ts";
import { CustomerSession, type CustomerView } from "./CustomerSession.ts";

// The customer's consent screen, session bar and end screen, shared by the link page (/j/CODE) and the home
// page's "Get help". The markup is one file, ./screens.html, which the build inlines into both pages.

const consent = byId("consent", HTMLElement);
const bar = byId("sharing", HTMLElement);
const endedSection = byId("ended", HTMLElement);
const allow = byId("allow", HTMLButtonElement);
const decline = byId("decline", HTMLButtonElement);
const pause = byId("pause", HTMLButtonElement);
const switchSource = byId("switch", HTMLButtonElement);
const stop = byId("stop", HTMLButtonElement);
const end = byId("end", HTMLButtonElement);
const preview = byId("preview", HTMLVideoElement);

function technicianLabel(view: CustomerView): string {
  if (!view.technician) return "Your technician";
  return `${view.technician.name} (${view.technician.organisation})`;
}

/** Where the technician who may see the screen is, in a sentence. */
function presence(view: CustomerView): string {
  const name = view.technician?.name ?? "Your technician";
  const owner = view.owner;
  if (!owner) return `${name} has not joined yet.`;
  if (!owner.connected) {
    const until = view.ownerRejoinBy ? `; they can come back until ${formatClock(view.ownerRejoinBy)}` : "";
    return `${name} lost their connection${until}.`;
  }
  return `${name} is connected.`;
}

function sharingSummary(view: CustomerView): string {
  const who = technicianLabel(view);
  switch (view.sharing) {
    case "live":
      // While the picture may still be flowing, say so: better to overstate what is seen than understate it.
      return view.owner?.connected || view.link === "connected"
        ? `${who} can see what you are sharing. View only: they cannot control anything.`
        : `You are sharing; ${who} will see it when they connect. View only: they cannot control anything.`;
    case "paused":
      return `Paused: ${who} sees nothing until you resume.`;
    case "stopped":
      return `You are not sharing anything. ${who} sees nothing.`;
  }
}

function connectionLine(view: CustomerView): string {
  if (view.signaling === "reconnecting") return "Connection to Tether lost; reconnecting…";
  if (!view.owner?.connected || view.link === null) return "";
  if (view.relayFailure && view.link !== "connected") {
    return "Could not reach the relay server, so your technician cannot see your screen. Tell them; they can check the settings.";
  }
  if (view.link === "connecting") return "Connecting to your technician…";
  if (view.link === "reconnecting") return "Connection interrupted; reconnecting…";
  if (view.link === "closed") return "Disconnected.";
  return view.stats ? `Connection: ${describeConnection(view.stats)}` : "Connected.";
}

function render(view: CustomerView): void {
  consent.hidden = view.phase !== "asking";
  bar.hidden = view.phase !== "sharing";
  endedSection.hidden = view.phase !== "ended";

  byId("technician-name", HTMLElement).textContent = view.technician?.name ?? "";
  byId("organisation", HTMLElement).textContent = view.technician?.organisation ?? "";
  byId("technician-presence", HTMLElement).textContent = presence(view);
  byId("session-code", HTMLElement).textContent = groupCode(view.code);
  byId("case-number", HTMLElement).textContent = view.caseNumber ?? "none given";
  byId("expires", HTMLElement).textContent = view.expiresAt ? formatTime(view.expiresAt) : "";

  byId("sharing-summary", HTMLElement).textContent = sharingSummary(view);
  byId("bar-presence", HTMLElement).textContent = presence(view);
  byId("others", HTMLElement).textContent =
    view.others.length > 0
      ? `Also in the session, without a view of your screen: ${view.others.map((p) => p.name ?? "a technician").join(", ")}.`
      : "";
  byId("connection", HTMLElement).textContent = connectionLine(view);
  pause.hidden = view.sharing === "stopped";
  pause.textContent = view.sharing === "paused" ? "Resume" : "Pause";
  stop.hidden = view.sharing === "stopped";
  switchSource.textContent = view.sharing === "stopped" ? "Share again" : "Share something else";
  const shown = preview.srcObject instanceof MediaStream ? (preview.srcObject.getVideoTracks()[0] ?? null) : null;
  if (shown !== view.track) preview.srcObject = view.track ? new MediaStream([view.track]) : null;
  preview.hidden = view.track === null;

  byId("ended-reason", HTMLElement).textContent = view.ended ?? "";
  announce(view.notice?.text ?? "", view.notice?.isError);
}

/** Starts the customer's side of session `code` on this page and wires its buttons. */
export function startCustomerSession(
  code: string,
  session: PublicSession | null,
  onChange?: (view: CustomerView) => void,
  options: { isEndedOnLeave?: boolean } = {},
): CustomerSession {
  const customer = new CustomerSession(
    code,
    session,
    (view) => {
      render(view);
      onChange?.(view);
    },
    options,
  );
  // One picker at a time: a second click while the browser's picker is open does nothing.
  allow.addEventListener("click", () => void whileBusy(allow, () => customer.allow()));
  decline.addEventListener("click", () => customer.decline());
  pause.addEventListener("click", () => void (pause.textContent === "Resume" ? customer.resume() : customer.pause()));
  switchSource.addEventListener("click", () => void whileBusy(switchSource, () => customer.switchSource()));
  stop.addEventListener("click", () => customer.stopSharing());
  end.addEventListener("click", () => customer.end());
  // Closing the tab ends the session once anything was shared, and stops every track at once.
  addEventListener("pagehide", () => customer.leave());
  customer.start();
  return customer;
}
