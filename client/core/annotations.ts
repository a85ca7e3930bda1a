import type { StrokeColour } from "#protocol/control.ts";

// What the technician shows over the shared picture: their pointer and freehand strokes that fade a few seconds after
// the pen lifts. Both pages keep one (the customer's draws what arrives, the viewer what its technician does), and
// both draw it over the picture. No DOM and no clock of its own: the time is passed in.

/** How long a finished stroke stays fully visible, then how long it takes to fade out. */
export const STROKE_HOLD_MS = 3_000;
export const STROKE_FADE_MS = 1_000;
/** A pointer that has not moved for this long is hidden, as if it had left. */
export const POINTER_IDLE_MS = 5_000;
/** Points one stroke keeps (a scribble beyond this drops its oldest points), and strokes kept at once. */
export const MAX_POINTS_PER_STROKE = 2_048;
export const MAX_STROKES = 64;

export type Point = readonly [number, number];

/** A stroke as it is drawn: its points, colour, and how opaque it is now (0–1). */
export type VisibleStroke = { colour: StrokeColour; points: readonly Point[]; opacity: number };

type StrokeState = { colour: StrokeColour; points: Point[]; endedAt: number | null };

export class Annotations {
  #pointerAt: { x: number; y: number; at: number } | null = null;
  readonly #strokes = new Map<number, StrokeState>();

  /** The pointer moved to (x, y), or left the picture. */
  pointer(x: number, y: number, isAway: boolean, now: number): void {
    this.#pointerAt = isAway ? null : { x, y, at: now };
  }

  /** Adds points to stroke `id` (creating it); `isEnd`: the pen lifted, and the stroke starts to fade. */
  stroke(id: number, colour: StrokeColour, points: readonly Point[], isEnd: boolean, now: number): void {
    let stroke = this.#strokes.get(id);
    if (!stroke) {
      stroke = { colour, points: [], endedAt: null };
      this.#strokes.set(id, stroke);
      // The oldest go first when too many are kept.
      for (const key of this.#strokes.keys()) {
        if (this.#strokes.size <= MAX_STROKES) break;
        this.#strokes.delete(key);
      }
    }
    stroke.points.push(...points);
    if (stroke.points.length > MAX_POINTS_PER_STROKE)
      stroke.points.splice(0, stroke.points.length - MAX_POINTS_PER_STROKE);
    if (isEnd) stroke.endedAt = now;
  }

  clear(): void {
    this.#strokes.clear();
  }

  /** Where the pointer is at `now`, if it is shown. */
  pointerNow(now: number): { x: number; y: number } | null {
    const at = this.#pointerAt;
    return at && now - at.at < POINTER_IDLE_MS ? { x: at.x, y: at.y } : null;
  }

  /** The strokes shown at `now`, faded as they age; those fully faded are forgotten. */
  strokesNow(now: number): VisibleStroke[] {
    const visible: VisibleStroke[] = [];
    for (const [id, stroke] of this.#strokes) {
      const age = stroke.endedAt === null ? 0 : now - stroke.endedAt;
      const opacity = age <= STROKE_HOLD_MS ? 1 : 1 - (age - STROKE_HOLD_MS) / STROKE_FADE_MS;
      if (opacity <= 0) {
        this.#strokes.delete(id);
        continue;
      }
      visible.push({ colour: stroke.colour, points: stroke.points, opacity });
    }
    return visible;
  }

  /** Whether anything is shown at `now` (a page redraws while it is, and stops when it is not). */
  isShowing(now: number): boolean {
    return this.pointerNow(now) !== null || this.strokesNow(now).length > 0;
  }
}

/** Lets a pointer position through at most `perSecond` times a second; the latest one waits for the next turn. */
export class PointerGate {
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #waiting: { x: number; y: number; isAway: boolean } | null = null;

  readonly #perSecond: number;

  constructor(perSecond = 60) {
    this.#perSecond = perSecond;
  }

  /** Offers a position; returns what to send now, if anything (else it waits for `due`). */
  offer(x: number, y: number, isAway: boolean, now: number): { x: number; y: number; isAway: boolean } | null {
    this.#waiting = { x, y, isAway };
    return this.due(now);
  }

  /** The waiting position, if its turn has come. */
  due(now: number): { x: number; y: number; isAway: boolean } | null {
    if (!this.#waiting || now - this.#lastSentAt < 1_000 / this.#perSecond) return null;
    const position = this.#waiting;
    this.#waiting = null;
    this.#lastSentAt = now;
    return position;
  }
}
