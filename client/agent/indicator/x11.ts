/// <reference path="../input/x11.d.ts" />
import type { XClient } from "x11";
import { connect } from "../input/xtest.ts";
import { fixedFontGc, handled, overlayWindow, showOnTop } from "./x-window.ts";

// While a technician is connected, a strip at the top of the X screen says so, above every application window (an
// override-redirect window, raised again whenever it changes), with an End button: the person at the machine sees who
// is connected, and whether they control it, without looking at the terminal, and can end the session from there.
// It draws with the X server's built-in "fixed" font, which has Latin-1 characters only: text outside it shows as "?".

/** What the strip says, and its End button's label. */
export type IndicatorText = { line: string; end: string };

const HEIGHT = 24;
const END_WIDTH = 64;
const MAX_WIDTH = 720;
/** Dark red, white, and a darker red for End; as 24-bit TrueColor pixels. */
const BACKGROUND = 0x9b1c1c;
const FOREGROUND = 0xffffff;
const END_BACKGROUND = 0x5c0f0f;
/** The baseline of the 13-pixel "fixed" font, centred in the strip. */
const BASELINE = 16;
const CHAR_WIDTH = 6;

/** A character the built-in font does not have. */
const NOT_LATIN1 = /[^\u0020-\u007e\u00a0-\u00ff]/g;

/** Whether the built-in font can show all of `text`. */
export function isLatin1(text: string): boolean {
  return text.search(NOT_LATIN1) === -1;
}

/** `text` in the characters the built-in font has. */
export function latin1(text: string): string {
  return text.replace(NOT_LATIN1, "?");
}

export class X11Indicator {
  readonly #client: XClient;
  readonly #window: number;
  readonly #gc: number;
  readonly #width: number;
  #text: IndicatorText | null = null;

  private constructor(client: XClient, window: number, gc: number, width: number, onEnd: () => void) {
    this.#client = client;
    this.#window = window;
    this.#gc = gc;
    this.#width = width;
    client.on("error", () => undefined);
    client.on("event", (event) => {
      if (event.wid !== window) return;
      if (event.name === "Expose") this.#draw();
      if (event.name === "ButtonPress" && (event.x ?? 0) >= width - END_WIDTH) onEnd();
    });
  }

  /** Makes the strip (not shown yet) on `display`'s first screen; `onEnd` hears a click on End. */
  static async open(display: string, onEnd: () => void): Promise<X11Indicator> {
    const { client, root, screen } = await connect(display);
    const width = Math.min(MAX_WIDTH, screen.width);
    const box = { x: Math.round((screen.width - width) / 2), y: 0, width, height: HEIGHT };
    const window = overlayWindow(client, root, box, { background: BACKGROUND });
    const gc = fixedFontGc(client, window, FOREGROUND, BACKGROUND);
    return new X11Indicator(client, window, gc, width, onEnd);
  }

  /**
   * Shows the strip with `text` on top of everything (again), or hides it (null); resolves once the X server has
   * done so.
   */
  show(text: IndicatorText | null): Promise<void> {
    const wasShown = this.#text !== null;
    this.#text = text;
    if (text) {
      showOnTop(this.#client, this.#window);
      this.#draw();
    } else if (wasShown) {
      this.#client.UnmapWindow(this.#window);
    }
    return handled(this.#client);
  }

  close(): void {
    this.#client.terminate();
  }

  #draw(): void {
    const text = this.#text;
    if (!text) return;
    const client = this.#client;
    const room = Math.floor((this.#width - END_WIDTH - 16) / CHAR_WIDTH);
    client.ClearArea(this.#window, 0, 0, this.#width, HEIGHT, 0);
    client.ChangeGC(this.#gc, { foreground: FOREGROUND, background: BACKGROUND });
    client.ImageText8(this.#window, this.#gc, 8, BASELINE, latin1(text.line).slice(0, room));
    client.ChangeGC(this.#gc, { foreground: END_BACKGROUND });
    client.PolyFillRectangle(this.#window, this.#gc, [this.#width - END_WIDTH, 0, END_WIDTH, HEIGHT]);
    client.ChangeGC(this.#gc, { foreground: FOREGROUND, background: END_BACKGROUND });
    const end = latin1(text.end).slice(0, 9);
    client.ImageText8(this.#window, this.#gc, this.#width - (END_WIDTH + end.length * CHAR_WIDTH) / 2, BASELINE, end);
  }
}
