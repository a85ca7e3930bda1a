/// <reference path="../../../client/agent/input/x11.d.ts" />
import type { XClient } from "x11";
import { connect } from "../../../client/agent/input/xtest.ts";

// A test's own connection to an X server (Xvfb), to read back what the server believes after the agent's input:
// where the pointer is, which buttons and modifiers are down, which keys are held; and what the screen shows.

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
}
