import type { ControlMessage, ZoomStep } from "#protocol/control.ts";
import { type TabZoomHooks, TabZoomRules, type ZoomPort } from "../../../core/tab-zoom.ts";
import { surfaceOf } from "../rtc/screen.ts";

export type { TabZoomView } from "../../../core/tab-zoom.ts";

// The technician's zoom of a browser tab the customer shares, on the customer's page: Chromium's Captured Surface
// Control, whose CaptureController goes into getDisplayMedia with the capture and zooms the captured tab. The rules
// (consent per capture, nothing while paused, the step limiter) are client/core/tab-zoom.ts; this adapts the browser.
// Scrolling is not offered: Chromium forwards only the person's own wheel events over the element that
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

/** The rules' view of one controller. */
function portOf(controller: ZoomController): ZoomPort {
  return {
    level: () => controller.zoomLevel,
    levels: () => {
      try {
        return controller.getSupportedZoomLevels();
      } catch {
        return [];
      }
    },
    step: (step: ZoomStep) =>
      step === "in"
        ? controller.increaseZoomLevel()
        : step === "out"
          ? controller.decreaseZoomLevel()
          : controller.resetZoomLevel(),
  };
}

export class TabZoomControl {
  readonly #class = controllerClass();
  readonly #rules: TabZoomRules;
  /** The controller made for the capture being picked, and the ports of the captures shared. */
  #next: ZoomController | null = null;
  readonly #ports = new WeakMap<ZoomPort, ZoomController>();
  #track: MediaStreamTrack | null = null;

  constructor(hooks: Omit<TabZoomHooks, "isSupported" | "send"> & { sendControl(msg: ControlMessage): boolean }) {
    this.#rules = new TabZoomRules({
      ...hooks,
      isSupported: this.#class !== undefined,
      send: (msg) => hooks.sendControl(msg),
    });
  }

  /** A controller to pass to getDisplayMedia for the next pick, where this browser has one. */
  nextController(): ZoomController | undefined {
    this.#next = this.#class ? new this.#class() : null;
    return this.#next ?? undefined;
  }

  /** What is shared from now on (null: nothing): consent given for what was shared before ends with it. */
  use(track: MediaStreamTrack | null): void {
    if (track === this.#track) return;
    this.#track = track;
    const controller = track ? this.#next : null;
    this.#next = null;
    if (!track) {
      this.#rules.use(null);
      return;
    }
    let port: ZoomPort | null = null;
    if (controller) {
      port = portOf(controller);
      this.#ports.set(port, controller);
      controller.addEventListener("zoomlevelchange", () => {
        if (this.#track === track) this.#rules.changed();
      });
    }
    this.#rules.use({ surface: surfaceOf(track), port });
  }

  setLive(isLive: boolean): void {
    this.#rules.setLive(isLive);
  }

  /**
   * The customer's "Allow" click: asks the browser's own permission (forwardWheel is the call that asks it, and only
   * inside a click), then stops forwarding the customer's wheel again. False when the browser refused.
   */
  async allow(clicked: HTMLElement): Promise<boolean> {
    const port = this.#rules.offeredPort();
    const controller = port ? this.#ports.get(port) : undefined;
    if (!port || !controller) return false;
    try {
      await controller.forwardWheel(clicked);
      await controller.forwardWheel(null);
    } catch {
      return false;
    }
    this.#rules.allow(port);
    return true;
  }

  withdraw(): void {
    this.#rules.withdraw();
  }

  step(step: ZoomStep): Promise<void> {
    return this.#rules.step(step);
  }

  announce(): void {
    this.#rules.announce();
  }
}
