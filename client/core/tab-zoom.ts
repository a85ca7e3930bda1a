import type { Surface, TabZoom, TabZoomState, ZoomStep } from "#protocol/control.ts";

// The rules of the technician's zoom of a browser tab the customer shares (Captured Surface Control), apart from the
// browser: when it is offered, how far the zoom can go, and how often the customer's page applies a step. The
// customer's page (client/web/src/customer/surface-control.ts) calls the browser; nothing here does.

/** What the customer's page knows when it decides what to tell the technician. */
export type TabZoomFacts = {
  /** Whether this browser can zoom a captured tab at all (CaptureController with increaseZoomLevel). */
  isSupported: boolean;
  /** What the capture shows, as the track's settings say. */
  surface: Surface;
  /** Whether the picture goes out now (not paused, not stopped). */
  isLive: boolean;
  /** Whether the customer allowed the technician to zoom it, and has not taken it back. */
  isAllowed: boolean;
};

/**
 * What the technician may do with the shared tab's zoom; null where the browser cannot zoom a captured tab at all,
 * so that the page says nothing of it there.
 */
export function tabZoomState(facts: TabZoomFacts): TabZoomState | null {
  if (!facts.isSupported) return null;
  if (facts.surface !== "browser" || !facts.isLive) return "unavailable";
  return facts.isAllowed ? "allowed" : "offered";
}

/** Whether the zoom can go another step in or out from `level`, among the browser's `levels` (percent). */
export function zoomReach(
  levels: readonly number[],
  level: number | null,
): { canZoomIn: boolean; canZoomOut: boolean } {
  if (level === null || levels.length === 0) return { canZoomIn: false, canZoomOut: false };
  return { canZoomIn: levels.some((l) => l > level), canZoomOut: levels.some((l) => l < level) };
}

/** Steps a technician may send at once; beyond it, one more each STEP_INTERVAL_MS. */
export const STEP_BURST = 4;
export const STEP_INTERVAL_MS = 250;

/**
 * How often the customer's page takes a zoom step from the technician: a burst of STEP_BURST, then one per
 * STEP_INTERVAL_MS; a step beyond that is dropped unanswered (the technician's page shows only levels the customer's
 * page reported, so it never shows one the tab does not have).
 */
export class StepLimiter {
  readonly #now: () => number;
  #tokens = STEP_BURST;
  #at: number;

  constructor(now: () => number) {
    this.#now = now;
    this.#at = now();
  }

  /** Whether a step may be applied now; takes it from the allowance when it may. */
  take(): boolean {
    const now = this.#now();
    const earned = Math.floor((now - this.#at) / STEP_INTERVAL_MS);
    if (earned > 0) {
      this.#tokens = Math.min(STEP_BURST, this.#tokens + earned);
      this.#at = this.#tokens === STEP_BURST ? now : this.#at + earned * STEP_INTERVAL_MS;
    }
    if (this.#tokens === 0) return false;
    this.#tokens--;
    return true;
  }
}

/** What the customer's page needs of the browser's controller of the capture being shared. */
export interface ZoomPort {
  /** The captured tab's zoom level in percent, or null when unknown. */
  level(): number | null;
  /** The levels the browser steps between, in percent. */
  levels(): readonly number[];
  /** Takes one step; rejects at the end of the range or once the capture ended. */
  step(step: ZoomStep): Promise<void>;
}

/**
 * What the customer's page shows of it: nothing (null state), the offer, or the zoom the technician may change; and
 * whether the customer's consent stands (also while paused, when they can still take it back).
 */
export type TabZoomView = { state: TabZoomState | null; isAllowed: boolean; level: number | null };

export type TabZoomHooks = {
  /** Whether this browser can zoom a captured tab at all. */
  isSupported: boolean;
  /** Tells the technician's page; a browser that cannot zoom a captured tab never calls it. */
  send(msg: TabZoom): void;
  /** Tells the room (and so the audit log) that the customer allowed it or took it back. */
  giveConsent(isGiven: boolean): void;
  onChange(view: TabZoomView): void;
  now(): number;
};

/**
 * The customer's side of the technician's zoom of a shared tab, apart from the browser: consent is given for the
 * capture shared then (anything else shared ends it), nothing is offered while paused or stopped, and a step from the
 * technician is taken only while allowed, one at a time, at the limiter's rate.
 */
export class TabZoomRules {
  readonly #hooks: TabZoomHooks;
  readonly #limiter: StepLimiter;
  #shared: { surface: Surface; port: ZoomPort | null } | null = null;
  #isLive = false;
  #isAllowed = false;
  #isStepping = false;

  constructor(hooks: TabZoomHooks) {
    this.#hooks = hooks;
    this.#limiter = new StepLimiter(hooks.now);
  }

  /** What is shared from now on (null: nothing), with the controller of its capture where there is one. */
  use(shared: { surface: Surface; port: ZoomPort | null } | null): void {
    this.#shared = shared;
    if (this.#isAllowed) this.#setAllowed(false);
    this.changed();
  }

  /** Whether the picture goes out now. */
  setLive(isLive: boolean): void {
    if (isLive === this.#isLive) return;
    this.#isLive = isLive;
    this.changed();
  }

  /** The port of what is shared now, while the customer could allow it (for the browser's own permission). */
  offeredPort(): ZoomPort | null {
    return this.state() === "offered" ? (this.#shared?.port ?? null) : null;
  }

  /** The customer allowed it, and the browser did too, for `port`; ignored if something else is shared by now. */
  allow(port: ZoomPort): void {
    if (this.offeredPort() !== port) return;
    this.#setAllowed(true);
    this.changed();
  }

  /** The customer takes it back; the tab keeps the zoom it has. */
  withdraw(): void {
    if (!this.#isAllowed) return;
    this.#setAllowed(false);
    this.changed();
  }

  /**
   * A step from the technician. Beyond the limiter's rate it is dropped unanswered (a flood gets no flood back);
   * otherwise a refused step is answered with the state as it is, and a taken one with the level it reached.
   */
  async step(step: ZoomStep): Promise<void> {
    if (!this.#limiter.take()) return;
    const port = this.#shared?.port;
    if (!port || this.state() !== "allowed" || this.#isStepping) return this.announce();
    this.#isStepping = true;
    try {
      await port.step(step);
    } catch {
      // At the end of the range, or the capture ended meanwhile: the announcement says where it is.
    } finally {
      this.#isStepping = false;
    }
    this.announce();
  }

  /** What the technician may do now; null where this browser cannot zoom a captured tab. */
  state(): TabZoomState | null {
    return tabZoomState({
      isSupported: this.#hooks.isSupported,
      surface: this.#shared?.port ? this.#shared.surface : "unknown",
      isLive: this.#isLive,
      isAllowed: this.#isAllowed,
    });
  }

  /** Tells the technician's page (on open and on every change); a browser without the API says nothing. */
  announce(): void {
    const state = this.state();
    if (state === null) return;
    const port = this.#shared?.port;
    const level = state === "unavailable" ? null : this.#level(port);
    const reach = zoomReach(state === "allowed" && port ? port.levels() : [], level);
    this.#hooks.send({ type: "tabZoom", state, level, ...reach });
  }

  /** Something changed (a state, or the level the browser reports): the page redraws and the technician hears. */
  changed(): void {
    const state = this.state();
    const level = state === "allowed" ? this.#level(this.#shared?.port) : null;
    this.#hooks.onChange({ state, isAllowed: this.#isAllowed, level });
    this.announce();
  }

  #setAllowed(isAllowed: boolean): void {
    this.#isAllowed = isAllowed;
    this.#hooks.giveConsent(isAllowed);
  }

  #level(port: ZoomPort | null | undefined): number | null {
    const level = port?.level();
    return typeof level === "number" && Number.isInteger(level) && level >= 1 && level <= 1_000 ? level : null;
  }
}
