/// <reference path="../input/x11.d.ts" />
import type { XClient } from "x11";

// What the strip (x11.ts) and the built-in dialog (dialog.ts) share on an X display: a window above every application
// window (override-redirect), drawn with the X server's built-in "fixed" font, that hears when to draw and where it
// was clicked; and the round trip that says the server has done what it was asked.

const EXPOSURE = 0x8000;
const BUTTON_PRESS = 0x4;

/** A rectangle in pixels. */
export type Box = { x: number; y: number; width: number; height: number };

/** A graphics context on `drawable` with the built-in "fixed" font, drawing `foreground` on `background`. */
export function fixedFontGc(client: XClient, drawable: number, foreground: number, background: number): number {
  const font = client.AllocID();
  client.OpenFont(font, "fixed");
  const gc = client.AllocID();
  client.CreateGC(gc, drawable, { foreground, background, font });
  return gc;
}

/**
 * An override-redirect window in `parent` at `box`, not shown yet, hearing its exposures and button presses; with a
 * border `borderWidth` pixels wide in `border`, if given.
 */
export function overlayWindow(
  client: XClient,
  parent: number,
  box: Box,
  looks: { background: number; border?: { colour: number; width: number } },
): number {
  const window = client.AllocID();
  const { x, y, width, height } = box;
  client.CreateWindow(window, parent, x, y, width, height, looks.border?.width ?? 0, 0, 0, 0, {
    backgroundPixel: looks.background,
    ...(looks.border ? { borderPixel: looks.border.colour } : {}),
    overrideRedirect: 1,
    eventMask: EXPOSURE | BUTTON_PRESS,
  });
  return window;
}

/** Shows `window` above every other, again if it was already. */
export function showOnTop(client: XClient, window: number): void {
  client.MapWindow(window);
  client.RaiseWindow(window);
}

/** Resolves once the X server has handled every request sent before: requests are handled in order. */
export function handled(client: XClient): Promise<void> {
  return new Promise((resolve) => client.GetInputFocus(() => resolve()));
}
