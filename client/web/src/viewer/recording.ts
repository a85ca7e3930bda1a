import { ErrorCode } from "#protocol/errors.ts";
import { StartedRecording } from "#protocol/recordings.ts";
import type { Transfer } from "../../../core/file-transfer.ts";
import { commonText, technicianText } from "../i18n/page.ts";
import { AnyBody, callApi } from "../lib/api.ts";
import { announce, byId } from "../lib/dom.ts";
import { technicianErrorText } from "../lib/errors.ts";
import { type RecordingApi, SessionRecorder } from "../lib/recorder.ts";
import type { TechnicianSession, ViewerState } from "./TechnicianSession.ts";

// The viewer's side of recording: it records the received screen and both voices while the customer allows it
// (their page says so on the control channel; the server checks the room's consent record again), shows the ● REC
// badge with the elapsed time, tells the customer's page when a recording runs, and reports each completed file
// transfer (name, size, SHA-256) to the audit log.

const badge = byId("viewer-rec");
const elapsedText = byId("viewer-rec-time");

/** How often the server's refusal is tried again: the room writes the customer's consent just after it arrives. */
const START_ATTEMPTS = 10;

const T = () => technicianText().recording;

/** What a recording hears: the customer's voice as received, and this technician's microphone while it is on. */
const voicesOf = (state: ViewerState) => [state.voice, state.microphone];

/** m:ss (or h:mm:ss) since `since`. */
export function elapsed(since: number, now: number): string {
  const s = Math.max(0, Math.floor((now - since) / 1000));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(sec).padStart(2, "0")}`;
}

async function sendBytes(method: "PUT" | "POST", path: string, bytes: Blob) {
  try {
    const res = await fetch(path, { method, body: bytes, credentials: "same-origin" });
    if (res.ok) return { ok: true as const };
    const body = (await res.json().catch(() => null)) as { error?: { code?: string } } | null;
    return { ok: false as const, code: body?.error?.code ?? "HTTP" };
  } catch {
    return { ok: false as const, code: "NETWORK" };
  }
}

const api: RecordingApi = {
  putPart: (id, part, bytes) => sendBytes("PUT", `/api/recordings/${id}/parts/${part}`, bytes),
  complete: (id, tail) => sendBytes("POST", `/api/recordings/${id}/complete`, tail),
};

/** Records session `code` while its customer allows it; `update` with every new state, `close` at the end. */
export function viewerRecording(code: string, session: TechnicianSession) {
  let recorder: SessionRecorder | null = null;
  let isStarting = false;
  let attempts = 0;
  let isRefused = false;
  let told: boolean | null = null;
  let tick: ReturnType<typeof setInterval> | undefined;
  const reported = new Set<number>();
  let latest: ViewerState | null = null;

  const drawBadge = () => {
    const startedAt = recorder?.isRecording ? recorder.startedAt : null;
    badge.hidden = startedAt === null;
    if (startedAt !== null) elapsedText.textContent = `${commonText().recording.rec} ${elapsed(startedAt, Date.now())}`;
  };

  const tell = () => {
    const isOn = recorder?.isRecording ?? false;
    if (told !== isOn && latest?.link === "connected" && session.tellRecording(isOn)) told = isOn;
    drawBadge();
    clearInterval(tick);
    if (isOn) tick = setInterval(drawBadge, 1_000);
  };

  const start = async (state: ViewerState) => {
    if (!state.stream) return;
    isStarting = true;
    const next = new SessionRecorder(
      async () => {
        const started = await callApi("POST", `/api/sessions/${code}/recordings`, StartedRecording);
        return started.ok ? { ok: true, ...started.data } : { ok: false, code: started.code };
      },
      api,
      (failure) => {
        if (failure === "RECORDING_NOT_ALLOWED" && attempts < START_ATTEMPTS) return;
        isRefused = true;
        const known = ErrorCode.safeParse(failure);
        announce(() => T().failed(technicianErrorText({ code: known.success ? known.data : "HTTP" })), true);
        tell();
      },
    );
    attempts++;
    const isRecording = await next.record(state.stream.getVideoTracks(), voicesOf(latest ?? state));
    isStarting = false;
    if (isRecording) {
      recorder = next;
      announce(() => T().started);
    } else if (!isRefused) {
      // The customer's consent is in the room's record a moment after it reached this page: try again shortly.
      setTimeout(() => latest && update(latest), 500 * attempts);
      return;
    }
    tell();
    if (latest) update(latest);
  };

  const stop = async () => {
    const current = recorder;
    recorder = null;
    tell();
    if (!current) return;
    await current.stop();
    // A recording whose last part or completion the server refused was not saved: its failure stays on the page.
    if (!current.failure) announce(() => T().stopped);
  };

  const report = (transfers: readonly Transfer[]) => {
    for (const t of transfers) {
      if (t.state !== "done" || t.sha256 === null || reported.has(t.id)) continue;
      reported.add(t.id);
      void callApi("POST", `/api/sessions/${code}/files`, AnyBody, {
        name: t.name.slice(0, 255),
        size: t.size,
        sha256: t.sha256,
        direction: t.direction === "out" ? "toCustomer" : "fromCustomer",
      });
    }
  };

  function update(state: ViewerState): void {
    latest = state;
    report(state.files);
    const wants =
      state.ended === null &&
      state.recordingConsent === true &&
      state.stream !== null &&
      state.link === "connected" &&
      state.sharing !== null;
    if (!wants) {
      isRefused = false;
      attempts = 0;
      if (recorder) void stop();
    } else if (!recorder && !isStarting && !isRefused) {
      void start(state);
    } else {
      recorder?.setVoices(voicesOf(state));
    }
    // A reconnected channel hears the recording's state again.
    if (state.link !== "connected") told = null;
    else if (told !== (recorder?.isRecording ?? false)) tell();
  }

  return {
    update,
    /** Stops the recording (its last part and completion go out) and hides the badge. */
    close(): void {
      latest = null;
      void stop();
      clearInterval(tick);
      badge.hidden = true;
    },
  };
}
