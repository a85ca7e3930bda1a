/// <reference path="../../client/agent/input/x11.d.ts" />
import { connect } from "../../client/agent/input/xtest.ts";

// `node bench/agent/painter.ts DISPLAY`: paints the wall-clock time (ms, low 32 bits) on the root window of X
// DISPLAY as 40 black or white blocks, 8 × 5 over the whole screen, every few milliseconds: 32 bits of time and an
// 8-bit check, as bench/page-scripts/glass-source.js paints them in a customer's page, so that glass-probe.js reads
// them back in the viewer. It runs as a process of its own, so that the bench's own work never delays a paint.
// Only the blocks that change are painted, and each paint waits for the X server to have done the last (a round trip
// after it): a server that falls behind would otherwise queue paints in this process's socket, and the times on
// screen would grow old before the agent saw them.

const COLS = 8;
const ROWS = 5;
const EVERY_MS = 4;

const { client, root, screen } = await connect(process.argv[2] ?? ":0");
client.on("error", () => undefined);
const [white, black] = [client.AllocID(), client.AllocID()];
client.CreateGC(white, root, { foreground: 0xffffff });
client.CreateGC(black, root, { foreground: 0x000000 });
const w = Math.floor(screen.width / COLS);
const h = Math.floor(screen.height / ROWS);

/** The bit each block shows now (-1 before the first paint); only the blocks whose bit changed are painted again. */
const shown: number[] = new Array(COLS * ROWS).fill(-1);

function paint(): void {
  const ms = Math.round(performance.timeOrigin + performance.now()) % 2 ** 32;
  const bytes = [ms >>> 24, (ms >>> 16) & 255, (ms >>> 8) & 255, ms & 255];
  bytes.push((bytes[0] ?? 0) ^ (bytes[1] ?? 0) ^ (bytes[2] ?? 0) ^ (bytes[3] ?? 0) ^ 0xa5);
  const dark: number[] = [];
  const light: number[] = [];
  for (let i = 0; i < COLS * ROWS; i++) {
    const bit = ((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1;
    if (bit === shown[i]) continue;
    shown[i] = bit;
    (bit ? light : dark).push((i % COLS) * w, Math.floor(i / COLS) * h, w, h);
  }
  if (dark.length > 0) client.PolyFillRectangle(root, black, dark);
  if (light.length > 0) client.PolyFillRectangle(root, white, light);
}

function paintInTurn(): void {
  const started = performance.now();
  paint();
  client.GetInputFocus(() => {
    setTimeout(paintInTurn, Math.max(0, EVERY_MS - (performance.now() - started)));
  });
}

paintInTurn();
process.on("SIGTERM", () => {
  client.terminate();
  process.exit(0);
});
