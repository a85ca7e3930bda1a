import { announce, byId, formatClock, formatTime, whileBusy } from "../lib/dom.ts";
import { groupCode } from "../lib/session-code.ts";
import { describeConnection } from "../rtc/stats.ts";
import {
  type CustomerEnd,
  type CustomerNotice,
  CustomerSession,
  type CustomerSessionOptions,
  type CustomerView,
} from "./CustomerSession.ts";

// The customer's consent screen, verification code, session bar and end screen, shared by the link page (/j/CODE)
// and the home page's "Get help". The markup is one file, ./screens.html, which the build inlines into both pages.
// Every sentence these screens show is in TEXT below (or built from it), so a translation has one place to go.

const consent = byId("consent", HTMLElement);
const verificationSection = byId("verification", HTMLElement);
const verificationActions = byId("verification-actions", HTMLElement);
const bar = byId("sharing", HTMLElement);
const endedSection = byId("ended", HTMLElement);
const allow = byId("allow", HTMLButtonElement);
const decline = byId("decline", HTMLButtonElement);
const codeMatches = byId("code-matches", HTMLButtonElement);
const codeDiffers = byId("code-differs", HTMLButtonElement);
const pause = byId("pause", HTMLButtonElement);
const switchSource = byId("switch", HTMLButtonElement);
const stop = byId("stop", HTMLButtonElement);
const end = byId("end", HTMLButtonElement);
const preview = byId("preview", HTMLVideoElement);

const TEXT = {
  yourTechnician: "Your technician",
  notJoined: (name: string) => `${name} has not joined yet.`,
  lostConnection: (name: string, until: string | null) =>
    until ? `${name} lost their connection; they can come back until ${until}.` : `${name} lost their connection.`,
  connected: (name: string) => `${name} is connected.`,
  sharingLive: (who: string) => `${who} can see what you are sharing. View only: they cannot control anything.`,
  sharingBeforeConnect: (who: string) =>
    `You are sharing; ${who} will see it when they connect. View only: they cannot control anything.`,
  paused: (who: string) => `Paused: ${who} sees nothing until you resume.`,
  notSharing: (who: string) => `You are not sharing anything. ${who} sees nothing.`,
  others: (names: string) => `Also in the session, without a view of your screen: ${names}.`,
  aTechnician: "a technician",
  reconnecting: "Connection to Tether lost; reconnecting…",
  relayFailed:
    "Could not reach the relay server, so your technician cannot see your screen. Tell them; they can check the settings.",
  linkConnecting: "Connecting to your technician…",
  linkReconnecting: "Connection interrupted; reconnecting…",
  linkClosed: "Disconnected.",
  linkConnected: "Connected.",
  linkStats: (description: string) => `Connection: ${description}`,
  noCaseNumber: "none given",
  resume: "Resume",
  pause: "Pause",
  shareAgain: "Share again",
  shareSomethingElse: "Share something else",
  codeToCheck:
    "Your technician sees four words too. Ask them to read theirs aloud: if they are not exactly these, click Doesn't match.",
  codeMatched: "You checked: your technician sees the same four words.",
  ended: {
    ended_by_customer: "You ended the session. Nothing more is shared.",
    declined: "You did not allow sharing, so the session has ended. Nothing was shared.",
    ended_by_technician: "The technician ended the session. Nothing more is shared.",
    expired: "The session reached its time limit. Nothing more is shared.",
    idle: "The session ended after a period without activity. Nothing more is shared.",
    intercepted:
      "This connection may be intercepted: your technician's end did not show the certificate your page checked, so the session has ended. Nothing more is shared. Tell your technician, and start again only with a new link or password.",
    codeMismatch:
      "You said the verification code did not match, so the session has ended. Nothing more is shared. Tell your technician by phone.",
    unsupported:
      "This browser cannot make a secure connection. Try a current Chrome, Edge, Firefox or Safari on a computer.",
  },
  refused: {
    SEAT_KEY_INVALID: "This link does not match its session — ask your technician to send it again.",
    SESSION_NOT_FOUND: "There is no session with this code. Ask your technician to send the link again.",
    SESSION_ENDED: "This session has ended.",
    SEAT_TAKEN: "This session is already open in another browser. Ask your technician for a new link.",
    REPLACED: "This session was opened in another tab or window.",
  } as Partial<Record<string, string>>,
  notice: {
    pickerClosed: "Nothing was shared: the picker was closed or sharing is blocked in this browser.",
    captureFailed:
      "This browser could not share the screen. Try a current Chrome, Edge, Firefox or Safari on a computer.",
    stoppedFromBrowser: "You stopped sharing from the browser's control.",
    handshakeFailed:
      "A connection attempt failed the security check (a wrong link or password, or someone interfering), so nothing of yours was sent to it.",
    noRelay: (message: string) => `No relay servers (${message}); only a direct connection can be tried.`,
    throttled: (failures: number) =>
      `Someone is trying to join this session without the right password or link (${failures} failed ${failures === 1 ? "try" : "tries"}). Tether makes them wait between tries. Only give your password or link to the person you contacted.`,
  },
} as const;

/** The sentence for how the session ended. */
function endText(ended: CustomerEnd): string {
  switch (ended.reason) {
    case "ended_by_customer":
      return ended.hasShared ? TEXT.ended.ended_by_customer : TEXT.ended.declined;
    case "refused":
      return TEXT.refused[ended.code] ?? ended.message;
    default:
      return TEXT.ended[ended.reason];
  }
}

/** Whether an end is a failure the live region should announce as one. */
function isErrorEnd(ended: CustomerEnd): boolean {
  return ended.reason === "refused" || ended.reason === "intercepted" || ended.reason === "unsupported";
}

/** A notice's sentence, and whether it reports a problem. */
function noticeText(notice: CustomerNotice): { text: string; isError: boolean } {
  switch (notice.code) {
    case "pickerClosed":
    case "captureFailed":
      return { text: TEXT.notice[notice.code], isError: true };
    case "stoppedFromBrowser":
      return { text: TEXT.notice.stoppedFromBrowser, isError: false };
    case "handshakeFailed":
      return { text: TEXT.notice.handshakeFailed, isError: true };
    case "noRelay":
      return { text: TEXT.notice.noRelay(notice.message), isError: true };
    case "throttled":
      return { text: TEXT.notice.throttled(notice.failures), isError: true };
    case "server":
      return { text: notice.message, isError: true };
  }
}

function technicianLabel(view: CustomerView): string {
  if (!view.technician) return TEXT.yourTechnician;
  return `${view.technician.name} (${view.technician.organisation})`;
}

/** Where the technician who may see the screen is, in a sentence. */
function presence(view: CustomerView): string {
  const name = view.technician?.name ?? TEXT.yourTechnician;
  const owner = view.owner;
  if (!owner) return TEXT.notJoined(name);
  if (!owner.connected) return TEXT.lostConnection(name, view.ownerRejoinBy ? formatClock(view.ownerRejoinBy) : null);
  return TEXT.connected(name);
}

function sharingSummary(view: CustomerView): string {
  const who = technicianLabel(view);
  switch (view.sharing) {
    case "live":
      // While the picture may still be flowing, say so: better to overstate what is seen than understate it.
      return view.owner?.connected || view.link === "connected"
        ? TEXT.sharingLive(who)
        : TEXT.sharingBeforeConnect(who);
    case "paused":
      return TEXT.paused(who);
    case "stopped":
      return TEXT.notSharing(who);
  }
}

function connectionLine(view: CustomerView): string {
  if (view.signaling === "reconnecting") return TEXT.reconnecting;
  if (!view.owner?.connected || view.link === null) return "";
  if (view.relayFailure && view.link !== "connected") return TEXT.relayFailed;
  if (view.link === "connecting") return TEXT.linkConnecting;
  if (view.link === "reconnecting") return TEXT.linkReconnecting;
  if (view.link === "closed") return TEXT.linkClosed;
  return view.stats ? TEXT.linkStats(describeConnection(view.stats)) : TEXT.linkConnected;
}

function render(view: CustomerView): void {
  consent.hidden = view.phase !== "asking";
  bar.hidden = view.phase !== "sharing";
  endedSection.hidden = view.phase !== "ended";
  const verification = view.phase === "ended" ? null : view.verification;
  verificationSection.hidden = verification === null;
  verificationActions.hidden = verification?.isMatched ?? true;
  byId("verification-code", HTMLElement).textContent = verification?.code ?? "";
  byId("verification-hint", HTMLElement).textContent = verification?.isMatched ? TEXT.codeMatched : TEXT.codeToCheck;

  byId("technician-name", HTMLElement).textContent = view.technician?.name ?? "";
  byId("organisation", HTMLElement).textContent = view.technician?.organisation ?? "";
  byId("technician-presence", HTMLElement).textContent = presence(view);
  byId("session-code", HTMLElement).textContent = groupCode(view.code);
  byId("case-number", HTMLElement).textContent = view.caseNumber ?? TEXT.noCaseNumber;
  byId("expires", HTMLElement).textContent = view.expiresAt ? formatTime(view.expiresAt) : "";

  byId("sharing-summary", HTMLElement).textContent = sharingSummary(view);
  byId("bar-presence", HTMLElement).textContent = presence(view);
  byId("others", HTMLElement).textContent =
    view.others.length > 0 ? TEXT.others(view.others.map((p) => p.name ?? TEXT.aTechnician).join(", ")) : "";
  byId("connection", HTMLElement).textContent = connectionLine(view);
  pause.hidden = view.sharing === "stopped";
  pause.textContent = view.sharing === "paused" ? TEXT.resume : TEXT.pause;
  stop.hidden = view.sharing === "stopped";
  switchSource.textContent = view.sharing === "stopped" ? TEXT.shareAgain : TEXT.shareSomethingElse;
  const shown = preview.srcObject instanceof MediaStream ? (preview.srcObject.getVideoTracks()[0] ?? null) : null;
  if (shown !== view.track) preview.srcObject = view.track ? new MediaStream([view.track]) : null;
  preview.hidden = view.track === null;

  byId("ended-reason", HTMLElement).textContent = view.ended ? endText(view.ended) : "";
  if (view.notice) {
    const { text, isError } = noticeText(view.notice);
    announce(text, isError);
  } else if (view.ended && isErrorEnd(view.ended)) {
    announce(endText(view.ended), true);
  } else {
    announce("");
  }
}

/** Starts the customer's side of a session on this page and wires its buttons. */
export function startCustomerSession(
  options: CustomerSessionOptions,
  onChange?: (view: CustomerView) => void,
): CustomerSession {
  const customer = new CustomerSession(options, (view) => {
    render(view);
    onChange?.(view);
  });
  // One picker at a time: a second click while the browser's picker is open does nothing.
  allow.addEventListener("click", () => void whileBusy(allow, () => customer.allow()));
  decline.addEventListener("click", () => customer.decline());
  codeMatches.addEventListener("click", () => customer.confirmCode());
  codeDiffers.addEventListener("click", () => customer.rejectCode());
  pause.addEventListener(
    "click",
    () => void (pause.textContent === TEXT.resume ? customer.resume() : customer.pause()),
  );
  switchSource.addEventListener("click", () => void whileBusy(switchSource, () => customer.switchSource()));
  stop.addEventListener("click", () => customer.stopSharing());
  end.addEventListener("click", () => customer.end());
  // Closing the tab ends the session once anything was shared, and stops every track at once.
  addEventListener("pagehide", () => customer.leave());
  customer.start();
  return customer;
}
