import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InputMessage } from "#protocol/channels.ts";
import { BUTTON_COLOURS, type DialogText, dialogLayout, X11Dialog } from "../../client/agent/indicator/dialog.ts";
import type { Box } from "../../client/agent/indicator/x-window.ts";
import { X11Indicator } from "../../client/agent/indicator/x11.ts";
import { type GateResult, InputGate } from "../../client/agent/input/InputGate.ts";
import { XTestInput } from "../../client/agent/input/xtest.ts";
import { startVirtualScreen, type VirtualScreen } from "../helpers/node/firefox.ts";
import { clickAt, KEYCODE, MASK, XReader, XTextWindow } from "../helpers/node/x-reader.ts";

// The agent's input on a real X server (Xvfb, 1280×720): what the technician's viewer sends passes the gate and
// reaches the server through XTEST, and a second X client reads back what the server now believes: where the pointer
// is, which buttons and keys are down, and which text a window of its own with the focus received. The agent's strip
// on the screen takes the person's click on its End.

const SCREEN = { x: 0, y: 0, width: 1280, height: 720 };

let seq = 0;
const key = (code: string, isDown: boolean): InputMessage => ({ type: "key", seq: ++seq, code, isDown });
const button = (isDown: boolean, x: number, y: number, which: "left" | "right" = "left"): InputMessage => ({
  type: "button",
  seq: ++seq,
  button: which,
  isDown,
  x,
  y,
});

function actionsOf(result: GateResult) {
  if (!result.ok) throw new Error(`refused: ${result.refusal}`);
  return result.actions;
}

describe("the agent's input through XTEST", () => {
  let screen: VirtualScreen;
  let input: XTestInput;
  let reader: XReader;
  let gate: InputGate;

  beforeAll(async () => {
    screen = await startVirtualScreen();
    input = await XTestInput.open(screen.display);
    reader = await XReader.open(screen.display);
    gate = new InputGate(SCREEN, () => 0);
    gate.setAllowed(true);
  });

  afterAll(() => {
    input?.close();
    reader?.close();
    screen?.stop();
  });

  it("puts the pointer where the viewer points, and a click at its point, on the chosen screen", async () => {
    await input.perform(actionsOf(gate.pointer({ type: "pointer", seq: ++seq, x: 0.25, y: 0.5 })));
    expect(await reader.pointer()).toEqual({ x: 320, y: 360, mask: 0 });

    await input.perform(actionsOf(gate.input(button(true, 0.75, 0.1))));
    expect(await reader.pointer()).toEqual({ x: 960, y: 72, mask: MASK.BUTTON1 });
    await input.perform(actionsOf(gate.input(button(false, 0.75, 0.1))));
    expect((await reader.pointer()).mask).toBe(0);

    // A point beyond the picture lands on the screen's edge.
    await input.perform(actionsOf(gate.pointer({ type: "pointer", seq: ++seq, x: 1, y: 1 })));
    expect(await reader.pointer()).toEqual({ x: 1279, y: 719, mask: 0 });
  });

  it("types keys by their physical code, with modifiers held as the viewer holds them", async () => {
    await input.perform(actionsOf(gate.input(key("ShiftLeft", true))));
    await input.perform(actionsOf(gate.input(key("KeyA", true))));
    expect(await reader.keysDown()).toEqual([KEYCODE.A, KEYCODE.SHIFT_LEFT]);
    expect((await reader.pointer()).mask & MASK.SHIFT).toBe(MASK.SHIFT);
    await input.perform(actionsOf(gate.input(key("KeyA", false))));
    await input.perform(actionsOf(gate.input(key("ShiftLeft", false))));
    expect(await reader.keysDown()).toEqual([]);
    // A key the gate does not know never reaches the server.
    expect(gate.input(key("LaunchRocket", true))).toEqual({ ok: false, refusal: "unknownKey" });
  });

  it("types text into the window that has the focus, capitals with Shift held", async () => {
    const window = await XTextWindow.open(screen.display);
    try {
      const keys: [string, boolean][] = [
        ["ShiftLeft", true],
        ["KeyH", true],
        ["KeyH", false],
        ["ShiftLeft", false],
        ["KeyI", true],
        ["KeyI", false],
        ["Space", true],
        ["Space", false],
        ["Digit2", true],
        ["Digit2", false],
      ];
      for (const [code, isDown] of keys) await input.perform(actionsOf(gate.input(key(code, isDown))));
      await expect.poll(() => window.text, { timeout: 60_000, interval: 50 }).toBe("Hi 2");
    } finally {
      window.close();
    }
  });

  it("leaves nothing held when the channel closes or control is taken back mid-press", async () => {
    await input.perform(actionsOf(gate.input(key("ControlLeft", true))));
    await input.perform(actionsOf(gate.input(button(true, 0.5, 0.5, "right"))));
    expect(await reader.keysDown()).toEqual([KEYCODE.CONTROL_LEFT]);
    expect((await reader.pointer()).mask).toBe(MASK.CONTROL | MASK.BUTTON3);

    await input.perform(gate.setAllowed(false));
    expect(await reader.keysDown()).toEqual([]);
    expect((await reader.pointer()).mask).toBe(0);
    expect(gate.input(key("KeyA", true))).toEqual({ ok: false, refusal: "noControl" });
    gate.setAllowed(true);
  });

  it("hears Ctrl+Alt+End pressed at the machine, and no other combination", async () => {
    const watcher = await XTestInput.open(screen.display);
    try {
      let presses = 0;
      watcher.onShortcut(() => presses++);
      // A round trip: the grab is in place before the keys come.
      await watcher.perform([{ kind: "move", x: 10, y: 10 }]);
      for (const code of ["ControlLeft", "AltLeft", "End"]) await input.perform(actionsOf(gate.input(key(code, true))));
      for (const code of ["End", "AltLeft", "ControlLeft"])
        await input.perform(actionsOf(gate.input(key(code, false))));
      await expect.poll(() => presses).toBe(1);
      // End alone is an ordinary key.
      await input.perform(actionsOf(gate.input(key("End", true))));
      await input.perform(actionsOf(gate.input(key("End", false))));
      await watcher.perform([{ kind: "move", x: 10, y: 10 }]);
      expect(presses).toBe(1);
    } finally {
      watcher.close();
    }
  });

  it("shows the strip on top of the screen while connected, whose End the person can click", async () => {
    let ends = 0;
    const strip = await X11Indicator.open(screen.display, () => ends++);
    try {
      // Its End is at the right end of a strip 720 pixels wide, centred at the top of the 1280-pixel screen.
      const clickEnd = async () => {
        await input.perform(clickAt({ x: 280 + 720 - 20, y: 10 }));
        // A round trip after the click: the X server has handled it, and sent the strip its event if it got one.
        await input.perform([{ kind: "move", x: 0, y: 400 }]);
      };
      await strip.show({ line: "Tether: Olivia Owner can see your screen.", end: "End" });
      await clickEnd();
      await expect.poll(() => ends).toBe(1);
      // Hidden, it takes no clicks.
      await strip.show(null);
      await clickEnd();
      await input.perform([{ kind: "move", x: 1, y: 400 }]);
      expect(ends).toBe(1);
    } finally {
      strip.close();
    }
  });

  it("asks in a dialog in the middle of the screen, whose buttons answer with the question they showed", async () => {
    const answers: [DialogText, boolean][] = [];
    const dialog = await X11Dialog.open(screen.display, (shown, isYes) => answers.push([shown, isYes]));
    const code: DialogText = {
      lines: ["Olivia Owner (Example Support) is asking to see your screen.", "", "Verification code: a b c d"],
      yes: "Matches",
      no: "Doesn't match",
    };
    const view: DialogText = { lines: ["Allow them to see your screen?"], yes: "Allow", no: "Don't allow" };
    const clickIn = async (text: DialogText, which: "yes" | "no") => {
      const layout = dialogLayout(SCREEN, text);
      const box: Box = layout[which];
      await input.perform(clickAt({ x: layout.window.x + box.x + 8, y: layout.window.y + box.y + 8 }));
      // A round trip after the click: the X server has handled it, and sent the dialog its event if it got one.
      await input.perform([{ kind: "move", x: 0, y: 700 }]);
    };
    try {
      await dialog.show(code);
      // Both buttons are drawn where the layout puts them, in their colours.
      const drawn = dialogLayout(SCREEN, code);
      for (const which of ["yes", "no"] as const) {
        const box = drawn[which];
        const centre = { x: drawn.window.x + box.x + box.width / 2, y: drawn.window.y + box.y + 4 };
        await expect.poll(() => reader.pixel(centre.x, centre.y)).toBe(BUTTON_COLOURS[which]);
      }
      await clickIn(code, "no");
      await expect.poll(() => answers.length).toBe(1);
      await clickIn(code, "yes");
      await expect.poll(() => answers.length).toBe(2);
      expect(answers).toEqual([
        [code, false],
        [code, true],
      ]);
      // The next question, in a window of its own size: its buttons answer it.
      await dialog.show(view);
      await clickIn(view, "yes");
      await expect.poll(() => answers.length).toBe(3);
      expect(answers[2]).toEqual([view, true]);
      // Beside the buttons, and once taken away, a click answers nothing (the X server keeps its events in order).
      const layout = dialogLayout(SCREEN, view);
      await input.perform(clickAt({ x: layout.window.x + 4, y: layout.window.y + 4 }));
      await clickIn(view, "no");
      await expect.poll(() => answers.length).toBe(4);
      expect(answers[3]).toEqual([view, false]);
      await dialog.show(null);
      await clickIn(view, "no");
      await input.perform([{ kind: "move", x: 1, y: 700 }]);
      expect(answers).toHaveLength(4);
    } finally {
      dialog.close();
    }
  });

  it("turns the wheel in whole steps and leaves no wheel button down", async () => {
    const actions = actionsOf(gate.input({ type: "wheel", seq: ++seq, dx: 0, dy: 300 }));
    expect(actions).toEqual([{ kind: "scroll", dx: 0, dy: 3 }]);
    await input.perform(actions);
    expect((await reader.pointer()).mask).toBe(0);
  });
});
