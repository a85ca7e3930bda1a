import type { ErrorCode } from "#protocol/errors.ts";
import { AudioMix } from "./audio-mix.ts";
import { PartUploader, type RecordingApi } from "./part-uploader.ts";

export type { RecordingApi };

// The technician's page records the customer's screen it receives and both voices (the customer's as received and
// the technician's microphone, mixed into one track that lasts while either is turned on or off) with MediaRecorder,
// and uploads it while recording: the recorder's data is cut into parts of exactly `partBytes` (R2 needs every part
// but the last to be the same size), sent one after another; the rest goes with `complete`. A tab closed meanwhile
// leaves the parts already sent, which the server puts together later.

/** Starts a recording of `code` on the server. */
export type StartRecording = () => Promise<{ ok: true; id: string; partBytes: number } | { ok: false; code: string }>;

/** The container and codecs this browser records in, WebM first (the console's player fixes WebM's duration). */
function mimeType(hasAudio: boolean): string | undefined {
  const choices = hasAudio
    ? ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"]
    : ["video/webm;codecs=vp8", "video/webm;codecs=vp9", "video/webm"];
  return choices.find((type) => MediaRecorder.isTypeSupported(type));
}

/** How often the recorder hands over what it has, in milliseconds: the most a closed tab can lose beyond a part. */
const TIMESLICE_MS = 1_000;

/** One recording of a received screen, from `start` to `stop` (or the page's end). */
export class SessionRecorder {
  #recorder: MediaRecorder | null = null;
  #uploader: PartUploader | null = null;
  #stopped: Promise<void> | null = null;
  #mix: AudioMix | null = null;
  /** When the recording started (this page's clock), for the ● REC badge. */
  startedAt: number | null = null;

  constructor(
    private readonly start: StartRecording,
    private readonly api: RecordingApi,
    private readonly onFailure: (code: ErrorCode | string) => void,
  ) {}

  /**
   * Starts recording the `video` tracks and the mix of `voices` (see setVoices); false (with onFailure told) when the
   * server refused. Where this page may not play sound yet (no click on it or the page that opened it), the mix
   * cannot run: the first live voice (the customer's) is then recorded as it is.
   */
  async record(video: MediaStreamTrack[], voices: readonly (MediaStreamTrack | null)[]): Promise<boolean> {
    const started = await this.start();
    if (!started.ok) {
      this.onFailure(started.code);
      return false;
    }
    const mix = await AudioMix.open();
    mix?.set(voices);
    const live = voices.filter((t): t is MediaStreamTrack => t !== null && t.readyState === "live");
    const audio = mix ? [mix.track] : live.slice(0, 1);
    const stream = new MediaStream([...video, ...audio]);
    const type = mimeType(audio.length > 0);
    const recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
    const uploader = new PartUploader(started.id, started.partBytes, this.api, (code) => {
      this.onFailure(code);
      if (recorder.state !== "inactive") recorder.stop();
    });
    recorder.addEventListener("dataavailable", (event) => uploader.push(event.data));
    this.#stopped = new Promise<void>((resolve) =>
      recorder.addEventListener(
        "stop",
        () => {
          mix?.close();
          void uploader.finish().then(resolve);
        },
        { once: true },
      ),
    );
    this.#mix = mix;
    this.#recorder = recorder;
    this.#uploader = uploader;
    this.startedAt = Date.now();
    recorder.start(TIMESLICE_MS);
    return true;
  }

  /** The voices the recording hears from now on: the customer's and this technician's microphone, each when on. */
  setVoices(voices: readonly (MediaStreamTrack | null)[]): void {
    if (this.isRecording) this.#mix?.set(voices);
  }

  /** Whether a recording runs. */
  get isRecording(): boolean {
    return this.#recorder !== null && this.#recorder.state !== "inactive";
  }

  /** The error code of the upload the server refused, after which this recording stopped; null while none was. */
  get failure(): string | null {
    return this.#uploader?.failed ?? null;
  }

  /** Bytes the server has taken of this recording so far. */
  get uploadedBytes(): number {
    return this.#uploader?.uploadedBytes ?? 0;
  }

  /** Stops recording; resolves once the last part is uploaded and the recording is complete. */
  async stop(): Promise<void> {
    const recorder = this.#recorder;
    if (recorder && recorder.state !== "inactive") recorder.stop();
    this.startedAt = null;
    await this.#stopped;
  }
}
