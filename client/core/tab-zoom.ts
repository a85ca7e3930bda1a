import type { Surface, TabZoomState } from "#protocol/control.ts";

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
