/// <reference path="../input/x11.d.ts" />
import { MAX_SCREENS, type ScreenRect } from "#protocol/control.ts";
import { connect } from "../input/xtest.ts";

// The screens (monitors) of an X display, as its desktop lays them out: the Xinerama extension's list, which the X
// server builds from RandR's monitors on a multi-head desktop (or from its Xinerama screens). The agent shows one of
// them at a time, the first (the primary) to begin with; the technician picks another from the viewer.

/** How long closing the connection may take before the agent goes on regardless. */
const CLOSE_WAIT_MS = 1_000;

/**
 * The screens `listed` by the X server, cut to the root window (`root`), without empty or repeated ones, at most
 * MAX_SCREENS; the whole root when none is left.
 */
export function usableScreens(listed: readonly ScreenRect[], root: ScreenRect): ScreenRect[] {
  const screens: ScreenRect[] = [];
  for (const screen of listed) {
    const x = Math.max(screen.x, root.x);
    const y = Math.max(screen.y, root.y);
    const width = Math.min(screen.x + screen.width, root.x + root.width) - x;
    const height = Math.min(screen.y + screen.height, root.y + root.height) - y;
    if (width <= 0 || height <= 0) continue;
    const cut = { x, y, width, height };
    if (screens.some((s) => s.x === x && s.y === y && s.width === width && s.height === height)) continue;
    screens.push(cut);
    if (screens.length === MAX_SCREENS) break;
  }
  return screens.length > 0 ? screens : [root];
}

/** The screens of X `display` (see above); rejects only when the display cannot be reached. */
export async function x11Screens(display: string): Promise<ScreenRect[]> {
  const { client, screen } = await connect(display);
  client.on("error", () => undefined);
  try {
    const listed = await new Promise<ScreenRect[]>((resolve) => {
      client.require("xinerama", (error, ext) => {
        if (error || !ext) resolve([]);
        else ext.QueryScreens((queryError, screens) => resolve(queryError ? [] : screens));
      });
    });
    return usableScreens(listed, screen);
  } finally {
    // The connection is closed once the server ended it: a new one opened before that can be refused.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_WAIT_MS);
      client.on("end", () => {
        clearTimeout(timer);
        resolve();
      });
      client.terminate();
    });
  }
}
