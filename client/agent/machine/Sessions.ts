import type { MachineJoin } from "#protocol/machines.ts";

// The unattended sessions an enrolled machine joins as its heartbeats name them (serve.ts).

/** How a session that runs keeps Sessions told of its technician. */
export type TechnicianWatch = {
  /** The session runs; `hasTechnician` says whether its technician is connected to it now. */
  started(hasTechnician: () => boolean): void;
  /** What the session shows changed: its technician may have come or gone. */
  changed(): void;
};

/** Runs one session until it ends or `signal` aborts (the session is then ended for everyone), telling `watch`. */
export type RunSession = (join: MachineJoin, signal: AbortSignal, watch: TechnicianWatch) => Promise<void>;

/** The session under way: its code, its stop, and whether its technician is there. */
type Running = { code: string; stop: AbortController; hasTechnician: () => boolean; done: Promise<void> };

/**
 * The sessions the machine joins, one at a time (they share its one screen): the newest named that it has not joined
 * yet. A newer one waits while the session under way has its technician; one whose technician left (a closed tab, a
 * lost network) gives way to it at once rather than at its idle timeout: the technician who comes back, or a
 * colleague, is the one who opened the newer. That holds whichever comes first, the newer session or the leaving: a
 * technician who leaves after a newer one was named gives way then, not at the next heartbeat. Each is joined once; a
 * session the site stopped naming has ended, and is forgotten.
 */
export class Sessions {
  readonly #run: RunSession;
  readonly #stop: AbortSignal;
  readonly #joined = new Set<string>();
  #running: Running | null = null;
  /** What the site named last, to go on with once the session under way ends. */
  #named: readonly MachineJoin[] = [];

  readonly #onBusy: () => void;

  /**
   * `stop` aborts once serving stops: the session under way ends, and no other starts. `onBusy` hears that isBusy may
   * have changed (a technician came or went, a session began or ended).
   */
  constructor(run: RunSession, stop: AbortSignal, onBusy: () => void = () => undefined) {
    this.#run = run;
    this.#stop = stop;
    this.#onBusy = onBusy;
  }

  /** Whether the machine is busy: a session runs, and its technician is connected to it. */
  isBusy(): boolean {
    return this.#running?.hasTechnician() === true;
  }

  /** The live sessions the site named, newest first. */
  offer(named: readonly MachineJoin[]): void {
    this.#named = named;
    const live = new Set(named.map((join) => join.code));
    for (const code of this.#joined) if (!live.has(code)) this.#joined.delete(code);
    if (this.#stop.aborted) return;
    const running = this.#running;
    if (running) {
      // Only a newer one (named before it: newest first) replaces it; its end starts the next one (#start).
      const newer = named.slice(
        0,
        Math.max(
          0,
          named.findIndex((join) => join.code === running.code),
        ),
      );
      if (newer.some((join) => !this.#joined.has(join.code)) && !running.hasTechnician()) running.stop.abort();
      return;
    }
    const next = named.find((join) => !this.#joined.has(join.code));
    if (next) this.#start(next);
  }

  /** Resolves once no session runs. */
  async settled(): Promise<void> {
    await this.#running?.done;
  }

  #start(join: MachineJoin): void {
    this.#joined.add(join.code);
    const stop = new AbortController();
    const running: Running = { code: join.code, stop, hasTechnician: () => false, done: Promise.resolve() };
    const watch: TechnicianWatch = {
      started: (hasTechnician) => {
        running.hasTechnician = hasTechnician;
      },
      // What the site named last is weighed again: a newer session may be waiting for this one's technician to go.
      changed: () => {
        if (this.#running !== running) return;
        this.offer(this.#named);
        this.#onBusy();
      },
    };
    // Under way before it runs: it may tell its watch at once.
    this.#running = running;
    running.done = this.#run(join, AbortSignal.any([this.#stop, stop.signal]), watch)
      .catch(() => undefined)
      .finally(() => {
        if (this.#running === running) this.#running = null;
        // A newer session may have been waiting for this one, or have replaced it.
        this.offer(this.#named);
        this.#onBusy();
      });
  }
}
