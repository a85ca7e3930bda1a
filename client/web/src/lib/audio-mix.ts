// Both voices of a session in one audio track, for the recording: the customer's voice as received and this
// technician's microphone while it is on, mixed with WebAudio into a MediaStreamAudioDestinationNode. The recorder
// records that one track from start to end, so a microphone turned on or off meanwhile changes only what the mix
// hears: a MediaRecorder's tracks cannot change while it records.

/** How long the mix waits for its AudioContext to run before the recording goes without it. */
const RUN_WAIT_MS = 1_000;

/** An audio track that mixes the tracks it is given, which may change at any time. */
export class AudioMix {
  readonly #context: AudioContext;
  readonly #destination: MediaStreamAudioDestinationNode;
  readonly #sources = new Map<MediaStreamTrack, MediaStreamAudioSourceNode>();

  private constructor(context: AudioContext) {
    this.#context = context;
    this.#destination = context.createMediaStreamDestination();
  }

  /**
   * A mix whose AudioContext runs, or null when it does not: the browser lets sound start only after the person's
   * first click on this page or the one that opened it, and a recorder given a track that produces nothing would
   * wait for it forever.
   */
  static async open(): Promise<AudioMix | null> {
    let context: AudioContext;
    try {
      context = new AudioContext();
    } catch {
      return null;
    }
    if (context.state !== "running") {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        context.resume().catch(() => undefined),
        new Promise((resolve) => (timer = setTimeout(resolve, RUN_WAIT_MS))),
      ]);
      clearTimeout(timer);
    }
    if (context.state !== "running") {
      void context.close().catch(() => undefined);
      return null;
    }
    return new AudioMix(context);
  }

  /** The mixed track, for the recorder: silence while nothing is mixed in. */
  get track(): MediaStreamTrack {
    const [track] = this.#destination.stream.getAudioTracks();
    if (!track) throw new Error("a MediaStreamAudioDestinationNode has an audio track");
    return track;
  }

  /** Mixes exactly the live ones of `tracks` from now on. */
  set(tracks: readonly (MediaStreamTrack | null)[]): void {
    const wanted = new Set(tracks.filter((t): t is MediaStreamTrack => t !== null && t.readyState === "live"));
    for (const [track, source] of this.#sources) {
      if (wanted.has(track)) continue;
      source.disconnect();
      this.#sources.delete(track);
    }
    for (const track of wanted) {
      if (this.#sources.has(track)) continue;
      const source = this.#context.createMediaStreamSource(new MediaStream([track]));
      source.connect(this.#destination);
      this.#sources.set(track, source);
    }
  }

  /** Stops mixing and lets the AudioContext go. */
  close(): void {
    this.set([]);
    this.track.stop();
    void this.#context.close().catch(() => undefined);
  }
}
