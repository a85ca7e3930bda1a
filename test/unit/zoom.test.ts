import { describe, expect, it } from "vitest";
import {
  clampView,
  MAX_SCALE,
  NO_ZOOM,
  panBy,
  pinch,
  type View,
  zoomAt,
} from "../../client/web/src/viewer/zoom-view.ts";

// The viewer's zoom arithmetic: the point under the fingers (or the middle, for the keyboard) stays put, and a zoomed
// picture always covers its box.

const BOX = { width: 800, height: 450 };

/** Where the picture point `p` (in the unzoomed box) shows under `view`. */
function shown(view: View, p: { x: number; y: number }) {
  return { x: view.x + view.scale * p.x, y: view.y + view.scale * p.y };
}

describe("zoom", () => {
  it("zooms about a point, keeping it in place, between 1 and the most", () => {
    const view = zoomAt(NO_ZOOM, 2, { x: 400, y: 225 }, BOX);
    expect(view).toEqual({ scale: 2, x: -400, y: -225 });
    expect(shown(view, { x: 400, y: 225 })).toEqual({ x: 400, y: 225 });
    expect(zoomAt(view, 100, { x: 0, y: 0 }, BOX).scale).toBe(MAX_SCALE);
    expect(zoomAt(view, 0.1, { x: 123, y: 45 }, BOX)).toEqual(NO_ZOOM);
  });

  it("keeps a zoomed picture over its box when zooming at an edge or panning past it", () => {
    // About the top left corner, the corner stays.
    expect(zoomAt(NO_ZOOM, 3, { x: 0, y: 0 }, BOX)).toEqual({ scale: 3, x: 0, y: 0 });
    const view = zoomAt(NO_ZOOM, 2, { x: 400, y: 225 }, BOX);
    expect(panBy(view, 10_000, 10_000, BOX)).toEqual({ scale: 2, x: 0, y: 0 });
    expect(panBy(view, -10_000, -10_000, BOX)).toEqual({ scale: 2, x: -800, y: -450 });
    expect(panBy(view, 50, -25, BOX)).toEqual({ scale: 2, x: -350, y: -250 });
    expect(clampView({ scale: 1, x: 30, y: -30 }, BOX)).toEqual(NO_ZOOM);
  });

  it("pinches: the spread of two fingers sets the scale, the point between them follows them", () => {
    const from: [{ x: number; y: number }, { x: number; y: number }] = [
      { x: 300, y: 200 },
      { x: 500, y: 200 },
    ];
    // Twice as far apart, about the same middle: twice the scale, the middle in place.
    const spread = pinch(
      NO_ZOOM,
      from,
      [
        { x: 200, y: 200 },
        { x: 600, y: 200 },
      ],
      BOX,
    );
    expect(spread.scale).toBe(2);
    expect(shown(spread, { x: 400, y: 200 })).toEqual({ x: 400, y: 200 });
    // Same spread, both fingers 50 px to the left: a pan of a zoomed picture.
    const moved = pinch(
      spread,
      from,
      [
        { x: 250, y: 200 },
        { x: 450, y: 200 },
      ],
      BOX,
    );
    expect(moved).toEqual({ ...spread, x: spread.x - 50 });
    // Fingers together (no spread): nothing to divide by, the scale stays.
    const still = pinch(spread, [from[0], from[0]], [from[0], from[0]], BOX);
    expect(still.scale).toBe(2);
  });
});
