// The arithmetic of zooming into the viewer's picture, apart from the page: a view is a scale from the picture's top
// left corner and a move; a zoomed picture always covers its own box, so it can never be lost off to one side.

/** A zoomed view: the picture scaled by `scale` from its top left corner, then moved by `x`, `y` CSS pixels. */
export type View = { scale: number; x: number; y: number };

export const NO_ZOOM: View = { scale: 1, x: 0, y: 0 };
export const MAX_SCALE = 8;
/** One key press or button click zooms by this factor. */
export const ZOOM_STEP = 1.25;
/** One arrow key press moves a zoomed picture by this part of its box. */
export const PAN_STEP = 0.1;

export type Point = { x: number; y: number };
type Size = { width: number; height: number };

/** `view` scaled to `scale` (within 1–MAX_SCALE) about `at`: the picture point under `at` stays under it. */
function scaleAbout(view: View, scale: number, at: Point): View {
  const next = Math.min(MAX_SCALE, Math.max(1, scale));
  // at = x + scale · p for the same picture point p, before and after.
  const k = next / view.scale;
  return { scale: next, x: at.x - (at.x - view.x) * k, y: at.y - (at.y - view.y) * k };
}

/** `view` scaled to `scale` (within 1–MAX_SCALE) about `at` (a point of the unzoomed box), kept over the box. */
export function zoomAt(view: View, scale: number, at: Point, size: Size): View {
  return clampView(scaleAbout(view, scale, at), size);
}

/** `view` moved by `dx`, `dy`, kept over the box. */
export function panBy(view: View, dx: number, dy: number, size: Size): View {
  return clampView({ ...view, x: view.x + dx, y: view.y + dy }, size);
}

/** A zoomed picture still covers its box: no edge is pulled inside it, so the view never loses the picture. */
export function clampView(view: View, size: Size): View {
  const minX = size.width * (1 - view.scale);
  const minY = size.height * (1 - view.scale);
  return { scale: view.scale, x: Math.min(0, Math.max(minX, view.x)), y: Math.min(0, Math.max(minY, view.y)) };
}

/**
 * One step of a two-finger gesture: the fingers were at `from` (with the view `start`) and are now at `to`. The
 * picture point between the fingers at the start stays between them: pinch and pan in one.
 */
export function pinch(start: View, from: [Point, Point], to: [Point, Point], size: Size): View {
  const spread = (points: [Point, Point]) => Math.hypot(points[0].x - points[1].x, points[0].y - points[1].y);
  const middle = (points: [Point, Point]) => ({
    x: (points[0].x + points[1].x) / 2,
    y: (points[0].y + points[1].y) / 2,
  });
  const before = spread(from);
  const scale = before > 0 ? start.scale * (spread(to) / before) : start.scale;
  const a = middle(from);
  const zoomed = scaleAbout(start, scale, a);
  const b = middle(to);
  return clampView({ ...zoomed, x: zoomed.x + b.x - a.x, y: zoomed.y + b.y - a.y }, size);
}
