import { machineFingerprint } from "#protocol/machines.ts";
import { normalisePassword, prsOfPassword } from "../../../core/password.ts";
import { formatClock, formatNumber, formatTime, formatUnit } from "../i18n/format.ts";
import { commonText, onLanguageChange, technicianText } from "../i18n/page.ts";
import { chatPanel } from "../lib/chat-panel.ts";
import { announce, byId, setText } from "../lib/dom.ts";
import { technicianErrorText } from "../lib/errors.ts";
import { filePanel } from "../lib/file-panel.ts";
import { groupCode } from "../lib/session-code.ts";
import { voicePanel } from "../lib/voice-panel.ts";
import { rateQuality } from "../rtc/stats.ts";
import { annotate, drawColourChoices, redrawAnnotations, showRemoteControl } from "./annotate.ts";
import { colleagueInvite } from "./colleague-invite.ts";
import { viewerRecording } from "./recording.ts";
import { viewerScreens } from "./screens.ts";
import { viewerTabZoom } from "./surface-control.ts";
import { type TechnicianSecret, TechnicianSession, type ViewerEnd, type ViewerState } from "./TechnicianSession.ts";
import { pinchZoom } from "./zoom.ts";

// The technician's viewer, inside the console page at /console#view=CODE: the check that the customer's page holds
// the session's secret (and the password form when it is the customer's to read out), the verification code, the
// customer's screen (fit or 1:1, full screen), what the customer is doing, and the connection's figures, live. Every
// sentence it shows comes from the catalogue (i18n/catalogues/), in the page's language.

const viewer = byId("viewer");
const stage = byId("stage");
const video = byId("remote-screen", HTMLVideoElement);
const overlay = byId("overlay");
const actualSize = byId("actual-size", HTMLButtonElement);
const fullScreen = byId("full-screen", HTMLButtonElement);
const endButton = byId("viewer-end", HTMLButtonElement);
const extendButton = byId("viewer-extend", HTMLButtonElement);
const secretForm = byId("viewer-secret", HTMLFormElement);
const passwordField = byId("viewer-password-field");
const passwordInput = byId("viewer-password", HTMLInputElement);
const connectButton = byId("viewer-connect", HTMLButtonElement);
const verificationSection = byId("viewer-verification");
const askControlButton = byId("tool-ask-control", HTMLButtonElement);
const controlAsked = byId("viewer-control-asked");
const verificationActions = byId("viewer-verification-actions");
const codeMatches = byId("viewer-code-matches", HTMLButtonElement);
const codeDiffers = byId("viewer-code-differs", HTMLButtonElement);

/** The catalogue's text for the viewer, in the page's language. */
const T = () => technicianText().viewer;

/** The sentence for how the session ended (`isMachine`: a session with an enrolled machine). */
function endText(ended: ViewerEnd, isMachine: boolean): string {
  if (isMachine) {
    // Nobody at a machine declines: its agent admits its technicians, so an end before any sharing is the machine's.
    const machineEnds: Partial<Record<string, string>> = T().machine.ended;
    const text = machineEnds[ended.reason === "declined" ? "ended_by_customer" : ended.reason];
    if (text) return text;
  }
  if (ended.reason !== "refused") return T().ended[ended.reason];
  const refused: Partial<Record<string, string>> = T().refused;
  return refused[ended.code] ?? technicianErrorText(ended);
}

function customerLine(state: ViewerState): string {
  const customer = state.customer;
  if (state.ended) return endText(state.ended, state.secretKind === "machine");
  if (state.secretKind === "machine") return machineLine(state);
  if (!customer) return T().customer.notYet;
  if (!customer.connected)
    return T().customer.lost(state.customerRejoinBy ? formatClock(state.customerRejoinBy) : null);
  switch (state.sharing) {
    case null:
      return T().customer.deciding;
    case "live":
      return state.remoteControl
        ? T().customer.sharingControl(T().surface[state.surface])
        : T().customer.sharing(T().surface[state.surface]);
    case "paused":
      return T().customer.paused;
    case "stopped":
      return T().customer.stopped;
  }
}

/** The customer line of a session with an enrolled machine: its agent, and whoever may be at it. */
function machineLine(state: ViewerState): string {
  const words = T().machine;
  if (!state.customer) return isMachineBusy ? words.busy : words.notYet;
  if (!state.customer.connected) return words.lost(state.customerRejoinBy ? formatClock(state.customerRejoinBy) : null);
  switch (state.sharing) {
    case null:
      return words.starting;
    case "live":
      return state.remoteControl ? words.sharingControl : words.sharing;
    case "paused":
      return words.paused;
    case "stopped":
      return words.stopped;
  }
}

/** What the handshake asks of the technician or tells them, while there is no confirmed check; "" once there is. */
function checkText(state: ViewerState): string {
  const check = state.check;
  switch (check.step) {
    case "needsPassword":
      return check.isWrong ? T().check.wrongPassword : T().check.needsPassword;
    case "running":
      return state.secretKind === "machine" ? T().check.machineRunning : T().check.running;
    case "waiting":
      return T().check.waiting(formatUnit(check.waitS, "second", true));
    case "failed":
      if (state.secretKind === "machine") return T().check.machineFailed;
      return check.isRefused ? T().check.refused : T().check.failed;
    case "idle":
    case "confirmed":
      return "";
  }
}

/**
 * What covers the picture, if anything: why there is nothing (new) to see; and whether the customer line already says
 * it (the end, a pause, a customer not there or still deciding), so that a screen reader is not told it twice.
 */
function overlayText(state: ViewerState): { text: string; isSaidByCustomerLine: boolean } {
  const own = (text: string) => ({ text, isSaidByCustomerLine: false });
  const repeated = (text: string) => ({ text, isSaidByCustomerLine: true });
  if (state.ended?.reason === "intercepted") return repeated(T().overlay.intercepted);
  if (state.ended) return repeated(state.ended.reason === "declined" ? T().overlay.declined : T().overlay.ended);
  if (state.signaling === "reconnecting" && state.link !== "connected") return own(T().overlay.signalingLost);
  const isMachine = state.secretKind === "machine";
  if (!state.customer) return repeated(isMachine ? T().machine.waiting : T().overlay.waitingForCustomer);
  const check = checkText(state);
  if (check !== "" && state.link !== "connected") return own(check);
  if (state.sharing === "paused") return repeated(isMachine ? T().machine.paused : T().overlay.paused);
  if (state.sharing === "stopped") return repeated(isMachine ? T().machine.stopped : T().overlay.stopped);
  if (state.relayFailure && state.link !== "connected") return own(T().relayFailure[state.relayFailure]);
  if (state.link === "reconnecting") return own(T().overlay.reconnecting);
  if (!state.customer.connected && state.link !== "connected") {
    return repeated(isMachine ? T().machine.lost(null) : T().overlay.customerLost);
  }
  if (!state.stream || state.sharing === null) {
    if (isMachine) return repeated(T().machine.waitingForScreen);
    return repeated(state.customer.capture === "camera" ? T().overlay.waitingForCamera : T().overlay.waitingForAllow);
  }
  return own("");
}

function relayLine(state: ViewerState): string {
  const setting = state.relay;
  if (setting === null) return commonText().none;
  if (setting.relay === "none") return T().relay.none;
  const name = T().relay[setting.relay];
  return setting.isForced ? T().relay.forced(name) : T().relay.fallback(name);
}

function routeLine(state: ViewerState): string {
  if (state.link === "connected") {
    const stats = state.stats;
    if (stats?.route === "relayed") {
      return stats.relayProtocol ? T().route.relayedOver(stats.relayProtocol) : T().route.relayed;
    }
    return stats?.route === "direct" ? T().route.direct : T().route.connected;
  }
  if (state.relayFailure) return T().route.noRelay;
  if (state.link === "reconnecting") return T().route.reconnecting;
  return state.link === "connecting" ? T().route.connecting : T().route.none;
}

function show(id: string, text: string): void {
  setText(byId(id), text);
}

/** The form that asks for the customer's password, or offers another try; shown only when the check needs it. */
function renderSecretForm(state: ViewerState): void {
  const step = state.check.step;
  const isAsking = state.ended === null && (step === "needsPassword" || step === "failed");
  const isLink = state.secretKind === "link" || state.secretKind === "machine";
  const isAppearing = isAsking && secretForm.hidden;
  secretForm.hidden = !isAsking;
  passwordField.hidden = isLink;
  // The form is the technician's next step: the keyboard goes there when it appears.
  if (isAppearing) (isLink ? connectButton : passwordInput).focus();
  setText(connectButton, step === "failed" ? T().check.tryAgain : T().check.connect);
  const hint =
    state.secretKind === "machine" ? T().check.machineHint : isLink ? T().check.linkHint : T().check.passwordHint;
  show("viewer-secret-hint", state.secretKind === null ? `${hint} ${T().check.noLinkSecret}` : hint);
}

function renderVerification(state: ViewerState): void {
  const verification = state.ended ? null : state.verification;
  verificationSection.hidden = verification === null;
  verificationActions.hidden = verification?.isMatched ?? true;
  // A machine has no one to compare words with: the key it proved is shown instead, as the console showed it.
  const machine = state.secretKind === "machine" ? shownMachine : null;
  show("viewer-verification-code", machine ?? verification?.code ?? "");
  const hint = verification?.isMatched ? T().verification.matched : T().verification.toCheck;
  show("viewer-verification-hint", machine ? T().verification.machine : hint);
}

/** When the session ends; in its last minutes a warning, and Extend while the admin's limit allows. */
function renderExpiry(state: ViewerState): void {
  const at = state.expiresAt === null || state.ended ? null : formatTime(state.expiresAt);
  const line = byId("viewer-expiry");
  setText(line, at === null ? "" : state.isExpiring ? T().expiry.soon(at, state.canExtend) : T().expiry.at(at));
  line.className = state.isExpiring && at !== null ? "warning" : "hint";
  const hadFocus = document.activeElement === extendButton;
  extendButton.hidden = at === null || !state.isExpiring || !state.canExtend;
  setText(extendButton, T().expiry.extend);
  // Extend went away with the warning: the keyboard goes on from the next of the viewer's buttons, not from the top.
  if (hadFocus && extendButton.hidden) actualSize.focus();
}

/** What renderStatus last put in the live region ("" if nothing). */
let shownStatus = "";

/**
 * The page's live region: a password the form could not read, or what the room or the relay reported. The rest is
 * announced where it shows: the customer line and the overlay are live regions of their own.
 */
function renderStatus(state: ViewerState, formError: string): void {
  const notice = state.ended ? null : state.notice;
  if (formError !== "") shownStatus = formError;
  else if (notice) {
    shownStatus =
      notice.code === "noRelay"
        ? T().noRelay(technicianErrorText({ code: notice.error }))
        : technicianErrorText({ code: notice.error });
  } else {
    // Only what this function put there goes: what another part said (the recording's failure) stays to be read,
    // rather than being wiped by the next render, which comes at least once a second with the connection's figures.
    if (shownStatus !== "" && byId("status").textContent === shownStatus) announce("");
    shownStatus = "";
    return;
  }
  announce(shownStatus, true);
}

function render(state: ViewerState, formError: string): void {
  show("viewer-code", groupCode(state.code));
  // Live regions: written only when their text changes, so that each change is spoken once.
  setText(byId("viewer-customer"), customerLine(state));
  // Told as soon as the customer's page is in the room, before Allow: a phone can show its camera, not its screen.
  const capture = byId("viewer-capture");
  capture.hidden = state.ended !== null || state.customer?.capture !== "camera";
  setText(capture, capture.hidden ? "" : T().customer.cameraOnly);
  if (video.srcObject !== state.stream) video.srcObject = state.stream;
  showRemoteControl(state.ended === null ? state.remoteControl : false);
  // A customer's page shares but cannot be controlled: the technician may ask, and the page offers the native agent.
  askControlButton.hidden =
    state.ended !== null || state.link !== "connected" || state.sharing !== "live" || state.remoteControl !== null;
  askControlButton.disabled = state.isControlAsked;
  setText(controlAsked, !askControlButton.hidden && state.isControlAsked ? T().askControl.asked : "");
  const { text: cover, isSaidByCustomerLine } = overlayText(state);
  overlay.setAttribute("aria-live", isSaidByCustomerLine ? "off" : "polite");
  setText(overlay, cover);
  overlay.hidden = cover === "";
  stage.classList.toggle("is-covered", cover !== "");
  endButton.disabled = state.ended !== null;
  // Only the owner ends the session; a colleague leaves it (Back to console).
  endButton.hidden = state.isOwner === false && state.secretKind === "link";
  renderExpiry(state);
  renderSecretForm(state);
  renderVerification(state);
  renderStatus(state, formError);
  chatSection.hidden = state.ended !== null || state.link === null;
  chat.render(state.chat, state.unread, state.link === "connected");
  voice.hear(state.ended === null ? state.voice : null);
  // A colleague watches and reads along: the customer's page takes nothing from them (the owner works with the
  // customer), so what would go nowhere is not offered.
  const isColleague = state.isOwner === false;
  byId("viewer-tools").hidden = isColleague;
  byId("viewer-chat-colleague").hidden = !isColleague;
  byId("viewer-chat-form").hidden = isColleague;
  byId("viewer-chat-mic").hidden = isColleague;
  filesSection.hidden = chatSection.hidden || isColleague;
  files.render(state.files, state.link === "connected");

  const stats = state.link === "connected" ? state.stats : null;
  show("stat-route", routeLine(state));
  show("stat-relay", relayLine(state));
  const quality = stats ? rateQuality(stats) : null;
  const none = commonText().none;
  show("stat-quality", quality ? T().quality[quality] : none);
  show("stat-rtt", stats?.rttMs == null ? none : formatUnit(stats.rttMs, "millisecond"));
  show("stat-fps", stats?.fps == null ? none : formatNumber(Math.round(stats.fps)));
  show("stat-bitrate", stats?.kbps == null ? none : T().bitrate(formatNumber(stats.kbps)));
  show("stat-resolution", stats?.width && stats.height ? `${stats.width} × ${stats.height}` : none);
  show("stat-codec", stats?.codec ?? none);
  show("stat-restarts", formatNumber(state.iceRestarts));
}

/** The session the viewer shows now, for its chat panel. */
let current: TechnicianSession | null = null;
const chatSection = byId("viewer-chat-section");
const chat = chatPanel("viewer-chat", () => ({ ...commonText().chat, ...technicianText().chat }), {
  say: (text, isClipboard) => current?.say(text, isClipboard) ?? "empty",
  markRead: () => current?.markChatRead(),
});
const voice = voicePanel("viewer-chat", () => ({ ...commonText().voice, ...technicianText().voice }), {
  setMicrophone: async (isOn) => (await current?.setMicrophone(isOn)) ?? false,
});
const filesSection = byId("viewer-files-section");
const files = filePanel("viewer-files", () => ({ ...commonText().files, ...technicianText().files }), {
  offer: (file) => current?.offerFile(file) ?? "empty",
  accept: (id) => current?.files.accept(id),
  refuse: (id) => current?.files.refuse(id),
  cancel: (id) => current?.files.cancel(id),
  received: (id) => current?.files.received(id) ?? null,
  maxBytes: () => current?.files.maxBytes() ?? 0,
});

/** The key of the machine the viewer shows, as people compare it (machineFingerprint); null for a customer's session. */
let shownMachine: string | null = null;
/** The machine was busy with another session as the viewer opened (MachineSummary.isBusy): this one waits for it. */
let isMachineBusy = false;

/**
 * Opens the viewer for session `code` in place of the console, proving `secret` (if known); returns how to close it.
 * `isMachineBusy`: a session with an enrolled machine that was busy as the viewer read the machines.
 */
export function openViewer(
  code: string,
  secret: TechnicianSecret | null,
  { isMachineBusy: isBusy = false }: { isMachineBusy?: boolean } = {},
): () => void {
  shownMachine = secret?.kind === "machine" && secret.machine ? machineFingerprint(secret.machine.id) : null;
  isMachineBusy = secret?.kind === "machine" && isBusy;
  viewer.hidden = false;
  secretForm.reset();
  let latest: ViewerState | null = null;
  /** Whether the password typed last could not be read as one: said in the live region until the next try. */
  let isBadPassword = false;
  const draw = () => {
    if (latest) render(latest, isBadPassword ? T().check.badPassword : "");
  };
  let recording: ReturnType<typeof viewerRecording> | null = null;
  let tabZoom: ReturnType<typeof viewerTabZoom> | null = null;
  let screens: ReturnType<typeof viewerScreens> | null = null;
  let colleagues: ReturnType<typeof colleagueInvite> | null = null;
  const session = new TechnicianSession(code, secret, (state) => {
    latest = state;
    draw();
    recording?.update(state);
    tabZoom?.update(state);
    screens?.update(state);
    colleagues?.update(state);
  });
  recording = viewerRecording(code, session);
  tabZoom = viewerTabZoom(session);
  screens = viewerScreens(session);
  colleagues = colleagueInvite(code, session);
  session.onAnnotations = () => redrawAnnotations();
  current = session;
  annotate(session);
  drawColourChoices();
  const onPageHide = () => session.leave();
  addEventListener("pagehide", onPageHide);
  const onEnd = () => session.end();
  endButton.addEventListener("click", onEnd);
  const onExtend = () => session.extend();
  extendButton.addEventListener("click", onExtend);
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const typed = passwordInput.value.trim();
    // Try again with the secret in hand: a link's, or (with the field left empty) the password last typed.
    if (latest?.secretKind === "link" || (typed === "" && latest?.check.step === "failed")) {
      isBadPassword = false;
      session.retry();
      return draw();
    }
    const password = normalisePassword(typed);
    isBadPassword = !password;
    if (password) {
      secretForm.reset();
      session.retry({ kind: "password", prs: prsOfPassword(password) });
    }
    draw();
  };
  secretForm.addEventListener("submit", onSubmit);
  const onMatches = () => session.confirmCode();
  const onDiffers = () => session.rejectCode();
  codeMatches.addEventListener("click", onMatches);
  codeDiffers.addEventListener("click", onDiffers);
  const stopRedrawing = onLanguageChange(() => {
    voice.redraw();
    colleagues?.redraw();
    draw();
    drawColourChoices();
  });
  session.start();
  return () => {
    stopRedrawing();
    removeEventListener("pagehide", onPageHide);
    endButton.removeEventListener("click", onEnd);
    extendButton.removeEventListener("click", onExtend);
    secretForm.removeEventListener("submit", onSubmit);
    codeMatches.removeEventListener("click", onMatches);
    codeDiffers.removeEventListener("click", onDiffers);
    recording?.close();
    tabZoom?.close();
    screens?.close();
    colleagues?.close();
    session.leave();
    current = null;
    annotate(null);
    chat.render([], 0, false);
    files.render([], false);
    voice.hear(null);
    video.srcObject = null;
    zoom.reset();
    viewer.hidden = true;
    announce("");
  };
}

// Fit scales the picture into the resizable stage; 1:1 shows it pixel for pixel, scrolling within the stage.
actualSize.addEventListener("click", () => {
  const isActual = actualSize.getAttribute("aria-pressed") !== "true";
  actualSize.setAttribute("aria-pressed", String(isActual));
  stage.classList.toggle("is-actual-size", isActual);
  redrawAnnotations();
});

// Fingers on a tablet pinch and pan the picture, the keyboard zooms it (+ − 0 on the stage, or the buttons); the
// annotations are transformed with it, so they stay on the picture.
const zoom = pinchZoom(stage, [video, byId("remote-annotations", HTMLCanvasElement)], () => redrawAnnotations());
askControlButton.addEventListener("click", () => current?.askControl());
byId("zoom-in", HTMLButtonElement).addEventListener("click", () => zoom.zoomIn());
byId("zoom-out", HTMLButtonElement).addEventListener("click", () => zoom.zoomOut());
byId("zoom-reset", HTMLButtonElement).addEventListener("click", () => zoom.reset());

fullScreen.addEventListener("click", () => {
  if (document.fullscreenElement) void document.exitFullscreen();
  else void stage.requestFullscreen().catch(() => undefined);
});

// The picture moves or resizes (the stage is resizable, the stream's size changes): the annotations follow it.
new ResizeObserver(() => redrawAnnotations()).observe(video);
