import { normalisePassword, prsOfPassword } from "../../../core/password.ts";
import { announce, byId, formatClock } from "../lib/dom.ts";
import { groupCode } from "../lib/session-code.ts";
import { rateQuality } from "../rtc/stats.ts";
import { type TechnicianSecret, TechnicianSession, type ViewerEnd, type ViewerState } from "./TechnicianSession.ts";

// The technician's viewer, inside the console page at /console#view=CODE: the check that the customer's page holds
// the session's secret (and the password form when it is the customer's to read out), the verification code, the
// customer's screen (fit or 1:1, full screen), what the customer is doing, and the connection's figures, live. Every
// sentence it shows is in TEXT below (or built from it), so a translation has one place to go.

const viewer = byId("viewer", HTMLElement);
const stage = byId("stage", HTMLElement);
const video = byId("remote-screen", HTMLVideoElement);
const overlay = byId("overlay", HTMLElement);
const actualSize = byId("actual-size", HTMLButtonElement);
const fullScreen = byId("full-screen", HTMLButtonElement);
const endButton = byId("viewer-end", HTMLButtonElement);
const secretForm = byId("viewer-secret", HTMLFormElement);
const passwordField = byId("viewer-password-field", HTMLElement);
const passwordInput = byId("viewer-password", HTMLInputElement);
const connectButton = byId("viewer-connect", HTMLButtonElement);
const verificationSection = byId("viewer-verification", HTMLElement);
const verificationActions = byId("viewer-verification-actions", HTMLElement);
const codeMatches = byId("viewer-code-matches", HTMLButtonElement);
const codeDiffers = byId("viewer-code-differs", HTMLButtonElement);

const TEXT = {
  surface: {
    monitor: "their whole screen",
    window: "a window",
    browser: "a browser tab",
    unknown: "their screen",
  } as Record<string, string>,
  customer: {
    notYet: "The customer has not opened the session yet.",
    lost: (until: string | null) =>
      until
        ? `The customer lost their connection. They can come back until ${until}.`
        : "The customer lost their connection.",
    deciding: "The customer is connected and deciding whether to allow viewing.",
    sharing: (surface: string) => `The customer is sharing ${surface}. View only.`,
    paused: "The customer paused sharing.",
    stopped: "The customer stopped sharing.",
  },
  overlay: {
    ended: "Session ended.",
    signalingLost: "Connection to Tether lost; reconnecting…",
    waitingForCustomer: "Waiting for the customer…",
    paused: "Paused by the customer.",
    stopped: "The customer stopped sharing.",
    reconnecting: "Connection interrupted; reconnecting…",
    customerLost: "The customer lost their connection.",
    waitingForAllow: "Waiting for the customer to allow viewing…",
    intercepted: "This connection may be intercepted.",
  },
  check: {
    needsPassword: "Type the password the customer reads to you, then Connect.",
    wrongPassword: "The password did not match. Ask the customer to read it again, then type it below.",
    running: "Checking that the customer's page holds this session's secret…",
    waiting: (seconds: number) =>
      `Too many tries for this session: Tether asks to wait ${seconds} s. The next try starts by itself.`,
    refused: "The customer's page did not accept this session's secret, so nothing was connected.",
    failed:
      "The customer's page could not prove this session's secret; someone may be interfering. Nothing was connected.",
    linkHint: "Nothing connects until the customer's page has proved the session's secret.",
    passwordHint:
      "The customer's page shows a three-word password. It never reaches Tether's servers: only their page can check it.",
    noLinkSecret: " A session link's secret is kept only in the browser tab that created the session.",
    connect: "Connect",
    tryAgain: "Try again",
    badPassword: "The password is three words, like maple river owl. Ask the customer again.",
  },
  verification: {
    toCheck: "Read these four words to the customer, or ask them to read theirs. If they differ, click Doesn't match.",
    matched: "You checked: the customer sees the same four words.",
  },
  ended: {
    ended_by_customer: "The customer ended the session.",
    ended_by_technician: "You ended the session.",
    expired: "The session reached its time limit.",
    idle: "The session ended after a period without activity.",
    intercepted:
      "This connection may be intercepted: the customer's end did not show the certificate the handshake proved, so the session has ended. Nothing more is shown. Call the customer and start again with a new session.",
    codeMismatch: "You said the verification code did not match, so the session has ended.",
    unsupported: "This browser cannot make a secure connection. Use a current Chrome, Edge, Firefox or Safari.",
  },
  refused: {
    NOT_OWNER:
      "This session belongs to another technician: the customer's page confirmed them, or they created it. You cannot view it.",
    SESSION_NOT_FOUND: "There is no session with this code.",
    SESSION_ENDED: "This session has ended.",
    REPLACED: "This session was opened in another tab or window.",
  } as Partial<Record<string, string>>,
  noRelay: (message: string) => `No relay servers (${message}); only a direct connection can be tried.`,
  relayFailure: {
    refused: "Could not reach the relay server: it refused this session's credentials. Check TURN_SECRET.",
    unreachable: "Could not reach the relay server. Check TURN_URLS and that the network lets the browser reach it.",
  },
  relay: {
    none: "Off — direct connections only",
    coturn: "coturn",
    cloudflare: "Cloudflare",
    forced: (name: string) => `${name}, for every connection`,
    fallback: (name: string) => `${name}, when a direct path fails`,
  },
  route: {
    relayed: "Relayed",
    relayedOver: (protocol: string) => `Relayed (${protocol.toUpperCase()})`,
    direct: "Direct",
    connected: "Connected",
    noRelay: "Failed: no relay",
    reconnecting: "Reconnecting…",
    connecting: "Connecting…",
    none: "Not connected",
  },
} as const;

/** The sentence for how the session ended. */
function endText(ended: ViewerEnd): string {
  return ended.reason === "refused" ? (TEXT.refused[ended.code] ?? ended.message) : TEXT.ended[ended.reason];
}

function customerLine(state: ViewerState): string {
  const customer = state.customer;
  if (state.ended) return endText(state.ended);
  if (!customer) return TEXT.customer.notYet;
  if (!customer.connected)
    return TEXT.customer.lost(state.customerRejoinBy ? formatClock(state.customerRejoinBy) : null);
  switch (state.sharing) {
    case null:
      return TEXT.customer.deciding;
    case "live":
      return TEXT.customer.sharing(TEXT.surface[state.surface] ?? TEXT.surface.unknown ?? "");
    case "paused":
      return TEXT.customer.paused;
    case "stopped":
      return TEXT.customer.stopped;
  }
}

/** What the handshake asks of the technician or tells them, while there is no confirmed check; "" once there is. */
function checkText(state: ViewerState): string {
  const check = state.check;
  switch (check.step) {
    case "needsPassword":
      return check.isWrong ? TEXT.check.wrongPassword : TEXT.check.needsPassword;
    case "running":
      return TEXT.check.running;
    case "waiting":
      return TEXT.check.waiting(check.waitS);
    case "failed":
      return check.isRefused ? TEXT.check.refused : TEXT.check.failed;
    case "idle":
    case "confirmed":
      return "";
  }
}

/** What covers the picture, if anything: why there is nothing (new) to see. */
function overlayText(state: ViewerState): string {
  if (state.ended) return state.ended.reason === "intercepted" ? TEXT.overlay.intercepted : TEXT.overlay.ended;
  if (state.signaling === "reconnecting" && state.link !== "connected") return TEXT.overlay.signalingLost;
  if (!state.customer) return TEXT.overlay.waitingForCustomer;
  const check = checkText(state);
  if (check !== "" && state.link !== "connected") return check;
  if (state.sharing === "paused") return TEXT.overlay.paused;
  if (state.sharing === "stopped") return TEXT.overlay.stopped;
  if (state.relayFailure && state.link !== "connected") return TEXT.relayFailure[state.relayFailure];
  if (state.link === "reconnecting") return TEXT.overlay.reconnecting;
  if (!state.customer.connected && state.link !== "connected") return TEXT.overlay.customerLost;
  if (!state.stream || state.sharing === null) return TEXT.overlay.waitingForAllow;
  return "";
}

function relayLine(state: ViewerState): string {
  const setting = state.relay;
  if (setting === null) return "–";
  if (setting.relay === "none") return TEXT.relay.none;
  const name = TEXT.relay[setting.relay];
  return setting.isForced ? TEXT.relay.forced(name) : TEXT.relay.fallback(name);
}

function routeLine(state: ViewerState): string {
  if (state.link === "connected") {
    const stats = state.stats;
    if (stats?.route === "relayed") {
      return stats.relayProtocol ? TEXT.route.relayedOver(stats.relayProtocol) : TEXT.route.relayed;
    }
    return stats?.route === "direct" ? TEXT.route.direct : TEXT.route.connected;
  }
  if (state.relayFailure) return TEXT.route.noRelay;
  if (state.link === "reconnecting") return TEXT.route.reconnecting;
  return state.link === "connecting" ? TEXT.route.connecting : TEXT.route.none;
}

function show(id: string, text: string): void {
  byId(id, HTMLElement).textContent = text;
}

/** The form that asks for the customer's password, or offers another try; shown only when the check needs it. */
function renderSecretForm(state: ViewerState): void {
  const step = state.check.step;
  const isAsking = state.ended === null && (step === "needsPassword" || step === "failed");
  const isLink = state.secretKind === "link";
  const isAppearing = isAsking && secretForm.hidden;
  secretForm.hidden = !isAsking;
  passwordField.hidden = isLink;
  // The form is the technician's next step: the keyboard goes there when it appears.
  if (isAppearing) (isLink ? connectButton : passwordInput).focus();
  connectButton.textContent = step === "failed" ? TEXT.check.tryAgain : TEXT.check.connect;
  const hint = isLink ? TEXT.check.linkHint : TEXT.check.passwordHint;
  show("viewer-secret-hint", state.secretKind === null ? hint + TEXT.check.noLinkSecret : hint);
}

function renderVerification(state: ViewerState): void {
  const verification = state.ended ? null : state.verification;
  verificationSection.hidden = verification === null;
  verificationActions.hidden = verification?.isMatched ?? true;
  show("viewer-verification-code", verification?.code ?? "");
  show("viewer-verification-hint", verification?.isMatched ? TEXT.verification.matched : TEXT.verification.toCheck);
}

/**
 * The page's live region: a password the form could not read, or what the room or the relay reported. The rest is
 * announced where it shows: the customer line and the overlay are live regions of their own.
 */
function renderStatus(state: ViewerState, formError: string): void {
  const notice = state.ended ? null : state.notice;
  if (formError !== "") announce(formError, true);
  else if (notice) announce(notice.code === "noRelay" ? TEXT.noRelay(notice.message) : notice.message, true);
  else announce("");
}

function render(state: ViewerState, formError: string): void {
  show("viewer-code", groupCode(state.code));
  show("viewer-customer", customerLine(state));
  if (video.srcObject !== state.stream) video.srcObject = state.stream;
  const cover = overlayText(state);
  overlay.textContent = cover;
  overlay.hidden = cover === "";
  stage.classList.toggle("is-covered", cover !== "");
  endButton.disabled = state.ended !== null;
  renderSecretForm(state);
  renderVerification(state);
  renderStatus(state, formError);

  const stats = state.link === "connected" ? state.stats : null;
  show("stat-route", routeLine(state));
  show("stat-relay", relayLine(state));
  const quality = stats ? rateQuality(stats) : null;
  show("stat-quality", quality ?? "–");
  show("stat-rtt", stats?.rttMs == null ? "–" : `${stats.rttMs} ms`);
  show("stat-fps", stats?.fps == null ? "–" : String(Math.round(stats.fps)));
  show("stat-bitrate", stats?.kbps == null ? "–" : `${stats.kbps} kbit/s`);
  show("stat-resolution", stats?.width && stats.height ? `${stats.width} × ${stats.height}` : "–");
  show("stat-codec", stats?.codec ?? "–");
  show("stat-restarts", String(state.iceRestarts));
}

/** Opens the viewer for session `code` in place of the console, proving `secret` (if known); returns how to close it. */
export function openViewer(code: string, secret: TechnicianSecret | null): () => void {
  viewer.hidden = false;
  secretForm.reset();
  let latest: ViewerState | null = null;
  let formError = "";
  const draw = () => {
    if (latest) render(latest, formError);
  };
  const session = new TechnicianSession(code, secret, (state) => {
    latest = state;
    draw();
  });
  const onPageHide = () => session.leave();
  addEventListener("pagehide", onPageHide);
  const onEnd = () => session.end();
  endButton.addEventListener("click", onEnd);
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const typed = passwordInput.value.trim();
    // Try again with the secret in hand: a link's, or (with the field left empty) the password last typed.
    if (latest?.secretKind === "link" || (typed === "" && latest?.check.step === "failed")) {
      formError = "";
      session.retry();
      return draw();
    }
    const password = normalisePassword(typed);
    formError = password ? "" : TEXT.check.badPassword;
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
  session.start();
  return () => {
    removeEventListener("pagehide", onPageHide);
    endButton.removeEventListener("click", onEnd);
    secretForm.removeEventListener("submit", onSubmit);
    codeMatches.removeEventListener("click", onMatches);
    codeDiffers.removeEventListener("click", onDiffers);
    session.leave();
    video.srcObject = null;
    viewer.hidden = true;
    announce("");
  };
}

// Fit scales the picture into the resizable stage; 1:1 shows it pixel for pixel, scrolling within the stage.
actualSize.addEventListener("click", () => {
  const isActual = actualSize.getAttribute("aria-pressed") !== "true";
  actualSize.setAttribute("aria-pressed", String(isActual));
  stage.classList.toggle("is-actual-size", isActual);
});

fullScreen.addEventListener("click", () => {
  if (document.fullscreenElement) void document.exitFullscreen();
  else void stage.requestFullscreen().catch(() => undefined);
});
