import { MAX_STROKE_POINTS, StrokeColour } from "#protocol/control.ts";
import { type Point, PointerGate } from "../../../core/annotations.ts";
import { technicianText } from "../i18n/page.ts";
import { AnnotationLayer } from "../lib/annotation-layer.ts";
import { byId } from "../lib/dom.ts";
import type { TechnicianSession } from "./TechnicianSession.ts";

// The viewer's tools over the picture: Point (the technician's pointer follows their mouse over the picture, at most 60
// times a second) and Draw (freehand strokes in a colour, sent in pieces as they are drawn, that fade on both pages a
// few seconds after the pen lifts), and Clear, which draw on the canvas over the picture; and Control, where the
// customer's native agent lets the technician use its mouse and keyboard: the pointer moves it, clicks and the wheel
// land where they are made, keys go by their physical code (KeyboardEvent.code) while the picture has the focus, and
// every key still held is let go when the focus leaves it, control ends or the technician stops controlling.

const video = byId("remote-screen", HTMLVideoElement);
const canvas = byId("remote-annotations", HTMLCanvasElement);
const pointButton = byId("tool-point", HTMLButtonElement);
const drawButton = byId("tool-draw", HTMLButtonElement);
const colourSelect = byId("tool-colour", HTMLSelectElement);
const clearButton = byId("tool-clear", HTMLButtonElement);
const controlButton = byId("tool-control", HTMLButtonElement);
const ctrlAltDelButton = byId("tool-ctrl-alt-del", HTMLButtonElement);
const stage = byId("stage");

/** How often a stroke being drawn is sent on, in pieces. */
const STROKE_SEND_MS = 50;

type Tool = "none" | "point" | "draw" | "control";

/** PointerEvent.button → the agent's buttons. */
const BUTTONS = ["left", "middle", "right"] as const;
/** A wheel turned by lines or pages gives this many pixels a line (and a page is 20 lines). */
const PIXELS_PER_LINE = 40;

let session: TechnicianSession | null = null;
let layer: AnnotationLayer | null = null;
let tool: Tool = "none";
const gate = new PointerGate(60);
let gateTimer: ReturnType<typeof setTimeout> | undefined;
let nextStrokeId = 1;
let stroke: { id: number; colour: StrokeColour; pending: Point[]; timer: ReturnType<typeof setInterval> } | null = null;
/** The keys sent down to the customer's machine and not yet up. */
const heldKeys = new Set<string>();

function setTool(next: Tool): void {
  if (tool === "control" && next !== "control") releaseKeys();
  tool = next;
  pointButton.setAttribute("aria-pressed", String(tool === "point"));
  drawButton.setAttribute("aria-pressed", String(tool === "draw"));
  controlButton.setAttribute("aria-pressed", String(tool === "control"));
  canvas.classList.toggle("is-active", tool !== "none");
  if (tool !== "point" && tool !== "control") sendPointer(0, 0, true);
  // Keys go to the customer's machine from the picture, which takes the keyboard's focus as control starts.
  if (tool === "control") stage.focus();
}

function sendKey(code: string, isDown: boolean): void {
  if (isDown) heldKeys.add(code);
  else heldKeys.delete(code);
  session?.sendInput({ type: "key", code, isDown });
}

/** Lets go of every key still held on the customer's machine. */
function releaseKeys(): void {
  for (const code of [...heldKeys]) sendKey(code, false);
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

/**
 * The event that brings the pointer's moves while pointing or in control: `pointerrawupdate` where the browser has it
 * (Chromium), which comes as soon as the input does, rather than `pointermove`, which waits for the next frame the
 * page draws (up to 16 ms at 60 Hz, and the picture keeps the page drawing): the pointer on the other screen follows
 * that much sooner. Drawing takes `pointermove`'s, one point a frame being plenty for a stroke.
 */
const MOVE_EVENT = "onpointerrawupdate" in globalThis ? "pointerrawupdate" : "pointermove";

canvas.addEventListener(MOVE_EVENT, (event) => {
  if (!layer || !(event instanceof PointerEvent)) return;
  const at = layer.toPicture(event.clientX, event.clientY);
  if (tool === "point") sendPointer(at.x, at.y, !at.isInside);
  if (tool === "control" && at.isInside) sendPointer(at.x, at.y, false);
});
canvas.addEventListener("pointermove", (event) => {
  if (!layer || tool !== "draw" || !stroke) return;
  const at = layer.toPicture(event.clientX, event.clientY);
  stroke.pending.push([at.x, at.y]);
});
canvas.addEventListener("pointerleave", () => {
  if (tool === "point") sendPointer(0, 0, true);
});
/** A press or release of a mouse button at its point of the picture, to the customer's machine. */
function sendButton(event: PointerEvent, isDown: boolean): void {
  const button = BUTTONS[event.button];
  if (tool !== "control" || !layer || !button) return;
  event.preventDefault();
  const at = layer.toPicture(event.clientX, event.clientY);
  if (isDown && !at.isInside) return;
  session?.sendInput({ type: "button", button, isDown, x: at.x, y: at.y });
}

canvas.addEventListener("pointerdown", (event) => {
  if (tool === "control") {
    canvas.setPointerCapture(event.pointerId);
    stage.focus();
    sendButton(event, true);
    return;
  }
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
for (const type of ["pointerup", "pointercancel"] as const) {
  canvas.addEventListener(type, (event) => {
    sendButton(event, false);
    flushStroke(true);
  });
}
canvas.addEventListener("contextmenu", (event) => {
  if (tool === "control") event.preventDefault();
});
canvas.addEventListener(
  "wheel",
  (event) => {
    if (tool !== "control") return;
    event.preventDefault();
    const unit =
      event.deltaMode === WheelEvent.DOM_DELTA_PIXEL
        ? 1
        : PIXELS_PER_LINE * (event.deltaMode === WheelEvent.DOM_DELTA_PAGE ? 20 : 1);
    session?.sendInput({ type: "wheel", dx: event.deltaX * unit, dy: event.deltaY * unit });
  },
  { passive: false },
);
// While controlling, every key the picture gets is the customer's machine's: none zooms the picture or leaves a tool.
for (const type of ["keydown", "keyup"] as const) {
  stage.addEventListener(
    type,
    (event) => {
      if (tool !== "control" || !event.code) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      if (type === "keydown" && event.repeat) return;
      sendKey(event.code, type === "keydown");
    },
    { capture: true },
  );
}
stage.addEventListener("focusout", releaseKeys);
addEventListener("blur", releaseKeys);

pointButton.addEventListener("click", () => setTool(tool === "point" ? "none" : "point"));
controlButton.addEventListener("click", () => setTool(tool === "control" ? "none" : "control"));
// A combination the technician's own system would take for itself, sent as its keys, pressed and let go in order.
ctrlAltDelButton.addEventListener("click", () => {
  const keys = ["ControlLeft", "AltLeft", "Delete"];
  for (const code of keys) sendKey(code, true);
  for (const code of keys.reverse()) sendKey(code, false);
});
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

/**
 * Shows Control (and Send Ctrl+Alt+Del) while the customer's machine lets this technician control it; when it stops
 * (false), control ends here too. Without a connection (null: one being replaced, which says so again once open)
 * Control stays chosen, and only the keys held are let go.
 */
export function showRemoteControl(isAllowed: boolean | null): void {
  controlButton.hidden = isAllowed !== true;
  ctrlAltDelButton.hidden = isAllowed !== true;
  if (isAllowed === null) releaseKeys();
  if (isAllowed === false && tool === "control") setTool("none");
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
