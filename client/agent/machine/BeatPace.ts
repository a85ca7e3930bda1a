// The waits between an enrolled machine's heartbeats: as long as the site asks, unless the machine's line (line.ts)
// brings a wake, which means a technician just opened a session with it and is waiting for it to answer. A wake cuts
// the wait short, so that the heartbeat naming the session goes out now; a wake that comes while a beat is in flight
// has the next beat follow right after the answer, since the session may have been opened after the site answered.
// serve.ts wakes it too when the machine becomes busy or free (Sessions.isBusy), so that the site knows at once.
// Beats a wake brings forward are kept MIN_BEAT_GAP_MS apart, so that a burst of wakes costs one beat a second.

/** The least time from the start of one heartbeat to the start of the next that a wake brings forward. */
export const MIN_BEAT_GAP_MS = 1_000;

/** What pacing the heartbeats depends on: serve.ts's clock, sleep and stop. */
export type PaceDeps = {
  /** The machine's clock, in milliseconds since the epoch. */
  now: () => number;
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Aborts to stop serving: every wait then ends at once. */
  signal: AbortSignal;
};

/** When the next heartbeat goes out: after the wait the site asked for, or sooner after a wake. */
export class BeatPace {
  readonly #deps: PaceDeps;
  /** When the last heartbeat started, by the machine's clock. */
  #startedAt = 0;
  /** A wake came since the last heartbeat started. */
  #isWoken = false;
  /** Ends the wait under way, if one is. */
  #cut: AbortController | null = null;

  constructor(deps: PaceDeps) {
    this.#deps = deps;
  }

  /** A heartbeat goes out now: it answers every wake so far. */
  started(): void {
    this.#startedAt = this.#deps.now();
    this.#isWoken = false;
  }

  /** A wake from the line: ends the wait under way, or the next one as soon as it begins. */
  wake(): void {
    this.#isWoken = true;
    this.#cut?.abort();
  }

  /**
   * Waits `ms` before the next heartbeat, or until a wake, but then until at least MIN_BEAT_GAP_MS after the last
   * heartbeat started. Resolves as soon as serving stops.
   */
  async rest(ms: number): Promise<void> {
    if (this.#deps.signal.aborted) return;
    if (!this.#isWoken) await this.#sleepUnlessWoken(ms);
    if (!this.#isWoken || this.#deps.signal.aborted) return;
    // Kept within none and the whole gap: the machine's clock may have been set back or on in between.
    const gap = Math.min(MIN_BEAT_GAP_MS, Math.max(0, MIN_BEAT_GAP_MS - (this.#deps.now() - this.#startedAt)));
    if (gap > 0) await this.#deps.sleep(gap, this.#deps.signal);
  }

  async #sleepUnlessWoken(ms: number): Promise<void> {
    const cut = new AbortController();
    const onStop = () => cut.abort();
    this.#deps.signal.addEventListener("abort", onStop, { once: true });
    this.#cut = cut;
    try {
      await this.#deps.sleep(ms, cut.signal);
    } finally {
      // Removed each time: a machine online for months would otherwise pile up a listener per heartbeat.
      this.#deps.signal.removeEventListener("abort", onStop);
      this.#cut = null;
    }
  }
}
