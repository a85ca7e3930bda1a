/// <reference path="../../../client/agent/input/x11.d.ts" />
import type { XClient } from "x11";
import type { InputAction } from "../../../client/agent/input/InputGate.ts";
import { connect } from "../../../client/agent/input/xtest.ts";

// A test's own connection to an X server (Xvfb), to read back what the server believes after the agent's input:
// where the pointer is, which buttons and modifiers are down, which keys are held; and what the screen shows, down to
// which windows are up with which title.

/** What a person's left click at `at` is, as XTEST actions (XTestInput.perform): there, down, up. */
export function clickAt(at: { x: number; y: number }): InputAction[] {
  return [
    { kind: "move", x: at.x, y: at.y },
    { kind: "button", button: "left", isDown: true },
    { kind: "button", button: "left", isDown: false },
  ];
}

/** What a person's press of a key (by its code and Linux input event code: Enter, 28) is, as XTEST actions: down, up. */
export function pressKey(code: string, linuxCode: number): InputAction[] {
  return [
    { kind: "key", code, linuxCode, isDown: true },
    { kind: "key", code, linuxCode, isDown: false },
  ];
}

/** X keycodes (Linux input event code + 8) and state masks. */
export const KEYCODE = { A: 30 + 8, SHIFT_LEFT: 42 + 8, CONTROL_LEFT: 29 + 8 };
export const MASK = { SHIFT: 1, CONTROL: 4, BUTTON1: 0x100, BUTTON3: 0x400 };

/** What the X server says about its pointer and keyboard, asked over a connection of the test's own. */
export class XReader {
  constructor(
    readonly client: XClient,
    readonly root: number,
  ) {}

  /** Connects to `display` (":99"). */
  static async open(display: string): Promise<XReader> {
    const { client, root } = await connect(display);
    return new XReader(client, root);
  }

  close(): void {
    this.client.terminate();
  }

  pointer(): Promise<{ x: number; y: number; mask: number }> {
    return new Promise((resolve, reject) =>
      this.client.QueryPointer(this.root, (error, p) =>
        error ? reject(error) : resolve({ x: p.rootX, y: p.rootY, mask: p.keyMask }),
      ),
    );
  }

  /** The colour of the screen's pixel at `x`, `y` (a 24-bit TrueColor pixel, 0xrrggbb). */
  pixel(x: number, y: number): Promise<number> {
    const Z_PIXMAP = 2;
    return new Promise((resolve, reject) =>
      this.client.GetImage(Z_PIXMAP, this.root, x, y, 1, 1, 0xffffffff, (error, image) =>
        error ? reject(error) : resolve(Buffer.from(image.data).readUInt32LE(0) & 0xffffff),
      ),
    );
  }

  /** The X keycodes held down now. */
  async keysDown(): Promise<number[]> {
    const bits = await new Promise<Uint8Array>((resolve, reject) =>
      this.client.QueryKeymap((error, keys) => (error ? reject(error) : resolve(keys))),
    );
    const down: number[] = [];
    bits.forEach((byte, index) => {
      for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) down.push(index * 8 + bit);
    });
    return down;
  }

  /**
   * The windows on the screen titled `title` (their _NET_WM_NAME, as a window manager's title bar shows it), among the
   * top-level windows that are mapped (with no window manager on Xvfb, an application's windows are the root's
   * children), each with the process that says it made it (_NET_WM_PID). The process tells one application's window
   * from the next one's: an X server gives a new client the window ids of one gone before it.
   */
  async windowsTitled(title: string): Promise<{ window: number; pid: number }[]> {
    type Raw = {
      QueryTree(window: number, callback: (error: Error | null, tree: { children: number[] }) => void): void;
      GetWindowAttributes(
        window: number,
        callback: (error: Error | null, attributes: { mapState: number }) => void,
      ): void;
      GetProperty(
        remove: number,
        window: number,
        property: number,
        type: number,
        offset: number,
        length: number,
        callback: (error: Error | null, value: { data: Buffer }) => void,
      ): void;
    };
    const raw = this.client as unknown as Raw;
    const [name = 0, utf8 = 0, pidAtom = 0, cardinal = 0] = await Promise.all(
      ["_NET_WM_NAME", "UTF8_STRING", "_NET_WM_PID", "CARDINAL"].map((atom) => this.#atom(atom)),
    );
    const { children } = await new Promise<{ children: number[] }>((resolve, reject) =>
      raw.QueryTree(this.root, (error, tree) => (error ? reject(error) : resolve(tree))),
    );
    // A window may go while it is read: then it is not there.
    const property = (window: number, atom: number, type: number) =>
      new Promise<Buffer>((resolve) =>
        raw.GetProperty(0, window, atom, type, 0, 1024, (error, value) =>
          resolve(error ? Buffer.alloc(0) : Buffer.from(value.data)),
        ),
      );
    const VIEWABLE = 2;
    const titled: { window: number; pid: number }[] = [];
    for (const window of children) {
      const [mapState, shown, pid] = await Promise.all([
        new Promise<number>((resolve) =>
          raw.GetWindowAttributes(window, (error, attributes) => resolve(error ? 0 : attributes.mapState)),
        ),
        property(window, name, utf8),
        property(window, pidAtom, cardinal),
      ]);
      if (mapState === VIEWABLE && shown.toString("utf8") === title) {
        titled.push({ window, pid: pid.length >= 4 ? pid.readUInt32LE(0) : 0 });
      }
    }
    return titled;
  }

  /**
   * Gives `window` the keyboard focus, as a window manager does with the window a person clicks; resolves once the
   * server has done so, so that keys sent on another connection afterwards go to it.
   */
  async focus(window: number): Promise<void> {
    const POINTER_ROOT = 1;
    (this.client as unknown as { SetInputFocus(window: number, revertTo: number): void }).SetInputFocus(
      window,
      POINTER_ROOT,
    );
    await this.pointer();
  }

  #atom(name: string): Promise<number> {
    const raw = this.client as unknown as {
      InternAtom(onlyIfExists: boolean, name: string, callback: (error: Error | null, atom: number) => void): void;
    };
    return new Promise((resolve, reject) =>
      raw.InternAtom(false, name, (error, atom) => (error ? reject(error) : resolve(atom))),
    );
  }

  /**
   * Lays the screen out as the monitors `rects` (RandR 1.5's SetMonitor, as `xrandr --setmonitor` does): a multi-head
   * desktop on one virtual screen. The first monitor takes Xvfb's one output, whose own monitor then goes.
   */
  async setMonitors(rects: readonly { x: number; y: number; width: number; height: number }[]): Promise<void> {
    type RandR = {
      majorOpcode: number;
      GetScreenResources(window: number, callback: (error: Error | null, res: { outputs: number[] }) => void): void;
    };
    type Raw = {
      require(name: "randr", callback: (error: Error | null, ext: RandR) => void): void;
      InternAtom(onlyIfExists: boolean, name: string, callback: (error: Error | null, atom: number) => void): void;
      seq_num: number;
      pack_stream: { put(buffer: Buffer): void; flush(): void };
    };
    const raw = this.client as unknown as Raw;
    const randr = await new Promise<RandR>((resolve, reject) =>
      raw.require("randr", (error, ext) => (error ? reject(error) : resolve(ext))),
    );
    const { outputs } = await new Promise<{ outputs: number[] }>((resolve, reject) =>
      randr.GetScreenResources(this.root, (error, res) => (error ? reject(error) : resolve(res))),
    );
    const SET_MONITOR = 43;
    for (const [index, rect] of rects.entries()) {
      const name = await new Promise<number>((resolve, reject) =>
        raw.InternAtom(false, `TEST-${index + 1}`, (error, atom) => (error ? reject(error) : resolve(atom))),
      );
      const owned = index === 0 ? outputs.slice(0, 1) : [];
      // The request, then MONITORINFO: name, primary, automatic, its outputs, geometry, size in millimetres (any).
      const request = Buffer.alloc(8 + 24 + 4 * owned.length);
      request.writeUInt8(randr.majorOpcode, 0);
      request.writeUInt8(SET_MONITOR, 1);
      request.writeUInt16LE(request.length / 4, 2);
      request.writeUInt32LE(this.root, 4);
      request.writeUInt32LE(name, 8);
      request.writeUInt8(index === 0 ? 1 : 0, 12);
      request.writeUInt16LE(owned.length, 14);
      request.writeInt16LE(rect.x, 16);
      request.writeInt16LE(rect.y, 18);
      request.writeUInt16LE(rect.width, 20);
      request.writeUInt16LE(rect.height, 22);
      request.writeUInt32LE(300, 24);
      request.writeUInt32LE(200, 28);
      for (const [i, output] of owned.entries()) request.writeUInt32LE(output, 32 + 4 * i);
      raw.seq_num++;
      raw.pack_stream.put(request);
      raw.pack_stream.flush();
    }
    // A round trip: the requests above are done once its answer comes.
    await this.pointer();
  }
}

/**
 * A window of the test's own that holds the keyboard focus and writes down the text its key presses type, read with
 * the server's keyboard mapping (Shift or Caps Lock picks a key's second symbol; Latin-1 symbols only).
 */
export class XTextWindow {
  text = "";

  private constructor(
    private readonly client: XClient,
    private readonly window: number,
  ) {}

  /** Opens the window on `display` (":99"), gives it the focus, and listens. */
  static async open(display: string): Promise<XTextWindow> {
    const { client, root } = await connect(display);
    type Raw = {
      SetInputFocus(window: number, revertTo: number): void;
      GetKeyboardMapping(first: number, count: number, callback: (error: Error | null, map: number[][]) => void): void;
    };
    const raw = client as unknown as Raw;
    const FIRST_KEYCODE = 8;
    const map = await new Promise<number[][]>((resolve, reject) =>
      raw.GetKeyboardMapping(FIRST_KEYCODE, 248, (error, keys) => (error ? reject(error) : resolve(keys))),
    );
    const window = client.AllocID();
    const KEY_PRESS = 0x1;
    client.CreateWindow(window, root, 0, 0, 320, 200, 0, 0, 1, 0, { eventMask: KEY_PRESS });
    client.MapWindow(window);
    raw.SetInputFocus(window, 1);
    const typed = new XTextWindow(client, window);
    client.on("event", (event) => {
      const press = event as { name: string; wid?: number; keycode?: number; buttons?: number };
      if (press.name !== "KeyPress" || press.wid !== window) return;
      const symbols = map[(press.keycode ?? 0) - FIRST_KEYCODE] ?? [];
      const SHIFT_OR_LOCK = 0x3;
      const symbol = ((press.buttons ?? 0) & SHIFT_OR_LOCK ? symbols[1] : symbols[0]) ?? 0;
      if (symbol >= 0x20 && symbol <= 0xff) typed.text += String.fromCharCode(symbol);
    });
    // A round trip: the window is up and focused once its answer comes.
    await new XReader(client, root).pointer();
    return typed;
  }

  close(): void {
    this.client.DestroyWindow(this.window);
    this.client.terminate();
  }
}
