import { MAX_STROKE_POINTS, StrokeColour } from "#protocol/control.ts";
import { type Point, PointerGate } from "../../../core/annotations.ts";
import { technicianText } from "../i18n/page.ts";
import { AnnotationLayer } from "../lib/annotation-layer.ts";
import { byId } from "../lib/dom.ts";
import type { TechnicianSession } from "./TechnicianSession.ts";

// The viewer's tools to show the customer something: Point (the technician's pointer follows their mouse over the
// picture, at most 60 times a second) and Draw (freehand strokes in a colour, sent in pieces as they are drawn, that
// fade on both pages a few seconds after the pen lifts), and Clear. Both draw on the canvas over the picture.

const video = byId("remote-screen", HTMLVideoElement);
const canvas = byId("remote-annotations", HTMLCanvasElement);
const pointButton = byId("tool-point", HTMLButtonElement);
const drawButton = byId("tool-draw", HTMLButtonElement);
const colourSelect = byId("tool-colour", HTMLSelectElement);
const clearButton = byId("tool-clear", HTMLButtonElement);

/** How often a stroke being drawn is sent on, in pieces. */
const STROKE_SEND_MS = 50;

type Tool = "none" | "point" | "draw";

let session: TechnicianSession | null = null;
let layer: AnnotationLayer | null = null;
let tool: Tool = "none";
const gate = new PointerGate(60);
let gateTimer: ReturnType<typeof setTimeout> | undefined;
let nextStrokeId = 1;
let stroke: { id: number; colour: StrokeColour; pending: Point[]; timer: ReturnType<typeof setInterval> } | null = null;

function setTool(next: Tool): void {
  tool = next;
  pointButton.setAttribute("aria-pressed", String(tool === "point"));
  drawButton.setAttribute("aria-pressed", String(tool === "draw"));
  canvas.classList.toggle("is-active", tool !== "none");
  if (tool !== "point") sendPointer(0, 0, true);
}

function sendPointer(x: number, y: number, isAway: boolean): void {
  const now = Date.now();
  const position = gate.offer(x, y, isAway, now);
  if (position) {
    session?.point(position.x, position.y, position.isAway);
    layer?.wake();
    return;
  }
  // The latest position goes out at its turn, so the pointer never stops short of where the mouse did.
  clearTimeout(gateTimer);
  gateTimer = setTimeout(() => {
    const due = gate.due(Date.now());
    if (due) {
      session?.point(due.x, due.y, due.isAway);
      layer?.wake();
    }
  }, 17);
}

function flushStroke(isEnd: boolean): void {
  if (!stroke) return;
  while (stroke.pending.length > MAX_STROKE_POINTS) {
    session?.draw(stroke.id, stroke.colour, stroke.pending.splice(0, MAX_STROKE_POINTS) as [number, number][], false);
  }
  if (stroke.pending.length > 0 || isEnd) {
    session?.draw(stroke.id, stroke.colour, stroke.pending.splice(0) as [number, number][], isEnd);
  }
  layer?.wake();
  if (isEnd) {
    clearInterval(stroke.timer);
    stroke = null;
  }
}

canvas.addEventListener("pointermove", (event) => {
  if (!layer) return;
  const at = layer.toPicture(event.clientX, event.clientY);
  if (tool === "point") sendPointer(at.x, at.y, !at.isInside);
  if (tool === "draw" && stroke) stroke.pending.push([at.x, at.y]);
});
canvas.addEventListener("pointerleave", () => {
  if (tool === "point") sendPointer(0, 0, true);
});
canvas.addEventListener("pointerdown", (event) => {
  if (tool !== "draw" || !layer) return;
  canvas.setPointerCapture(event.pointerId);
  const at = layer.toPicture(event.clientX, event.clientY);
  const colour = StrokeColour.safeParse(colourSelect.value);
  stroke = {
    id: nextStrokeId++,
    colour: colour.success ? colour.data : "red",
    pending: [[at.x, at.y]],
    timer: setInterval(() => flushStroke(false), STROKE_SEND_MS),
  };
  flushStroke(false);
});
for (const type of ["pointerup", "pointercancel"] as const) canvas.addEventListener(type, () => flushStroke(true));

pointButton.addEventListener("click", () => setTool(tool === "point" ? "none" : "point"));
drawButton.addEventListener("click", () => setTool(tool === "draw" ? "none" : "draw"));
clearButton.addEventListener("click", () => {
  session?.clearDrawing();
  layer?.wake();
});
addEventListener("keydown", (event) => {
  if (event.key === "Escape" && tool !== "none") setTool("none");
});

/** The colour names, in the page's language. */
export function drawColourChoices(): void {
  const chosen = colourSelect.value || "red";
  colourSelect.replaceChildren(
    ...StrokeColour.options.map((colour) => {
      const option = document.createElement("option");
      option.value = colour;
      option.textContent = technicianText().viewer.colours[colour];
      return option;
    }),
  );
  colourSelect.value = chosen;
}

/** Points the tools at `current` (null when the viewer closes). */
export function annotate(current: TechnicianSession | null): void {
  flushStroke(true);
  setTool("none");
  session = current;
  layer = current ? new AnnotationLayer(canvas, video, current.annotations) : null;
  layer?.wake();
}

/** The picture changed size or place: draw the annotations where it is now. */
export function redrawAnnotations(): void {
  layer?.wake();
}
