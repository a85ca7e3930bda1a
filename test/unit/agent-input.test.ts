import { describe, expect, it } from "vitest";
import type { InputMessage } from "#protocol/channels.ts";
import {
  INPUT_BURST,
  INPUT_PER_S,
  InputGate,
  MAX_HELD_KEYS,
  MAX_STEPS,
  POINTER_BURST,
  type ScreenArea,
} from "../../client/agent/input/InputGate.ts";
import { KEY_CODES, linuxKeyCode } from "../../client/agent/input/keys.ts";

// The gate every input event of the technician's viewer passes before it reaches the operating system: consent,
// coordinates clamped to the chosen screen, known keys only, a rate cap, and everything held released at the end.

/** A second monitor, right of a 1920-pixel one. */
const SCREEN: ScreenArea = { x: 1920, y: 0, width: 1280, height: 1024 };

function gate(screen = SCREEN) {
  let now = 1_000_000;
  const g = new InputGate(screen, () => now);
  return {
    g,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

let seq = 0;
const key = (code: string, isDown: boolean): InputMessage => ({ type: "key", seq: seq++, code, isDown });
const button = (isDown: boolean, x = 0.5, y = 0.5): InputMessage => ({
  type: "button",
  seq: seq++,
  button: "left",
  isDown,
  x,
  y,
});
const wheel = (dx: number, dy: number): InputMessage => ({ type: "wheel", seq: seq++, dx, dy });

describe("InputGate", () => {
  it("lets nothing through before the customer allows control", () => {
    const { g } = gate();
    expect(g.input(key("KeyA", true))).toEqual({ ok: false, refusal: "noControl" });
    expect(g.pointer({ type: "pointer", seq: 0, x: 0.5, y: 0.5 })).toEqual({ ok: false, refusal: "noControl" });
    expect(g.input(button(true))).toEqual({ ok: false, refusal: "noControl" });
  });

  it("maps the picture's coordinates onto the chosen screen, clamped to it", () => {
    const { g } = gate();
    g.setAllowed(true);
    const moveTo = (x: number, y: number) => g.pointer({ type: "pointer", seq: seq++, x, y });
    expect(moveTo(0, 0)).toEqual({ ok: true, actions: [{ kind: "move", x: 1920, y: 0 }] });
    expect(moveTo(1, 1)).toEqual({ ok: true, actions: [{ kind: "move", x: 1920 + 1279, y: 1023 }] });
    expect(moveTo(0.5, 0.25)).toEqual({ ok: true, actions: [{ kind: "move", x: 1920 + 640, y: 256 }] });
    // Values the channel's schema would refuse are clamped all the same, should one ever get here.
    expect(moveTo(7, -3)).toEqual({ ok: true, actions: [{ kind: "move", x: 1920 + 1279, y: 0 }] });
    expect(moveTo(Number.NaN, 0)).toEqual({ ok: true, actions: [{ kind: "move", x: 1920, y: 0 }] });
  });

  it("moves to a click's point before pressing, and presses a held button only once", () => {
    const { g } = gate();
    g.setAllowed(true);
    expect(g.input(button(true, 0, 1))).toEqual({
      ok: true,
      actions: [
        { kind: "move", x: 1920, y: 1023 },
        { kind: "button", button: "left", isDown: true },
      ],
    });
    expect(g.input(button(true, 0, 1))).toEqual({ ok: true, actions: [{ kind: "move", x: 1920, y: 1023 }] });
    expect(g.input(button(false, 0, 1))).toMatchObject({ ok: true, actions: [{}, { kind: "button", isDown: false }] });
  });

  it("presses known keys by their physical code and refuses the rest", () => {
    const { g } = gate();
    g.setAllowed(true);
    expect(g.input(key("KeyA", true))).toEqual({
      ok: true,
      actions: [{ kind: "key", code: "KeyA", linuxCode: 30, isDown: true }],
    });
    for (const unknown of ["Power", "KeyAA", "F25", "Fn", "Unidentified", "AudioVolumeUp"]) {
      expect(g.input(key(unknown, true)), unknown).toEqual({ ok: false, refusal: "unknownKey" });
    }
  });

  it("passes a key's repeats and a release of a key not held as nothing", () => {
    const { g } = gate();
    g.setAllowed(true);
    g.input(key("ShiftLeft", true));
    expect(g.input(key("ShiftLeft", true))).toEqual({ ok: true, actions: [] });
    expect(g.input(key("KeyB", false))).toEqual({ ok: true, actions: [] });
    expect(g.input(key("ShiftLeft", false))).toEqual({
      ok: true,
      actions: [{ kind: "key", code: "ShiftLeft", linuxCode: 42, isDown: false }],
    });
  });

  it("holds at most ten keys at once", () => {
    const { g } = gate();
    g.setAllowed(true);
    const codes = [...KEY_CODES.keys()].slice(0, MAX_HELD_KEYS + 1);
    for (const code of codes.slice(0, MAX_HELD_KEYS)) expect(g.input(key(code, true)).ok).toBe(true);
    expect(g.input(key(codes[MAX_HELD_KEYS] ?? "", true))).toEqual({ ok: false, refusal: "tooManyHeld" });
    // Releasing one makes room again.
    g.input(key(codes[0] ?? "", false));
    expect(g.input(key(codes[MAX_HELD_KEYS] ?? "", true)).ok).toBe(true);
  });

  it("releases every key and button held when the channel closes, and forgets them", () => {
    const { g } = gate();
    g.setAllowed(true);
    g.input(key("ControlLeft", true));
    g.input(key("AltLeft", true));
    g.input(key("Delete", true));
    g.input(button(true));
    g.input(key("Delete", false));
    expect(g.releaseAll()).toEqual([
      { kind: "key", code: "ControlLeft", linuxCode: 29, isDown: false },
      { kind: "key", code: "AltLeft", linuxCode: 56, isDown: false },
      { kind: "button", button: "left", isDown: false },
    ]);
    expect(g.releaseAll()).toEqual([]);
  });

  it("releases everything at once when control is withdrawn, and refuses from then on", () => {
    const { g } = gate();
    g.setAllowed(true);
    g.input(key("KeyX", true));
    expect(g.setAllowed(false)).toEqual([{ kind: "key", code: "KeyX", linuxCode: 45, isDown: false }]);
    expect(g.input(key("KeyX", false))).toEqual({ ok: false, refusal: "noControl" });
  });

  it("releases what is held before another screen is viewed", () => {
    const { g } = gate();
    g.setAllowed(true);
    g.input(button(true));
    expect(g.setScreen({ x: 0, y: 0, width: 1920, height: 1080 })).toEqual([
      { kind: "button", button: "left", isDown: false },
    ]);
    expect(g.pointer({ type: "pointer", seq: seq++, x: 1, y: 1 })).toEqual({
      ok: true,
      actions: [{ kind: "move", x: 1919, y: 1079 }],
    });
  });

  it("caps the rate of clicks, keys and wheel, refilling with time, and lets releases through", () => {
    const { g, advance } = gate();
    g.setAllowed(true);
    g.input(key("KeyQ", true));
    let passed = 1;
    while (g.input(wheel(0, 100)).ok) passed++;
    expect(passed).toBe(INPUT_BURST);
    expect(g.input(key("KeyW", true))).toEqual({ ok: false, refusal: "rateLimited" });
    // A flood cannot keep a held key from coming up.
    expect(g.input(key("KeyQ", false))).toMatchObject({ ok: true, actions: [{ kind: "key", isDown: false }] });
    advance(1_000);
    let refilled = 0;
    while (g.input(wheel(0, 100)).ok) refilled++;
    expect(refilled).toBe(INPUT_PER_S);
  });

  it("caps pointer moves on their own budget", () => {
    const { g } = gate();
    g.setAllowed(true);
    let passed = 0;
    while (g.pointer({ type: "pointer", seq: seq++, x: 0.1, y: 0.1 }).ok) passed++;
    expect(passed).toBe(POINTER_BURST);
    expect(g.input(key("KeyA", true)).ok).toBe(true);
  });

  it("turns wheel pixels into steps, adding up small deltas and capping large ones", () => {
    const { g } = gate();
    g.setAllowed(true);
    expect(g.input(wheel(0, 40))).toEqual({ ok: true, actions: [] });
    expect(g.input(wheel(0, 40))).toEqual({ ok: true, actions: [] });
    expect(g.input(wheel(0, 40))).toEqual({ ok: true, actions: [{ kind: "scroll", dx: 0, dy: 1 }] });
    expect(g.input(wheel(-250, 0))).toEqual({ ok: true, actions: [{ kind: "scroll", dx: -2, dy: 0 }] });
    expect(g.input(wheel(0, 10_000))).toEqual({ ok: true, actions: [{ kind: "scroll", dx: 0, dy: MAX_STEPS }] });
    // What the cap cut off is not carried over.
    expect(g.input(wheel(0, 0))).toEqual({ ok: true, actions: [] });
  });
});

describe("the key table", () => {
  it("knows every letter, digit, F1 to F24 and the usual named keys, each its own Linux code", () => {
    for (const letter of "ABCDEFGHIJKLMNOPQRSTUVWXYZ") expect(linuxKeyCode(`Key${letter}`)).not.toBeNull();
    for (let digit = 0; digit <= 9; digit++) expect(linuxKeyCode(`Digit${digit}`)).not.toBeNull();
    expect(linuxKeyCode("F1")).toBe(59);
    expect(linuxKeyCode("F10")).toBe(68);
    expect(linuxKeyCode("F11")).toBe(87);
    expect(linuxKeyCode("F13")).toBe(183);
    expect(linuxKeyCode("F24")).toBe(194);
    expect(linuxKeyCode("Digit1")).toBe(2);
    expect(linuxKeyCode("Digit0")).toBe(11);
    expect(linuxKeyCode("Enter")).toBe(28);
    expect(linuxKeyCode("Escape")).toBe(1);
    expect(linuxKeyCode("MetaLeft")).toBe(125);
    const codes = [...KEY_CODES.values()];
    expect(new Set(codes).size).toBe(codes.length);
    // An X keycode is the Linux code plus 8, and X keycodes end at 255.
    for (const code of codes) expect(code + 8).toBeLessThanOrEqual(255);
  });
});
