import { describe, expect, it } from "vitest";
import { parsePointerMessage } from "#protocol/channels.ts";
import { parseControlMessage } from "#protocol/control.ts";
import {
  Annotations,
  MAX_STROKES,
  POINTER_IDLE_MS,
  PointerGate,
  STROKE_FADE_MS,
  STROKE_HOLD_MS,
} from "../../client/core/annotations.ts";

// The technician's pointer and drawings as both pages keep them, on a clock the test moves.

const T0 = 1_800_000_000_000;

describe("annotations", () => {
  it("show the pointer where it last moved, hide it when it leaves or rests", () => {
    const a = new Annotations();
    expect(a.pointerNow(T0)).toBeNull();
    a.pointer(0.25, 0.5, false, T0);
    expect(a.pointerNow(T0 + 100)).toEqual({ x: 0.25, y: 0.5 });
    expect(a.pointerNow(T0 + POINTER_IDLE_MS)).toBeNull();
    a.pointer(0.3, 0.3, false, T0 + 10);
    a.pointer(0.3, 0.3, true, T0 + 20);
    expect(a.pointerNow(T0 + 30)).toBeNull();
  });

  it("grow a stroke from its parts, hold it, fade it after the pen lifts, then forget it", () => {
    const a = new Annotations();
    a.stroke(1, "red", [[0.1, 0.1]], false, T0);
    a.stroke(
      1,
      "red",
      [
        [0.2, 0.2],
        [0.3, 0.3],
      ],
      true,
      T0 + 500,
    );
    expect(a.strokesNow(T0 + 500)).toEqual([
      {
        colour: "red",
        points: [
          [0.1, 0.1],
          [0.2, 0.2],
          [0.3, 0.3],
        ],
        opacity: 1,
      },
    ]);
    expect(a.strokesNow(T0 + 500 + STROKE_HOLD_MS)[0]?.opacity).toBe(1);
    expect(a.strokesNow(T0 + 500 + STROKE_HOLD_MS + STROKE_FADE_MS / 2)[0]?.opacity).toBeCloseTo(0.5);
    expect(a.isShowing(T0 + 500 + STROKE_HOLD_MS + STROKE_FADE_MS)).toBe(false);
    // A stroke still being drawn does not fade.
    a.stroke(2, "blue", [[0.5, 0.5]], false, T0);
    expect(a.strokesNow(T0 + 60_000)[0]?.opacity).toBe(1);
    a.clear();
    expect(a.strokesNow(T0)).toEqual([]);
  });

  it("keep at most MAX_STROKES strokes, the newest", () => {
    const a = new Annotations();
    for (let id = 1; id <= MAX_STROKES + 5; id++) a.stroke(id, "green", [[0, 0]], false, T0);
    expect(a.strokesNow(T0)).toHaveLength(MAX_STROKES);
  });
});

describe("the pointer gate", () => {
  it("lets at most 60 positions a second through, and the latest waits for its turn", () => {
    const gate = new PointerGate(60);
    expect(gate.offer(0.1, 0.1, false, T0)).toEqual({ x: 0.1, y: 0.1, isAway: false });
    expect(gate.offer(0.2, 0.2, false, T0 + 5)).toBeNull();
    expect(gate.offer(0.3, 0.3, false, T0 + 10)).toBeNull();
    expect(gate.due(T0 + 16)).toBeNull();
    expect(gate.due(T0 + 17)).toEqual({ x: 0.3, y: 0.3, isAway: false });
    expect(gate.due(T0 + 100)).toBeNull();
    let sent = 0;
    for (let ms = 0; ms < 1_000; ms++) if (gate.offer(0.5, 0.5, false, T0 + 1_000 + ms)) sent++;
    expect(sent).toBeLessThanOrEqual(60);
    expect(sent).toBeGreaterThanOrEqual(58);
  });
});

describe("their messages", () => {
  it("are parsed with their bounds", () => {
    const stroke = { type: "stroke", id: 1, colour: "red", points: [[0, 1]], isEnd: false };
    expect(parseControlMessage(JSON.stringify(stroke)).ok).toBe(true);
    expect(parseControlMessage(JSON.stringify({ ...stroke, points: [[1.5, 0]] })).ok).toBe(false);
    expect(parseControlMessage(JSON.stringify({ ...stroke, colour: "black" })).ok).toBe(false);
    expect(parseControlMessage(JSON.stringify({ ...stroke, points: Array(65).fill([0, 0]) })).ok).toBe(false);
    expect(parseControlMessage(JSON.stringify({ type: "clearDrawing" })).ok).toBe(true);
    expect(parsePointerMessage(JSON.stringify({ type: "pointer", seq: 1, x: 0.5, y: 0.5, isAway: true })).ok).toBe(
      true,
    );
    expect(parsePointerMessage(JSON.stringify({ type: "pointer", seq: 1, x: -0.1, y: 0.5 })).ok).toBe(false);
  });
});
