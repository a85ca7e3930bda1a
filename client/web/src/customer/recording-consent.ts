import { commonText, customerText } from "../i18n/page.ts";
import { byId } from "../lib/dom.ts";
import type { CustomerSession, CustomerView } from "./CustomerSession.ts";

// Recording on the customer's page: on the consent screen, "Allow recording" apart from Allow (RECORDING_POLICY
// "ask") or the notice that the session is recorded (RECORDING_POLICY "always"); in the session bar, the red ● REC
// badge with the elapsed time while the technician's page records, and the button that stops recording (or allows it
// again) without ending the session. Nothing here records: the technician's page does.

const always = byId("recording-always");
const choice = byId("recording-choice");
const allowBox = byId("recording-allow", HTMLInputElement);
const allowLabel = byId("recording-allow-label");
const badge = byId("rec-badge");
const badgeTime = byId("rec-time");
const toggle = byId("recording-toggle", HTMLButtonElement);

const T = () => customerText().recording;

/** m:ss (or h:mm:ss) since `since`. */
function elapsed(since: number, now: number): string {
  const s = Math.max(0, Math.floor((now - since) / 1000));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return `${h > 0 ? `${h}:${String(m).padStart(2, "0")}` : m}:${String(sec).padStart(2, "0")}`;
}

let view: CustomerView | null = null;
let tick: ReturnType<typeof setInterval> | undefined;

function drawBadge(): void {
  const since = view?.phase === "sharing" ? view.recordingSince : null;
  badge.hidden = since === null;
  if (since !== null) badgeTime.textContent = `${commonText().recording.rec} ${elapsed(since, Date.now())}`;
}

/** Draws the recording parts of the consent screen and the session bar for `next`. */
export function renderRecording(next: CustomerView): void {
  const wasRecording = view?.phase === "sharing" && view.recordingSince !== null;
  view = next;
  const policy = next.recordingPolicy;
  always.hidden = policy !== "always";
  always.textContent = T().always;
  choice.hidden = policy !== "ask";
  allowLabel.textContent = T().allow;
  allowBox.checked = next.isRecordingAllowed;
  toggle.hidden = policy === "off" || next.phase !== "sharing";
  toggle.textContent = next.isRecordingAllowed ? T().stop : T().allowAgain;
  drawBadge();
  const isRecording = next.phase === "sharing" && next.recordingSince !== null;
  if (isRecording !== wasRecording) {
    clearInterval(tick);
    if (isRecording) tick = setInterval(drawBadge, 1_000);
  }
}

/** Wires the recording choice and the bar's button to `customer`. */
export function wireRecording(customer: CustomerSession): void {
  allowBox.addEventListener("change", () => customer.setRecording(allowBox.checked));
  toggle.addEventListener("click", () => customer.setRecording(!(view?.isRecordingAllowed ?? false)));
}
