import type { MachineJoin } from "#protocol/machines.ts";

// The unattended sessions an enrolled machine joins as its heartbeats name them (serve.ts).

/**
 * Runs one session until it ends or `signal` aborts (the session is then ended for everyone); once it runs, it hands
 * `started` a way to ask whether the session's technician is connected to it now.
 */
export type RunSession = (
  join: MachineJoin,
  signal: AbortSignal,
  started: (hasTechnician: () => boolean) => void,
) => Promise<void>;

/** The session under way: its code, its stop, and whether its technician is there. */
type Running = { code: string; stop: AbortController; hasTechnician: () => boolean; done: Promise<void> };

/**
 * The sessions the machine joins, one at a time (they share its one screen): the newest named that it has not joined
 * yet. A newer one waits while the session under way has its technician; one whose technician left (a closed tab, a
 * lost network) gives way to it at once rather than at its idle timeout: the technician who comes back, or a
 * colleague, is the one who opened the newer. Each is joined once; a session the site stopped naming has ended, and is
 * forgotten.
 */
export class Sessions {
  readonly #run: RunSession;
  readonly #stop: AbortSignal;
  readonly #joined = new Set<string>();
  #running: Running | null = null;
  /** What the site named last, to go on with once the session under way ends. */
  #named: readonly MachineJoin[] = [];

  /** `stop` aborts once serving stops: the session under way ends, and no other starts. */
  constructor(run: RunSession, stop: AbortSignal) {
    this.#run = run;
    this.#stop = stop;
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
    const started = (hasTechnician: () => boolean) => {
      running.hasTechnician = hasTechnician;
    };
    running.done = this.#run(join, AbortSignal.any([this.#stop, stop.signal]), started)
      .catch(() => undefined)
      .finally(() => {
        if (this.#running === running) this.#running = null;
        // A newer session may have been waiting for this one, or have replaced it.
        this.offer(this.#named);
      });
    this.#running = running;
  }
}
