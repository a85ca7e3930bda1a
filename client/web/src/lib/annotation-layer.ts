import type { StrokeColour } from "#protocol/control.ts";
import type { Annotations } from "../../../core/annotations.ts";

// Draws a session's annotations (the technician's pointer and strokes) on a canvas laid over a <video>, on the part
// of it the picture fills (object-fit may letterbox it), and redraws each frame while anything is shown. It also
// maps a point of the page onto the picture, for the technician's own pointer and pen. The canvas says in data
// attributes what it shows (data-pointer "x,y", data-strokes), so that tests and tools can read it without pixels.

const COLOURS: Record<StrokeColour, string> = {
  red: "#e5322d",
  yellow: "#f5c400",
  blue: "#1d5fd1",
  green: "#1a9e4b",
};

/** The picture's rectangle inside the video element, in CSS pixels from its top left. */
type Box = { left: number; top: number; width: number; height: number };

export class AnnotationLayer {
  #frame = 0;

  readonly #canvas: HTMLCanvasElement;
  readonly #video: HTMLVideoElement;
  readonly #annotations: Annotations;

  constructor(canvas: HTMLCanvasElement, video: HTMLVideoElement, annotations: Annotations) {
    this.#canvas = canvas;
    this.#video = video;
    this.#annotations = annotations;
  }

  /**
   * The window the canvas is in now: the page's, or an always-on-top window it was moved to, whose frames keep coming
   * while the page itself is hidden.
   */
  get #view(): Window {
    return this.#canvas.ownerDocument.defaultView ?? window;
  }

  /** Draws now and keeps drawing while anything is shown. */
  wake(): void {
    if (this.#frame === 0) this.#frame = this.#view.requestAnimationFrame(() => this.#draw());
  }

  /** Where a point of the page falls on the picture, from 0 to 1, and whether it is on it at all. */
  toPicture(clientX: number, clientY: number): { x: number; y: number; isInside: boolean } {
    const rect = this.#video.getBoundingClientRect();
    const box = this.#box();
    // A zoomed video (a CSS scale, viewer/zoom.ts) is larger on the page than in layout, where the box is measured.
    const zoom = this.#video.offsetWidth > 0 ? rect.width / this.#video.offsetWidth : 1;
    const x = (clientX - rect.left - box.left * zoom) / (box.width * zoom);
    const y = (clientY - rect.top - box.top * zoom) / (box.height * zoom);
    const isInside = x >= 0 && x <= 1 && y >= 0 && y <= 1;
    return { x: Math.min(1, Math.max(0, x)), y: Math.min(1, Math.max(0, y)), isInside };
  }

  #box(): Box {
    const video = this.#video;
    const width = video.clientWidth;
    const height = video.clientHeight;
    if (!video.videoWidth || !video.videoHeight || !width || !height) return { left: 0, top: 0, width, height };
    const fit = this.#view.getComputedStyle(video).objectFit;
    const scale = fit === "none" ? 1 : Math.min(width / video.videoWidth, height / video.videoHeight);
    const w = video.videoWidth * scale;
    const h = video.videoHeight * scale;
    return { left: (width - w) / 2, top: (height - h) / 2, width: w, height: h };
  }

  #draw(): void {
    this.#frame = 0;
    const canvas = this.#canvas;
    const video = this.#video;
    const annotations = this.#annotations;
    // Over the video element wherever layout put it (fitted, actual size in a scrolled stage, a small preview).
    canvas.style.left = `${video.offsetLeft}px`;
    canvas.style.top = `${video.offsetTop}px`;
    canvas.style.width = `${video.clientWidth}px`;
    canvas.style.height = `${video.clientHeight}px`;
    const scale = this.#view.devicePixelRatio || 1;
    const width = Math.round(video.clientWidth * scale);
    const height = Math.round(video.clientHeight * scale);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const context = canvas.getContext("2d");
    if (!context) return;
    context.clearRect(0, 0, canvas.width, canvas.height);
    const box = this.#box();
    const at = (x: number, y: number): [number, number] => [
      (box.left + x * box.width) * scale,
      (box.top + y * box.height) * scale,
    ];
    const now = Date.now();
    const strokes = annotations.strokesNow(now);
    context.lineCap = "round";
    context.lineJoin = "round";
    context.lineWidth = 4 * scale;
    // With reduced motion asked for, a stroke does not fade: it stays as it is, then goes at once.
    const isStill = this.#view.matchMedia("(prefers-reduced-motion: reduce)").matches;
    for (const stroke of strokes) {
      context.globalAlpha = isStill ? 1 : stroke.opacity;
      context.strokeStyle = COLOURS[stroke.colour];
      context.beginPath();
      stroke.points.forEach(([x, y], i) => {
        const [px, py] = at(x, y);
        if (i === 0) context.moveTo(px, py);
        else context.lineTo(px, py);
      });
      if (stroke.points.length === 1) {
        const [px, py] = at(...(stroke.points[0] as [number, number]));
        context.lineTo(px + 0.1, py);
      }
      context.stroke();
    }
    context.globalAlpha = 1;
    const pointer = annotations.pointerNow(now);
    if (pointer) {
      const [px, py] = at(pointer.x, pointer.y);
      context.beginPath();
      context.arc(px, py, 10 * scale, 0, 2 * Math.PI);
      context.fillStyle = "rgba(229, 50, 45, 0.45)";
      context.fill();
      context.lineWidth = 3 * scale;
      context.strokeStyle = "#ffffff";
      context.stroke();
    }
    canvas.dataset.pointer = pointer ? `${pointer.x.toFixed(3)},${pointer.y.toFixed(3)}` : "";
    canvas.dataset.strokes = String(strokes.length);
    if (annotations.isShowing(now)) this.wake();
  }
}
