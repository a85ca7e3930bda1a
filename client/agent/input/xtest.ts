/// <reference path="./x11.d.ts" />
import x11, { type XClient, type XTestExtension } from "x11";
import { handled } from "../indicator/x-window.ts";
import type { InputAction, MouseButton, ScreenArea } from "./InputGate.ts";
import type { InputSink } from "./input.ts";

// The agent's input on X11: the X server's XTEST extension over one long-lived connection (the x11 package, a pure
// JavaScript X client; no process per event, no native code), which makes the server act as if the keyboard and mouse
// did it. Only what the gate (InputGate.ts) let through and turned into actions reaches it.

/** X's pointer buttons. */
const BUTTONS: Record<MouseButton, number> = { left: 1, middle: 2, right: 3 };
/** X's wheel: one press and release of these buttons is one step up, down, left, right. */
const WHEEL = { up: 4, down: 5, left: 6, right: 7 } as const;
/** An X keycode is the Linux input event code plus 8 (the evdev keymap of every current X server). */
const X_KEYCODE_OFFSET = 8;
/** XTEST's "now", and MotionNotify's "absolute" (not relative) detail. */
const CURRENT_TIME = 0;
const ABSOLUTE = 0;
/** The shortcut that ends control: End (Linux code 107) with Control and Alt (X's Mod1) held. */
const SHORTCUT_KEYCODE = 107 + X_KEYCODE_OFFSET;
const CONTROL_MASK = 4;
const ALT_MASK = 8;
/** Caps Lock and Num Lock (Mod2) change the modifier state too: the shortcut is grabbed with and without each. */
const LOCK_MASKS = [0, 2, 16, 2 | 16];
const GRAB_MODE_ASYNC = 1;

/** One connection to an X display, with its first screen's root window and size. */
export type Connected = { client: XClient; root: number; screen: ScreenArea };

/** Connects to `display` (":99"); rejects, saying why, if it cannot or the display has no screen. */
export function connect(display: string): Promise<Connected> {
  return new Promise((resolve, reject) => {
    x11.createClient({ display }, (error, connected) => {
      const first = connected?.screen[0];
      if (error || first === undefined) reject(error ?? new Error(`display ${display} has no screen`));
      else {
        const screen = { x: 0, y: 0, width: first.pixel_width, height: first.pixel_height };
        resolve({ client: connected.client, root: first.root, screen });
      }
    });
  });
}

function requireXTest(client: XClient): Promise<XTestExtension> {
  return new Promise((resolve, reject) =>
    client.require("xtest", (error, ext) => (error ? reject(error) : resolve(ext))),
  );
}

/** Input through XTEST on one X display (see above). */
export class XTestInput implements InputSink {
  readonly #client: XClient;
  readonly #xtest: XTestExtension;
  readonly #root: number;
  /** The display's first screen, which the capture grabs: where the technician's pointer lands. */
  readonly screen: ScreenArea;
  #isClosed = false;

  private constructor({ client, root, screen }: Connected, xtest: XTestExtension) {
    this.#client = client;
    this.#xtest = xtest;
    this.#root = root;
    this.screen = screen;
    // An X error (a request the server refused) must not take the agent down; the next action is tried as usual.
    client.on("error", () => undefined);
    client.on("end", () => {
      this.#isClosed = true;
    });
  }

  /** Connects to `display` (":99") and makes sure its server has XTEST; rejects, saying why, if not. */
  static async open(display: string): Promise<XTestInput> {
    const connected = await connect(display);
    try {
      return new XTestInput(connected, await requireXTest(connected.client));
    } catch (error) {
      connected.client.terminate();
      throw error;
    }
  }

  perform(actions: readonly InputAction[]): Promise<void> {
    if (this.#isClosed || actions.length === 0) return Promise.resolve();
    for (const action of actions) this.#fake(action);
    return handled(this.#client);
  }

  /**
   * Grabs Ctrl+Alt+End on the whole display: the X server gives it to the agent rather than to any application, from
   * the keyboard or from XTEST alike, and `listener` hears each press.
   */
  onShortcut(listener: () => void): void {
    for (const locks of LOCK_MASKS) {
      const modifiers = CONTROL_MASK | ALT_MASK | locks;
      this.#client.GrabKey(this.#root, 0, modifiers, SHORTCUT_KEYCODE, GRAB_MODE_ASYNC, GRAB_MODE_ASYNC);
    }
    this.#client.on("event", (event) => {
      if (event.name === "KeyPress" && event.keycode === SHORTCUT_KEYCODE) listener();
    });
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#client.terminate();
  }

  #fake(action: InputAction): void {
    const x = this.#xtest;
    switch (action.kind) {
      case "move":
        x.FakeInput(x.MotionNotify, ABSOLUTE, CURRENT_TIME, this.#root, action.x, action.y);
        return;
      case "button":
        this.#press(BUTTONS[action.button], action.isDown);
        return;
      case "key": {
        const keycode = action.linuxCode + X_KEYCODE_OFFSET;
        // X keycodes are one byte; the gate knows no key beyond, but nothing else may reach the server.
        if (keycode > 255) return;
        x.FakeInput(action.isDown ? x.KeyPress : x.KeyRelease, keycode, CURRENT_TIME, 0, 0, 0);
        return;
      }
      case "scroll":
        this.#steps(action.dy > 0 ? WHEEL.down : WHEEL.up, Math.abs(action.dy));
        this.#steps(action.dx > 0 ? WHEEL.right : WHEEL.left, Math.abs(action.dx));
        return;
    }
  }

  #press(button: number, isDown: boolean): void {
    const x = this.#xtest;
    x.FakeInput(isDown ? x.ButtonPress : x.ButtonRelease, button, CURRENT_TIME, 0, 0, 0);
  }

  #steps(button: number, count: number): void {
    for (let step = 0; step < count; step++) {
      this.#press(button, true);
      this.#press(button, false);
    }
  }
}
