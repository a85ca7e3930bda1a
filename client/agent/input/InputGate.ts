import { assertNever } from "#protocol/assert-never.ts";
import type { InputMessage, PointerMessage } from "#protocol/channels.ts";
import { linuxKeyCode } from "./keys.ts";

// Every input event from the technician's viewer passes this gate before anything reaches the operating system. The
// channel's schema has already bounded each field; the gate maps the picture's coordinates onto the chosen screen
// (clamped to it), refuses keys it does not know, caps the rate, lets nothing through without the customer's consent
// to control, and remembers what is held down so that it can all be released when the channel closes or control is
// withdrawn: a hostile or broken viewer can neither crash the agent nor leave a key stuck. Pure: the clock is passed
// in, and what comes out is a list of actions for the OS adapter to perform.

/** The captured screen in the X server's coordinates (a monitor of a larger desktop starts off 0,0). */
export type ScreenArea = { x: number; y: number; width: number; height: number };

export type MouseButton = "left" | "middle" | "right";

/** What the OS adapter performs, in order. */
export type InputAction =
  | { kind: "move"; x: number; y: number }
  | { kind: "button"; button: MouseButton; isDown: boolean }
  /** A physical key: its KeyboardEvent.code and Linux input event code (an X keycode is that plus 8). */
  | { kind: "key"; code: string; linuxCode: number; isDown: boolean }
  /** Wheel steps: positive is right or down. */
  | { kind: "scroll"; dx: number; dy: number };

/** Why an event was refused; nothing of it was performed. */
export type InputRefusal = "noControl" | "unknownKey" | "rateLimited" | "tooManyHeld";

export type GateResult = { ok: true; actions: InputAction[] } | { ok: false; refusal: InputRefusal };

/** Clicks, keys and wheel: this many a second on average, in bursts of up to INPUT_BURST. */
export const INPUT_PER_S = 60;
export const INPUT_BURST = 120;
/** Pointer moves: the viewer sends at most 60 a second; a little more is let through for jitter. */
export const POINTER_PER_S = 90;
export const POINTER_BURST = 90;
/** Keys held down at once; a person has ten fingers. */
export const MAX_HELD_KEYS = 10;
/** Wheel distance, in the viewer's pixels, of one wheel step. */
export const PIXELS_PER_STEP = 100;
/** Wheel steps one message may make, each way. */
export const MAX_STEPS = 10;

/** A token bucket on a clock passed in. */
class Bucket {
  readonly #perS: number;
  readonly #burst: number;
  #tokens: number;
  #at: number;

  constructor(perS: number, burst: number, now: number) {
    this.#perS = perS;
    this.#burst = burst;
    this.#tokens = burst;
    this.#at = now;
  }

  take(now: number): boolean {
    // A clock that went back (a changed system time) refills nothing and takes nothing away.
    this.#tokens = Math.min(this.#burst, this.#tokens + (Math.max(0, now - this.#at) * this.#perS) / 1000);
    this.#at = Math.max(this.#at, now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

const ok = (actions: InputAction[]): GateResult => ({ ok: true, actions });
const refused = (refusal: InputRefusal): GateResult => ({ ok: false, refusal });

/** The gate for one technician's input channel (see above). */
export class InputGate {
  #screen: ScreenArea;
  readonly #now: () => number;
  readonly #input: Bucket;
  readonly #pointer: Bucket;
  #isAllowed = false;
  readonly #heldKeys = new Map<string, number>();
  readonly #heldButtons = new Set<MouseButton>();
  /** Wheel distance not yet a whole step, carried to the next message so that small deltas add up. */
  #scrollRest = { dx: 0, dy: 0 };

  constructor(screen: ScreenArea, now: () => number) {
    this.#screen = screen;
    this.#now = now;
    this.#input = new Bucket(INPUT_PER_S, INPUT_BURST, now());
    this.#pointer = new Bucket(POINTER_PER_S, POINTER_BURST, now());
  }

  /** Whether control is allowed now. */
  get isAllowed(): boolean {
    return this.#isAllowed;
  }

  /** The customer gave control or took it back; taking it back releases everything held, at once. */
  setAllowed(isAllowed: boolean): InputAction[] {
    this.#isAllowed = isAllowed;
    return isAllowed ? [] : this.releaseAll();
  }

  /** Another screen is viewed: what was held on the old one is released first. */
  setScreen(screen: ScreenArea): InputAction[] {
    const released = this.releaseAll();
    this.#screen = screen;
    return released;
  }

  /** A pointer move from the pointer channel. */
  pointer(msg: PointerMessage): GateResult {
    if (!this.#isAllowed) return refused("noControl");
    if (!this.#pointer.take(this.#now())) return refused("rateLimited");
    return ok([this.#moveTo(msg.x, msg.y)]);
  }

  /** A click, key or wheel from the input channel. */
  input(msg: InputMessage): GateResult {
    if (!this.#isAllowed) return refused("noControl");
    if (msg.type === "key") {
      const linuxCode = linuxKeyCode(msg.code);
      if (linuxCode === null) return refused("unknownKey");
      if (msg.isDown && !this.#heldKeys.has(msg.code) && this.#heldKeys.size >= MAX_HELD_KEYS) {
        return refused("tooManyHeld");
      }
    }
    // Releases always pass, so that a flood can never keep a key from coming up.
    const isRelease = (msg.type === "key" || msg.type === "button") && !msg.isDown;
    if (!isRelease && !this.#input.take(this.#now())) return refused("rateLimited");
    switch (msg.type) {
      case "key":
        return ok(this.#key(msg.code, msg.isDown));
      case "button":
        return ok(this.#button(msg.button, msg.isDown, msg.x, msg.y));
      case "wheel":
        return ok(this.#wheel(msg.dx, msg.dy));
      default:
        return assertNever(msg);
    }
  }

  /** Releases every key and button held (the channel closed, control was withdrawn): what to perform for it. */
  releaseAll(): InputAction[] {
    const actions: InputAction[] = [];
    for (const [code, linuxCode] of this.#heldKeys) actions.push({ kind: "key", code, linuxCode, isDown: false });
    for (const button of this.#heldButtons) actions.push({ kind: "button", button, isDown: false });
    this.#heldKeys.clear();
    this.#heldButtons.clear();
    this.#scrollRest = { dx: 0, dy: 0 };
    return actions;
  }

  #key(code: string, isDown: boolean): InputAction[] {
    const linuxCode = linuxKeyCode(code) ?? 0;
    // A key held on the viewer's side repeats there; the X server repeats a held key by itself, so those repeats
    // are not passed on. A release of a key not held has nothing to release.
    if (isDown === this.#heldKeys.has(code)) return [];
    if (isDown) this.#heldKeys.set(code, linuxCode);
    else this.#heldKeys.delete(code);
    return [{ kind: "key", code, linuxCode, isDown }];
  }

  #button(button: MouseButton, isDown: boolean, x: number, y: number): InputAction[] {
    const move = this.#moveTo(x, y);
    if (isDown === this.#heldButtons.has(button)) return [move];
    if (isDown) this.#heldButtons.add(button);
    else this.#heldButtons.delete(button);
    return [move, { kind: "button", button, isDown }];
  }

  #wheel(dx: number, dy: number): InputAction[] {
    const steps = (rest: number, delta: number) => {
      const total = rest + delta / PIXELS_PER_STEP;
      // || 0 turns -0 (a part of a step backwards) into 0.
      const whole = Math.max(-MAX_STEPS, Math.min(MAX_STEPS, Math.trunc(total))) || 0;
      // What a capped message could not make is dropped, not carried: a huge delta must not scroll on and on.
      return { whole, rest: Math.abs(total) > MAX_STEPS ? 0 : total - whole };
    };
    const x = steps(this.#scrollRest.dx, dx);
    const y = steps(this.#scrollRest.dy, dy);
    this.#scrollRest = { dx: x.rest, dy: y.rest };
    return x.whole === 0 && y.whole === 0 ? [] : [{ kind: "scroll", dx: x.whole, dy: y.whole }];
  }

  /** The screen's pixel under the picture's point (x, y), each from 0 to 1, clamped to the screen. */
  #moveTo(x: number, y: number): InputAction {
    const { x: left, y: top, width, height } = this.#screen;
    const clamp = (unit: number, size: number) =>
      Math.min(size - 1, Math.max(0, Math.floor((Number.isFinite(unit) ? unit : 0) * size)));
    return { kind: "move", x: left + clamp(x, width), y: top + clamp(y, height) };
  }
}
