import type { ControlMessage, TabZoomState, ZoomStep } from "#protocol/control.ts";
import { StepLimiter, tabZoomState, zoomReach } from "../../../core/tab-zoom.ts";
import { surfaceOf } from "../rtc/screen.ts";

// The technician's zoom of a browser tab the customer shares, on the customer's page: Chromium's Captured Surface
// Control, whose CaptureController goes into getDisplayMedia with the capture and zooms the captured tab. It is a
// consent of its own: offered only while a tab is shared live, given by the customer's click (which also asks the
// browser's own permission), taken back by a click or by sharing anything else, and logged by the room as each
// consent is. Scrolling is not offered: Chromium forwards only the person's own wheel events over the element that
// CaptureController.forwardWheel registers (a WheelEvent a page dispatches is not forwarded), so a page cannot turn a
// technician's scroll into one.

/** The part of Chromium's CaptureController this page uses (not in every TypeScript DOM library yet). */
type ZoomController = EventTarget & {
  readonly zoomLevel: number | null;
  getSupportedZoomLevels(): number[];
  increaseZoomLevel(): Promise<void>;
  decreaseZoomLevel(): Promise<void>;
  resetZoomLevel(): Promise<void>;
  forwardWheel(element: HTMLElement | null): Promise<void>;
};

type ControllerClass = new () => ZoomController;

/** Chromium's CaptureController where it can zoom a captured tab; undefined elsewhere (Firefox, Safari, phones). */
function controllerClass(): ControllerClass | undefined {
  const found = (globalThis as { CaptureController?: ControllerClass & { prototype: object } }).CaptureController;
  return found && "increaseZoomLevel" in found.prototype && "forwardWheel" in found.prototype ? found : undefined;
}

/**
 * What the customer's page shows of it: nothing (null state), the offer, or the zoom the technician may change; and
 * whether the customer's consent stands (also while paused, when they can still take it back).
 */
export type TabZoomView = { state: TabZoomState | null; isAllowed: boolean; level: number | null };

export type TabZoomHooks = {
  /** Sends on the control channel; false when it is not open. */
  sendControl(msg: ControlMessage): boolean;
  /** Tells the room (and so the audit log) that the customer allowed it or took it back. */
  giveConsent(isGiven: boolean): void;
  onChange(view: TabZoomView): void;
  now(): number;
};

export class TabZoomControl {
  readonly #hooks: TabZoomHooks;
  readonly #class = controllerClass();
  readonly #limiter: StepLimiter;
  /** The controller made for the capture being picked, and the one of the capture being shared. */
  #next: ZoomController | null = null;
  #controller: ZoomController | null = null;
  #track: MediaStreamTrack | null = null;
  #isLive = false;
  #isAllowed = false;
  /** A step under way: the next waits for it, or is dropped. */
  #isStepping = false;

  constructor(hooks: TabZoomHooks) {
    this.#hooks = hooks;
    this.#limiter = new StepLimiter(hooks.now);
  }

  /** A controller to pass to getDisplayMedia for the next pick, where this browser has one. */
  nextController(): ZoomController | undefined {
    this.#next = this.#class ? new this.#class() : null;
    return this.#next ?? undefined;
  }

  /**
   * What is shared from now on (null: nothing). Consent was given for the tab shared then: anything else shared ends
   * it, and the customer allows again for the new one.
   */
  use(track: MediaStreamTrack | null): void {
    if (track === this.#track) return;
    this.#track = track;
    const controller = track ? this.#next : null;
    this.#next = null;
    this.#controller = controller;
    controller?.addEventListener("zoomlevelchange", () => {
      if (this.#controller === controller) this.#changed();
    });
    if (this.#isAllowed) this.#setAllowed(false);
    this.#changed();
  }

  /** Whether the picture goes out now; a paused or stopped share offers nothing. */
  setLive(isLive: boolean): void {
    if (isLive === this.#isLive) return;
    this.#isLive = isLive;
    this.#changed();
  }

  /**
   * The customer's "Allow zoom" click: asks the browser's own permission (forwardWheel is the call that asks it, and
   * only inside a click), then stops forwarding the customer's wheel again. False when the browser refused.
   */
  async allow(clicked: HTMLElement): Promise<boolean> {
    const controller = this.#controller;
    if (!controller || this.state() !== "offered") return false;
    try {
      await controller.forwardWheel(clicked);
      await controller.forwardWheel(null);
    } catch {
      return false;
    }
    if (controller !== this.#controller) return false;
    this.#setAllowed(true);
    this.#changed();
    return true;
  }

  /** The customer takes it back; the tab keeps the zoom it has. */
  withdraw(): void {
    if (!this.#isAllowed) return;
    this.#setAllowed(false);
    this.#changed();
  }

  /**
   * A step from the technician: applied only while allowed, one at a time. Beyond the limiter's rate a step is dropped
   * unanswered (a flood gets no flood back); otherwise a refused step is answered with the state as it is.
   */
  async step(step: ZoomStep): Promise<void> {
    if (!this.#limiter.take()) return;
    const controller = this.#controller;
    if (!controller || this.state() !== "allowed" || this.#isStepping) return this.announce();
    this.#isStepping = true;
    try {
      if (step === "in") await controller.increaseZoomLevel();
      else if (step === "out") await controller.decreaseZoomLevel();
      else await controller.resetZoomLevel();
    } catch {
      // Already at the end of the range, or the capture ended meanwhile: the announcement below says where it is.
    } finally {
      this.#isStepping = false;
    }
    this.announce();
  }

  /** What the technician may do now; null where this browser cannot zoom a captured tab. */
  state(): TabZoomState | null {
    return tabZoomState({
      isSupported: this.#class !== undefined,
      surface: this.#controller ? surfaceOf(this.#track) : "unknown",
      isLive: this.#isLive,
      isAllowed: this.#isAllowed,
    });
  }

  /** Tells the technician's page (on open and on every change); a browser without the API says nothing. */
  announce(): void {
    const state = this.state();
    if (state === null) return;
    const level = state === "unavailable" ? null : this.#level();
    const reach = zoomReach(state === "allowed" ? this.#levels() : [], level);
    this.#hooks.sendControl({ type: "tabZoom", state, level, ...reach });
  }

  #setAllowed(isAllowed: boolean): void {
    this.#isAllowed = isAllowed;
    this.#hooks.giveConsent(isAllowed);
  }

  #changed(): void {
    const state = this.state();
    this.#hooks.onChange({ state, isAllowed: this.#isAllowed, level: state === "allowed" ? this.#level() : null });
    this.announce();
  }

  #level(): number | null {
    const level = this.#controller?.zoomLevel;
    return typeof level === "number" && Number.isInteger(level) && level >= 1 && level <= 1_000 ? level : null;
  }

  #levels(): number[] {
    try {
      return this.#controller?.getSupportedZoomLevels() ?? [];
    } catch {
      return [];
    }
  }
}
