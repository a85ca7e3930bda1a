import { formatClock, formatTime, formatUnit } from "../i18n/format.ts";
import { customerText, onLanguageChange } from "../i18n/page.ts";
import type { ChatPanel } from "../lib/chat-panel.ts";
import { announce, byId, isFocusIdle, setText, whileBusy } from "../lib/dom.ts";
import { errorText } from "../lib/errors.ts";
import type { FilePanel } from "../lib/file-panel.ts";
import { linkSecretOf } from "../lib/link-secrets.ts";
import { groupCode } from "../lib/session-code.ts";
import type { VoicePanel } from "../lib/voice-panel.ts";
import type { SignalingError } from "../rtc/signaling.ts";
import { type LinkStats, rateQuality } from "../rtc/stats.ts";
import {
  type CustomerEnd,
  type CustomerNotice,
  CustomerSession,
  type CustomerSessionOptions,
  type CustomerView,
} from "./CustomerSession.ts";
import { captureMode, showCaptureMode } from "./camera.ts";
import { renderColleagues } from "./colleagues-panel.ts";
import type { KeepOnTop } from "./keep-on-top.ts";
import { renderRecording, wireRecording } from "./recording-consent.ts";
import { renderTabZoom, wireTabZoom } from "./surface-control-bar.ts";

// The customer's consent screen, verification code, session bar and end screen, shared by the link page (/j/CODE)
// and the home page's "Get help". The markup is one file, ./screens.html, which the build inlines into both pages.
// Every sentence these screens show comes from the catalogue (i18n/catalogues/), in the page's language.

const consent = byId("consent");
const verificationSection = byId("verification");
const verificationActions = byId("verification-actions");
const bar = byId("sharing");
const endedSection = byId("ended");
const allow = byId("allow", HTMLButtonElement);
const allowCamera = byId("allow-camera", HTMLButtonElement);
const decline = byId("decline", HTMLButtonElement);
const codeMatches = byId("code-matches", HTMLButtonElement);
const codeDiffers = byId("code-differs", HTMLButtonElement);
const pause = byId("pause", HTMLButtonElement);
const switchSource = byId("switch", HTMLButtonElement);
const switchCamera = byId("switch-camera", HTMLButtonElement);
const torch = byId("torch", HTMLButtonElement);
const stop = byId("stop", HTMLButtonElement);
const end = byId("end", HTMLButtonElement);
const preview = byId("preview", HTMLVideoElement);
// The bar's lines, held here: the bar may move into an always-on-top window, out of this document.
const sharingSummaryLine = byId("sharing-summary");
const barPresence = byId("bar-presence");
const othersLine = byId("others");
const connection = byId("connection");
const allowedLine = byId("allowed");
const expiryWarning = byId("expiry-warning");
const agentOffer = byId("agent-offer");
const agentLink = byId("agent-link", HTMLAnchorElement);

/** The catalogue's text for these screens, in the page's language. */
const T = customerText;

/** A refusal in the customer's own words where the catalogue has them, else the code's common text. */
function refusalText(code: SignalingError["code"]): string {
  const refused: Partial<Record<string, string>> = T().refused;
  return refused[code] ?? errorText({ code });
}

/** The sentence for how the session ended. */
function endText(ended: CustomerEnd): string {
  switch (ended.reason) {
    case "ended_by_customer":
      return ended.hasShared ? T().ended.ended_by_customer : T().ended.declined;
    case "refused":
      return refusalText(ended.code);
    default:
      return T().ended[ended.reason];
  }
}

/** Whether the session goes on without this page: another browser or tab holds its seat. */
function isElsewhere(ended: CustomerEnd): boolean {
  return ended.reason === "refused" && (ended.code === "SEAT_TAKEN" || ended.code === "REPLACED");
}

/** Whether an end is a failure, shown as one. A session open elsewhere is not: it goes on, in the other window. */
function isErrorEnd(ended: CustomerEnd): boolean {
  if (isElsewhere(ended)) return false;
  return ended.reason === "refused" || ended.reason === "intercepted" || ended.reason === "unsupported";
}

/** A notice's sentence, and whether it reports a problem. */
function noticeText(notice: CustomerNotice): { text: string; isError: boolean } {
  switch (notice.code) {
    case "pickerClosed":
    case "captureFailed":
    case "cameraDenied":
    case "cameraFailed":
      return { text: T().notice[notice.code], isError: true };
    case "stoppedFromBrowser":
      return { text: T().notice.stoppedFromBrowser, isError: false };
    case "resumed":
      return { text: T().notice.resumed, isError: false };
    case "handshakeFailed":
      return { text: T().notice.handshakeFailed, isError: true };
    case "noRelay":
      return { text: T().notice.noRelay(errorText({ code: notice.error })), isError: true };
    case "throttled":
      return { text: T().notice.throttled(notice.failures), isError: true };
    case "server":
      return { text: errorText({ code: notice.error }), isError: true };
  }
}

function technicianLabel(view: CustomerView): string {
  if (!view.technician) return T().yourTechnician;
  return T().technicianLabel(view.technician.name, view.technician.organisation);
}

/** "Connection: direct · good quality · 12 ms round trip". */
function describeConnection(stats: LinkStats): string {
  const rtt = stats.rttMs === null ? null : formatUnit(stats.rttMs, "millisecond");
  return T().linkStats(stats.route, rateQuality(stats), rtt);
}

/** Where the technician who may see the screen is, in a sentence. */
function presence(view: CustomerView): string {
  const name = view.technician?.name ?? T().yourTechnician;
  const owner = view.owner;
  if (!owner) return T().notJoined(name);
  if (!owner.connected) return T().lostConnection(name, view.ownerRejoinBy ? formatClock(view.ownerRejoinBy) : null);
  return T().connected(name);
}

function sharingSummary(view: CustomerView): string {
  const who = technicianLabel(view);
  switch (view.sharing) {
    case "live":
      // While the picture may still be flowing, say so: better to overstate what is seen than understate it.
      return view.owner?.connected || view.link === "connected" ? T().sharingLive(who) : T().sharingBeforeConnect(who);
    case "paused":
      return T().paused(who);
    case "stopped":
      return T().notSharing(who);
  }
}

function connectionLine(view: CustomerView): string {
  if (view.signaling === "reconnecting") return T().reconnecting;
  if (!view.owner?.connected || view.link === null) return "";
  if (view.relayFailure && view.link !== "connected") return T().relayFailed;
  if (view.link === "connecting") return T().linkConnecting;
  if (view.link === "reconnecting") return T().linkReconnecting;
  if (view.link === "closed") return T().linkClosed;
  return view.stats ? describeConnection(view.stats) : T().linkConnected;
}

/** "Tess Tech from Acme", with the name and organisation where the language puts them. */
function placeTechnician(): void {
  const slots: Record<string, HTMLElement> = {
    "{name}": byId("technician-name"),
    "{organisation}": byId("organisation"),
  };
  const parts = T().technicianFrom.split(/(\{name\}|\{organisation\})/);
  byId("technician-from").replaceChildren(...parts.filter(Boolean).map((part) => slots[part] ?? part));
}

/** The last view drawn: drawn again in a new language. */
let lastView: CustomerView | null = null;
/** The chat with the technician, once the session has started. */
let chat: ChatPanel | null = null;
/** Voice both ways, once the session has started. */
let voice: VoicePanel | null = null;
/** Files both ways, once the session has started. */
let files: FilePanel | null = null;
const filesSection = byId("files-section");
/** The session panel's always-on-top window, once the session has started. */
let onTop: KeepOnTop | null = null;
const onTopButton = byId("keep-on-top", HTMLButtonElement);
const onTopMissing = byId("keep-on-top-missing");
const chatSection = byId("chat-section");

/** Whether the verification code is on screen (not hidden, nor only holding its place). */
function isCodeShown(): boolean {
  return !verificationSection.hidden && !verificationSection.classList.contains("pending");
}

/**
 * Takes the keyboard focus to what has just appeared: the consent (or the verification code above it, once it shows
 * and the person has not moved on), the session bar after Allow, the ending; never away from where they are working.
 */
function moveFocus(view: CustomerView, previous: CustomerView | null, wasCodeShown: boolean): void {
  const consentTitle = byId("consent-title");
  if (view.phase !== previous?.phase) {
    if (view.phase === "asking") (isCodeShown() ? byId("verification-title") : consentTitle).focus();
    else if (view.phase === "sharing") bar.focus();
    else if (view.phase === "ended") byId("ended-title").focus();
    return;
  }
  // The code comes while the person reads the consent, perhaps scrolled down to Allow: focus (and a screen reader)
  // goes to it, but the page does not scroll away from under their pointer.
  if (view.phase === "asking" && !wasCodeShown && isCodeShown() && isFocusIdle(consentTitle)) {
    byId("verification-title").focus({ preventScroll: true });
  }
}

function render(view: CustomerView, isRedraw = false): void {
  const previous = lastView;
  const wasCodeShown = isCodeShown();
  lastView = view;
  consent.hidden = view.phase !== "asking";
  // The first view: the consent screen up, its buttons wired (`npm run bench` reads the mark for
  // customer_first_view_slow_ms).
  if (!consent.hidden && performance.getEntriesByName(CONSENT_SHOWN).length === 0) performance.mark(CONSENT_SHOWN);
  bar.hidden = view.phase !== "sharing";
  endedSection.hidden = view.phase !== "ended";
  chatSection.hidden = view.phase !== "sharing";
  chat?.render(view.chat, view.unread, view.link === "connected");
  voice?.hear(view.phase === "sharing" ? view.voice : null);
  filesSection.hidden = view.phase !== "sharing";
  files?.render(view.files, view.link === "connected");
  if (onTop) {
    if (view.phase === "ended") onTop.close();
    onTopButton.hidden = !onTop.isSupported;
    onTopMissing.hidden = onTop.isSupported;
    setText(onTopButton, onTop.isOpen ? T().keepOnTop.close : T().keepOnTop.open);
    onTopButton.setAttribute("aria-pressed", String(onTop.isOpen));
  }
  const verification = view.phase === "ended" ? null : view.verification;
  // On the consent screen the code's place is kept, saying the code is coming, until it comes: nothing there moves
  // when it does, least of all the Allow button on its way under the person's pointer.
  const isCodePending = view.phase === "asking" && verification === null;
  verificationSection.hidden = verification === null && !isCodePending;
  verificationSection.classList.toggle("pending", isCodePending);
  verificationActions.hidden = verification?.isMatched ?? !isCodePending;
  setText(byId("verification-code"), verification?.code ?? (isCodePending ? "…" : ""));
  setText(byId("verification-hint"), verification?.isMatched ? T().codeMatched : T().codeToCheck);
  setText(byId("verification-waiting"), T().codeWaiting);

  setText(byId("technician-name"), view.technician?.name ?? "");
  setText(byId("organisation"), view.technician?.organisation ?? "");
  setText(byId("technician-presence"), presence(view));
  setText(byId("session-code"), groupCode(view.code));
  setText(byId("case-number"), view.caseNumber ?? T().noCaseNumber);
  setText(byId("expires"), view.expiresAt ? formatTime(view.expiresAt) : "");

  setText(sharingSummaryLine, sharingSummary(view));
  setText(barPresence, presence(view));
  setText(othersLine, view.others.length > 0 ? T().others(view.others.map((p) => p.name ?? T().aTechnician)) : "");
  setText(connection, connectionLine(view));
  // What the customer allowed and has not taken back; each is withdrawn where it is shown (Stop sharing, the microphone).
  setText(allowedLine, T().allowed({ isViewing: view.sharing === "live", isHearing: view.isMicOn }));
  // The last minutes of the session's lifetime: said once, in the bar the person keeps in view.
  setText(expiryWarning, view.isExpiring && view.expiresAt !== null ? T().expiring(formatTime(view.expiresAt)) : "");
  expiryWarning.hidden = !view.isExpiring;
  agentOffer.hidden = !view.isControlAsked;
  pause.hidden = view.sharing === "stopped";
  setText(pause, view.sharing === "paused" ? T().resume : T().pause);
  stop.hidden = view.sharing === "stopped";
  setText(switchSource, view.sharing === "stopped" ? T().shareAgain : T().shareSomethingElse);
  // A phone shares its camera: there is nothing else to pick, but another camera to switch to (when it has two).
  const isCamera = view.capture === "camera";
  switchSource.hidden = isCamera && view.sharing !== "stopped";
  // Not while paused: the other camera would start sending.
  switchCamera.hidden = !isCamera || view.sharing !== "live" || view.cameras < 2;
  torch.hidden = !view.hasTorch || view.sharing === "stopped";
  torch.setAttribute("aria-pressed", String(view.isTorchOn));
  const shown = preview.srcObject instanceof MediaStream ? (preview.srcObject.getVideoTracks()[0] ?? null) : null;
  if (shown !== view.track) preview.srcObject = view.track ? new MediaStream([view.track]) : null;
  preview.hidden = view.track === null;

  renderRecording(view);
  renderTabZoom();
  // The end screen's sentence is its status message: a screen reader hears why the session ended once, after the
  // heading that takes the focus names the end; the page's status line does not say it again.
  const endedReason = byId("ended-reason");
  setText(endedReason, view.ended ? endText(view.ended) : "");
  endedReason.classList.toggle("error", view.ended !== null && isErrorEnd(view.ended));
  // Not "Session ended" over a session that goes on in someone's other window.
  setText(byId("ended-title"), view.ended && isElsewhere(view.ended) ? T().elsewhereTitle : T().markup["ended.title"]);
  if (!isRedraw) moveFocus(view, previous, wasCodeShown);
  // The status line follows the session's notice when it changes (or the language does), and is cleared at the end,
  // so that what the panels announce in between (a chat refusal, Copied) is not wiped by the next redraw of figures.
  if (view.notice === announced.notice && view.ended === announced.ended && !isRedraw) return;
  announced.notice = view.notice;
  announced.ended = view.ended;
  if (view.notice) {
    const { text, isError } = noticeText(view.notice);
    announce(text, isError);
  } else {
    announce("");
  }
}

/** The performance mark of the consent screen's first showing. */
const CONSENT_SHOWN = "tether:consent-shown";

/** The notice the status line says now, and the end it was last cleared for. */
const announced: { notice: CustomerView["notice"] | undefined; ended: CustomerView["ended"] | undefined } = {
  notice: undefined,
  ended: undefined,
};

/** Starts the customer's side of a session on this page and wires its buttons. */
export function startCustomerSession(
  options: CustomerSessionOptions,
  onChange?: (view: CustomerView) => void,
): CustomerSession {
  // What this browser can share, told by the feature itself: a phone's page says at once that it offers the camera.
  const capture = captureMode();
  showCaptureMode(capture);
  const customer: CustomerSession = new CustomerSession({ capture, ...options }, (view) => {
    render(view);
    renderColleagues(view, customer);
    onChange?.(view);
  });
  // One picker at a time: a second click while the browser's picker is open does nothing.
  allow.addEventListener("click", () => void whileBusy(allow, () => customer.allow()));
  allowCamera.addEventListener("click", () => void whileBusy(allowCamera, () => customer.allow()));
  switchCamera.addEventListener("click", () => void whileBusy(switchCamera, () => customer.switchCamera()));
  torch.addEventListener("click", () => void whileBusy(torch, () => customer.setTorch(!lastView?.isTorchOn)));
  decline.addEventListener("click", () => customer.decline());
  codeMatches.addEventListener("click", () => {
    customer.confirmCode();
    // The buttons went away with the check: the next step is the decision.
    if (!consent.hidden) (allow.hidden ? allowCamera : allow).focus();
  });
  codeDiffers.addEventListener("click", () => customer.rejectCode());
  pause.addEventListener("click", () => void (lastView?.sharing === "paused" ? customer.resume() : customer.pause()));
  switchSource.addEventListener("click", () => void whileBusy(switchSource, () => customer.switchSource()));
  stop.addEventListener("click", () => {
    customer.stopSharing();
    // Stop sharing went away with the sharing: the focus goes to what undoes it, Share again.
    switchSource.focus();
  });
  end.addEventListener("click", () => customer.end());
  // The agent's page (/agent) makes the command that starts the agent in this page's seat: it gets the session's code,
  // its link secret and the seat's token in its fragment, which no server sees. Made at the click, as the token changes
  // with every reconnection. A Get-help page has no link secret to give: the agent's page says what to do instead.
  agentLink.addEventListener("click", () => {
    const secret = linkSecretOf(options.code);
    const token = customer.seatToken;
    agentLink.hash = secret && token ? [options.code, secret, token].join(".") : options.code;
  });
  wireRecording(customer);
  wireTabZoom(customer);
  onLanguageChange(() => {
    placeTechnician();
    voice?.redraw();
    if (lastView) render(lastView, true);
    if (lastView) renderColleagues(lastView, customer, true);
  });
  placeTechnician();
  // Closing the tab ends the session once anything was shared, and stops every track at once.
  addEventListener("pagehide", () => customer.leave());
  customer.start();
  // After the first view, not before it: the panels of a session under way (./session-panels.ts, in the chunk
  // ./later.ts).
  void import("./later.ts").then(({ sessionPanels }) => {
    ({ chat, voice, files, onTop } = sessionPanels(customer, () => lastView && render(lastView)));
    if (lastView) render(lastView);
  });
  return customer;
}
