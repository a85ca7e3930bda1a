import { byId, formatClock } from "../lib/dom.ts";
import { groupCode } from "../lib/session-code.ts";
import { rateQuality } from "../rtc/stats.ts";
import { TechnicianSession, type ViewerState } from "./TechnicianSession.ts";

// The technician's viewer, inside the console page at /console#view=CODE: the customer's screen (fit or 1:1, full
// screen), what the customer is doing, and the connection's figures, live.

const viewer = byId("viewer", HTMLElement);
const stage = byId("stage", HTMLElement);
const video = byId("remote-screen", HTMLVideoElement);
const overlay = byId("overlay", HTMLElement);
const actualSize = byId("actual-size", HTMLButtonElement);
const fullScreen = byId("full-screen", HTMLButtonElement);
const endButton = byId("viewer-end", HTMLButtonElement);

const SURFACE: Record<string, string> = {
  monitor: "their whole screen",
  window: "a window",
  browser: "a browser tab",
  unknown: "their screen",
};

function customerLine(state: ViewerState): string {
  const customer = state.customer;
  if (state.ended) return state.ended;
  if (!customer) return "The customer has not opened the session yet.";
  if (!customer.connected) {
    const until = state.customerRejoinBy ? ` They can come back until ${formatClock(state.customerRejoinBy)}.` : "";
    return `The customer lost their connection.${until}`;
  }
  switch (state.sharing) {
    case null:
      return "The customer is connected and deciding whether to allow viewing.";
    case "live":
      return `The customer is sharing ${SURFACE[state.surface]}. View only.`;
    case "paused":
      return "The customer paused sharing.";
    case "stopped":
      return "The customer stopped sharing.";
  }
}

/** What covers the picture, if anything: why there is nothing (new) to see. */
function overlayText(state: ViewerState): string {
  if (state.ended) return "Session ended.";
  if (state.signaling === "reconnecting" && state.link !== "connected")
    return "Connection to Tether lost; reconnecting…";
  if (!state.customer) return "Waiting for the customer…";
  if (state.sharing === "paused") return "Paused by the customer.";
  if (state.sharing === "stopped") return "The customer stopped sharing.";
  if (state.relayFailure && state.link !== "connected") return RELAY_FAILURE_TEXT[state.relayFailure];
  if (state.link === "reconnecting") return "Connection interrupted; reconnecting…";
  if (!state.customer.connected && state.link !== "connected") return "The customer lost their connection.";
  if (!state.stream || state.sharing === null) return "Waiting for the customer to allow viewing…";
  return "";
}

/** Why a relay-only connection cannot start, in the technician's words. */
const RELAY_FAILURE_TEXT = {
  refused: "Could not reach the relay server: it refused this session's credentials. Check TURN_SECRET.",
  unreachable: "Could not reach the relay server. Check TURN_URLS and that the network lets the browser reach it.",
} as const;

function relayLine(state: ViewerState): string {
  const setting = state.relay;
  if (setting === null) return "–";
  if (setting.relay === "none") return "Off — direct connections only";
  const name = setting.relay === "coturn" ? "coturn" : "Cloudflare";
  return setting.isForced ? `${name}, for every connection` : `${name}, when a direct path fails`;
}

function routeLine(state: ViewerState): string {
  if (state.link === "connected") {
    const stats = state.stats;
    if (stats?.route === "relayed")
      return stats.relayProtocol ? `Relayed (${stats.relayProtocol.toUpperCase()})` : "Relayed";
    return stats?.route === "direct" ? "Direct" : "Connected";
  }
  if (state.relayFailure) return "Failed: no relay";
  if (state.link === "reconnecting") return "Reconnecting…";
  return state.link === "connecting" ? "Connecting…" : "Not connected";
}

function show(id: string, text: string): void {
  byId(id, HTMLElement).textContent = text;
}

function render(state: ViewerState): void {
  show("viewer-code", groupCode(state.code));
  show("viewer-customer", customerLine(state));
  if (video.srcObject !== state.stream) video.srcObject = state.stream;
  const cover = overlayText(state);
  overlay.textContent = cover;
  overlay.hidden = cover === "";
  stage.classList.toggle("is-covered", cover !== "");
  endButton.disabled = state.ended !== null;

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

/** Opens the viewer for session `code` in place of the console; returns how to close it. */
export function openViewer(code: string, password: string | null): () => void {
  viewer.hidden = false;
  const session = new TechnicianSession(code, password, render);
  const onPageHide = () => session.leave();
  addEventListener("pagehide", onPageHide);
  const onEnd = () => session.end();
  endButton.addEventListener("click", onEnd);
  void session.start();
  return () => {
    removeEventListener("pagehide", onPageHide);
    endButton.removeEventListener("click", onEnd);
    session.leave();
    video.srcObject = null;
    viewer.hidden = true;
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
