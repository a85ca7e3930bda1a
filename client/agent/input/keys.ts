// The keys the agent lets a technician press, by the physical key's code (KeyboardEvent.code, which the viewer sends)
// and the Linux input event code of the same key (linux/input-event-codes.h; an X server's keycode is that plus 8).
// A physical key is pressed, not a character typed: the customer's own keyboard layout gives it its meaning, as if
// their own keyboard had been pressed. A code not in this table is refused.

// biome-ignore format: a table reads best in rows
const LETTERS: Record<string, number> = {
  Q: 16, W: 17, E: 18, R: 19, T: 20, Y: 21, U: 22, I: 23, O: 24, P: 25,
  A: 30, S: 31, D: 32, F: 33, G: 34, H: 35, J: 36, K: 37, L: 38,
  Z: 44, X: 45, C: 46, V: 47, B: 48, N: 49, M: 50,
};

// biome-ignore format: a table reads best in rows
const NAMED: Record<string, number> = {
  Escape: 1, Minus: 12, Equal: 13, Backspace: 14, Tab: 15, BracketLeft: 26, BracketRight: 27, Enter: 28,
  ControlLeft: 29, Semicolon: 39, Quote: 40, Backquote: 41, ShiftLeft: 42, Backslash: 43, Comma: 51, Period: 52,
  Slash: 53, ShiftRight: 54, NumpadMultiply: 55, AltLeft: 56, Space: 57, CapsLock: 58, NumLock: 69, ScrollLock: 70,
  Numpad7: 71, Numpad8: 72, Numpad9: 73, NumpadSubtract: 74, Numpad4: 75, Numpad5: 76, Numpad6: 77, NumpadAdd: 78,
  Numpad1: 79, Numpad2: 80, Numpad3: 81, Numpad0: 82, NumpadDecimal: 83, IntlBackslash: 86, IntlRo: 89,
  NumpadEnter: 96, ControlRight: 97, NumpadDivide: 98, PrintScreen: 99, AltRight: 100, Home: 102, ArrowUp: 103,
  PageUp: 104, ArrowLeft: 105, ArrowRight: 106, End: 107, ArrowDown: 108, PageDown: 109, Insert: 110, Delete: 111,
  NumpadEqual: 117, Pause: 119, NumpadComma: 121, IntlYen: 124, MetaLeft: 125, MetaRight: 126, ContextMenu: 127,
};

function build(): ReadonlyMap<string, number> {
  const table = new Map<string, number>();
  for (const [letter, code] of Object.entries(LETTERS)) table.set(`Key${letter}`, code);
  // Digit1..Digit9 are 2..10, Digit0 is 11.
  for (let digit = 1; digit <= 9; digit++) table.set(`Digit${digit}`, digit + 1);
  table.set("Digit0", 11);
  // F1..F10 are 59..68, F11 and F12 87 and 88, F13..F24 183..194.
  for (let n = 1; n <= 10; n++) table.set(`F${n}`, 58 + n);
  table.set("F11", 87);
  table.set("F12", 88);
  for (let n = 13; n <= 24; n++) table.set(`F${n}`, 170 + n);
  for (const [name, code] of Object.entries(NAMED)) table.set(name, code);
  return table;
}

/** KeyboardEvent.code → Linux input event code, for every key a technician may press. */
export const KEY_CODES: ReadonlyMap<string, number> = build();

/** The Linux input event code of the key with KeyboardEvent.code `code`, or null for a key the agent refuses. */
export function linuxKeyCode(code: string): number | null {
  return KEY_CODES.get(code) ?? null;
}
