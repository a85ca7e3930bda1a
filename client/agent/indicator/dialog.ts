/// <reference path="../input/x11.d.ts" />
import type { XClient } from "x11";
import { connect } from "../input/xtest.ts";
import { type Box, fixedFontGc, handled, overlayWindow, showOnTop } from "./x-window.ts";
import { latin1 } from "./x11.ts";

// Where a display exists, the agent asks the person at the machine in a dialog on the screen as well as in the
// terminal: who is asking, the verification code, and each consent, with a button for each answer. It is an
// override-redirect window in the middle of the screen, above every application window, drawn with the X server's
// built-in "fixed" font (Latin-1 only, like the strip). Whichever the person answers first, the dialog or the
// terminal, counts; the other then moves on to the next question.

/** What the dialog shows: lines of text, then its two answers' buttons. */
export type DialogText = { lines: string[]; yes: string; no: string };

/**
 * The question on the screen (toolkit-dialog.ts in the desktop's toolkit, this file's X11Dialog otherwise).
 * `isUnicode`: it shows every language's characters; without it, Latin-1 only.
 */
export type Dialog = { show(text: DialogText | null): unknown; close(): void; readonly isUnicode?: boolean };

/** Where the dialog and its buttons go on a screen: the window on the screen, the buttons in the window. */
export type DialogLayout = { window: Box; lines: string[]; yes: Box; no: Box };

const MAX_WIDTH = 560;
const PADDING = 16;
const LINE_HEIGHT = 16;
const BUTTON_HEIGHT = 28;
const BUTTON_GAP = 16;
/** The "fixed" font's cell: 6 pixels wide, its baseline 10 pixels below a line's top. */
const CHAR_WIDTH = 6;
const ASCENT = 10;
const BACKGROUND = 0xf5f5f5;
const FOREGROUND = 0x111111;
const BORDER = 0x9b1c1c;
/** The buttons' colours (24-bit TrueColor pixels): blue for the answer that goes on, dark red for the other. */
export const BUTTON_COLOURS = { yes: 0x1d4ed8, no: 0x5c0f0f } as const;
const BUTTON_TEXT = 0xffffff;

/** `text` broken at spaces into lines of at most `room` characters (a longer word is cut). */
export function wrap(text: string, room: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (next.length <= room) {
      line = next;
      continue;
    }
    if (line) lines.push(line);
    let rest = word;
    while (rest.length > room) {
      lines.push(rest.slice(0, room));
      rest = rest.slice(room);
    }
    line = rest;
  }
  if (line) lines.push(line);
  return lines;
}

/** The dialog's place in the middle of a `screen`, its text wrapped to fit, and its buttons under the text. */
export function dialogLayout(screen: { width: number; height: number }, text: DialogText): DialogLayout {
  const width = Math.min(MAX_WIDTH, screen.width - 2 * PADDING);
  const room = Math.floor((width - 2 * PADDING) / CHAR_WIDTH);
  const lines = text.lines.flatMap((line) => (line === "" ? [""] : wrap(latin1(line), room)));
  const height = PADDING + lines.length * LINE_HEIGHT + PADDING + BUTTON_HEIGHT + PADDING;
  const buttonWidth = (label: string) => Math.max(96, latin1(label).length * CHAR_WIDTH + 2 * PADDING);
  const top = PADDING + lines.length * LINE_HEIGHT + PADDING;
  const yes = { x: PADDING, y: top, width: buttonWidth(text.yes), height: BUTTON_HEIGHT };
  const no = { x: yes.x + yes.width + BUTTON_GAP, y: top, width: buttonWidth(text.no), height: BUTTON_HEIGHT };
  const window = {
    x: Math.max(0, Math.round((screen.width - width) / 2)),
    y: Math.max(0, Math.round((screen.height - height) / 2)),
    width,
    height,
  };
  return { window, lines, yes, no };
}

function isInside(box: Box, x: number, y: number): boolean {
  return x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
}

export class X11Dialog {
  readonly #client: XClient;
  readonly #root: number;
  readonly #screen: { width: number; height: number };
  readonly #onAnswer: (shown: DialogText, isYes: boolean) => void;
  #window: number | null = null;
  readonly #gc: number;
  #shown: { text: DialogText; layout: DialogLayout } | null = null;

  private constructor(
    client: XClient,
    root: number,
    screen: { width: number; height: number },
    onAnswer: (shown: DialogText, isYes: boolean) => void,
  ) {
    this.#client = client;
    this.#root = root;
    this.#screen = screen;
    this.#onAnswer = onAnswer;
    this.#gc = fixedFontGc(client, root, FOREGROUND, BACKGROUND);
    client.on("error", () => undefined);
    client.on("event", (event) => {
      const shown = this.#shown;
      if (!shown || event.wid !== this.#window) return;
      if (event.name === "Expose") this.#draw();
      if (event.name !== "ButtonPress") return;
      const [x, y] = [event.x ?? -1, event.y ?? -1];
      if (isInside(shown.layout.yes, x, y)) this.#onAnswer(shown.text, true);
      else if (isInside(shown.layout.no, x, y)) this.#onAnswer(shown.text, false);
    });
  }

  /**
   * Connects to `display`'s first screen (nothing shown yet); `onAnswer` hears a click on a button, with the text
   * the dialog showed when it was clicked.
   */
  static async open(display: string, onAnswer: (shown: DialogText, isYes: boolean) => void): Promise<X11Dialog> {
    const { client, root, screen } = await connect(display);
    return new X11Dialog(client, root, screen, onAnswer);
  }

  /** Shows `text` on top of everything, or takes the dialog away (null); resolves once the X server has done so. */
  show(text: DialogText | null): Promise<void> {
    const client = this.#client;
    if (this.#window !== null) {
      // A question of another size: a window of its size, in place of the old one.
      client.DestroyWindow(this.#window);
      this.#window = null;
    }
    this.#shown = null;
    if (text) {
      const layout = dialogLayout(this.#screen, text);
      const window = overlayWindow(client, this.#root, layout.window, {
        background: BACKGROUND,
        border: { colour: BORDER, width: 2 },
      });
      this.#window = window;
      this.#shown = { text, layout };
      showOnTop(client, window);
      this.#draw();
    }
    return handled(client);
  }

  close(): void {
    this.#client.terminate();
  }

  #draw(): void {
    const shown = this.#shown;
    const window = this.#window;
    if (!shown || window === null) return;
    const client = this.#client;
    const { layout } = shown;
    client.ClearArea(window, 0, 0, layout.window.width, layout.window.height, 0);
    client.ChangeGC(this.#gc, { foreground: FOREGROUND, background: BACKGROUND });
    layout.lines.forEach((line, index) => {
      if (line) client.ImageText8(window, this.#gc, PADDING, PADDING + index * LINE_HEIGHT + ASCENT, line);
    });
    for (const [box, label, colour] of [
      [layout.yes, shown.text.yes, BUTTON_COLOURS.yes],
      [layout.no, shown.text.no, BUTTON_COLOURS.no],
    ] as const) {
      client.ChangeGC(this.#gc, { foreground: colour });
      client.PolyFillRectangle(window, this.#gc, [box.x, box.y, box.width, box.height]);
      client.ChangeGC(this.#gc, { foreground: BUTTON_TEXT, background: colour });
      const shownLabel = latin1(label);
      const textX = box.x + Math.round((box.width - shownLabel.length * CHAR_WIDTH) / 2);
      client.ImageText8(window, this.#gc, textX, box.y + Math.round(BUTTON_HEIGHT / 2) + 4, shownLabel);
    }
  }
}
