import { NO_ZOOM, PAN_STEP, type Point, panBy, pinch, type View, ZOOM_STEP, zoomAt } from "./zoom-view.ts";

// Zoom and pan of the customer's picture in the viewer, for a tablet's fingers and for the keyboard: two fingers
// pinch (the point between them stays under them) and pan, one finger pans once zoomed in; + − and 0 (or the
// buttons) zoom about the middle and reset, and the arrows move a zoomed picture. The view is a CSS transform on the
// picture and the annotation canvas alike, so the technician's pointer and drawings land where they are put
// (AnnotationLayer measures the transform).

/**
 * Lets touch zoom and pan `stage`'s picture and the keyboard zoom it, transforming `layers` (the video and its
 * annotation canvas); `onChange` runs after each change (to redraw annotations, say the zoom level).
 */
export function pinchZoom(stage: HTMLElement, layers: [HTMLElement, ...HTMLElement[]], onChange: (view: View) => void) {
  let view = NO_ZOOM;
  const touches = new Map<number, Point>();
  let gesture: { start: View; from: [Point, Point] } | null = null;
  let drag: { start: View; from: Point } | null = null;

  // The picture's own box (the stage's, fitted; larger at actual size, where the stage scrolls over it).
  const picture = layers[0];
  const size = () => ({ width: picture.offsetWidth, height: picture.offsetHeight });
  // Where a point of the page is in the picture's own (untransformed) coordinates: from its top left corner as laid
  // out inside the stage, the stage's border and scrolling taken off.
  const origin = () => {
    const rect = stage.getBoundingClientRect();
    return {
      x: rect.left + stage.clientLeft + picture.offsetLeft - stage.scrollLeft,
      y: rect.top + stage.clientTop + picture.offsetTop - stage.scrollTop,
    };
  };
  const local = (event: PointerEvent): Point => {
    const at = origin();
    return { x: event.clientX - at.x, y: event.clientY - at.y };
  };
  function set(next: View): void {
    view = next;
    const isZoomed = view.scale > 1;
    for (const layer of layers) {
      layer.style.transformOrigin = "0 0";
      layer.style.transform = isZoomed ? `translate(${view.x}px, ${view.y}px) scale(${view.scale})` : "";
    }
    stage.classList.toggle("is-zoomed", isZoomed);
    stage.dataset.zoom = view.scale.toFixed(2);
    onChange(view);
  }
  function pair(): [Point, Point] | null {
    const [a, b] = [...touches.values()];
    return a && b ? [a, b] : null;
  }

  // Capture phase: a second finger turns a drawing or pointing gesture into a pinch before the tools see it.
  stage.addEventListener(
    "pointerdown",
    (event) => {
      if (event.pointerType !== "touch") return;
      touches.set(event.pointerId, local(event));
      const points = pair();
      if (touches.size === 2 && points) {
        gesture = { start: view, from: points };
        drag = null;
        event.stopPropagation();
      } else if (touches.size === 1 && view.scale > 1 && !stage.querySelector(".annotations.is-active")) {
        drag = { start: view, from: local(event) };
      }
    },
    true,
  );
  stage.addEventListener(
    "pointermove",
    (event) => {
      if (!touches.has(event.pointerId)) return;
      touches.set(event.pointerId, local(event));
      const points = pair();
      if (gesture && points) {
        set(pinch(gesture.start, gesture.from, points, size()));
        event.stopPropagation();
      } else if (drag) {
        const at = local(event);
        set(panBy(drag.start, at.x - drag.from.x, at.y - drag.from.y, size()));
      }
    },
    true,
  );
  for (const type of ["pointerup", "pointercancel"] as const) {
    stage.addEventListener(
      type,
      (event) => {
        touches.delete(event.pointerId);
        if (touches.size < 2) gesture = null;
        if (touches.size === 0) drag = null;
      },
      true,
    );
  }

  // The middle of what the stage shows, in the same coordinates.
  const middle = () => {
    const at = origin();
    const rect = stage.getBoundingClientRect();
    return {
      x: rect.left + stage.clientLeft + stage.clientWidth / 2 - at.x,
      y: rect.top + stage.clientTop + stage.clientHeight / 2 - at.y,
    };
  };
  const zoomIn = () => set(zoomAt(view, view.scale * ZOOM_STEP, middle(), size()));
  const zoomOut = () => set(zoomAt(view, view.scale / ZOOM_STEP, middle(), size()));
  const reset = () => set(NO_ZOOM);
  // The arrows move a zoomed picture a tenth of its box at a time (unzoomed, they scroll the stage as they did).
  const pan = (dx: number, dy: number) => () => {
    const box = size();
    set(panBy(view, dx * box.width * PAN_STEP, dy * box.height * PAN_STEP, box));
  };
  const arrows: Record<string, () => void> = {
    ArrowLeft: pan(1, 0),
    ArrowRight: pan(-1, 0),
    ArrowUp: pan(0, 1),
    ArrowDown: pan(0, -1),
  };
  stage.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const keys: Record<string, () => void> = { "+": zoomIn, "=": zoomIn, "-": zoomOut, "0": reset };
    const action = keys[event.key] ?? (view.scale > 1 ? arrows[event.key] : undefined);
    if (!action) return;
    event.preventDefault();
    action();
  });
  set(NO_ZOOM);
  return { zoomIn, zoomOut, reset };
}
