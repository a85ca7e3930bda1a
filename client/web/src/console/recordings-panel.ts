import { PlaybackUrl, RecordingList, type RecordingSummary } from "#protocol/recordings.ts";
import { formatBytes, formatTime } from "../i18n/format.ts";
import { technicianText } from "../i18n/page.ts";
import { AnyBody, callApi } from "../lib/api.ts";
import { announce, byId, whileBusy } from "../lib/dom.ts";
import { technicianErrorText } from "../lib/errors.ts";
import { groupCode } from "../lib/session-code.ts";

// The console's recordings: each session's recordings (the technician's own; an admin's, everyone's), newest first,
// with Play and Delete. Playback asks the server for a five-minute signed address (the server logs the playback),
// fetches the WebM and fixes its duration and cues (MediaRecorder writes neither), so that the player can seek. The
// fix is a chunk of its own, loaded at the first playback.

const form = byId("recordings-filter", HTMLFormElement);
const session = byId("recordings-session", HTMLInputElement);
const list = byId("recordings-list", HTMLUListElement);
const empty = byId("recordings-empty");
const player = byId("recording-player", HTMLVideoElement);

const T = () => technicianText().recordings;

/**
 * The WebM fix, loaded at the first playback only (most console visits play nothing). The package is CommonJS with
 * `exports.default`; bundled as Node would import it (this package is "type": "module"), its default import is the
 * exports object, whose `default` is the function.
 */
async function fixWebmDuration(raw: Blob): Promise<Blob> {
  const { default: fixModule } = await import("webm-duration-fix");
  const fix: typeof fixModule =
    typeof fixModule === "function" ? fixModule : (fixModule as unknown as { default: typeof fixModule }).default;
  return fix(raw);
}

let playing: string | null = null;

// A recording whose WebM could not be given a duration (one cut short, or too short to have one) is made to find its
// end once: Chromium then knows the duration and can seek.
player.addEventListener("loadedmetadata", () => {
  if (Number.isFinite(player.duration)) return;
  player.addEventListener("durationchange", () => (player.currentTime = 0), { once: true });
  player.currentTime = Number.MAX_SAFE_INTEGER;
});

async function play(recording: RecordingSummary, button: HTMLButtonElement): Promise<void> {
  const link = await callApi("POST", `/api/recordings/${recording.id}/play`, PlaybackUrl);
  if (!link.ok) return announce(() => technicianErrorText(link), true);
  let blob: Blob;
  try {
    const res = await fetch(link.data.url, { credentials: "same-origin" });
    if (!res.ok)
      return announce(() => technicianErrorText({ code: res.status === 403 ? "PLAYBACK_LINK_INVALID" : "HTTP" }), true);
    const raw = await res.blob();
    // A recording cut short (a closed tab) may end mid-element; it then plays without the fixed duration.
    blob = await fixWebmDuration(raw).catch(() => raw);
  } catch {
    return announce(() => technicianErrorText({ code: "NETWORK" }), true);
  }
  if (playing) URL.revokeObjectURL(playing);
  playing = URL.createObjectURL(new Blob([blob], { type: "video/webm" }));
  player.src = playing;
  player.hidden = false;
  player.dataset.recording = recording.id;
  const started = formatTime(recording.createdAt);
  announce(() => T().playing(started));
  button.focus();
}

async function remove(recording: RecordingSummary): Promise<void> {
  const removed = await callApi("DELETE", `/api/recordings/${recording.id}`, AnyBody);
  if (!removed.ok) return announce(() => technicianErrorText(removed), true);
  if (player.dataset.recording === recording.id) {
    player.removeAttribute("src");
    player.hidden = true;
  }
  announce(() => T().deleted);
  await show();
}

function item(recording: RecordingSummary): HTMLLIElement {
  const li = document.createElement("li");
  const started = formatTime(recording.createdAt);
  const line = document.createElement("span");
  line.textContent = T().line(
    groupCode(recording.session),
    started,
    formatBytes(recording.size),
    recording.state === "uploading",
  );
  const details = document.createElement("span");
  details.className = "hint";
  details.textContent = [
    recording.sha256 ? T().hash(recording.sha256) : "",
    recording.deleteAt ? T().deletesOn(formatTime(recording.deleteAt)) : "",
  ]
    .filter(Boolean)
    .join(" ");
  const actions = document.createElement("div");
  actions.className = "actions";
  const playButton = document.createElement("button");
  playButton.type = "button";
  playButton.className = "secondary";
  playButton.textContent = T().play;
  playButton.setAttribute("aria-label", T().playLabel(started));
  playButton.disabled = recording.state !== "complete";
  playButton.addEventListener("click", () => void whileBusy(playButton, () => play(recording, playButton)));
  const deleteButton = document.createElement("button");
  deleteButton.type = "button";
  deleteButton.className = "danger";
  deleteButton.textContent = T().delete;
  deleteButton.setAttribute("aria-label", T().deleteLabel(started));
  deleteButton.addEventListener("click", () => void whileBusy(deleteButton, () => remove(recording)));
  actions.append(playButton, deleteButton);
  li.append(line, document.createElement("br"), details, actions);
  return li;
}

/** Lists the recordings for the filter. */
async function show(): Promise<void> {
  const code = session.value.replace(/\s/g, "");
  if (code && !/^[0-9]{9}$/.test(code)) return announce(() => T().badSession, true);
  const found = await callApi("GET", `/api/recordings${code ? `?session=${code}` : ""}`, RecordingList);
  if (!found.ok) return announce(() => technicianErrorText(found), true);
  list.replaceChildren(...found.data.recordings.map(item));
  empty.hidden = found.data.recordings.length > 0;
}

let isWired = false;

/** Shows the recordings the technician may see. */
export async function loadRecordingsPanel(): Promise<void> {
  if (!isWired) {
    isWired = true;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void whileBusy(byId("recordings-show", HTMLButtonElement), show);
    });
  }
  await show();
}
