// Init script for the viewer's page in glass_to_glass_ms: every frame the <video> presents is drawn small into a
// canvas, the 40 blocks glass-source.js painted are read back, and (expected display time − painted time) goes
// into window.__benchGlass. Frames whose check byte does not match (a frame mid-transition) are counted apart.
(() => {
  const COLS = 8;
  const ROWS = 5;
  const glass = { latencies: [], rejected: 0, size: "" };
  Object.defineProperty(window, "__benchGlass", { value: glass });
  const canvas = document.createElement("canvas");
  canvas.width = COLS * 4;
  canvas.height = ROWS * 4;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const onFrame = (video) => (_now, frame) => {
    glass.size = `${frame.width}×${frame.height}`;
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const bytes = [0, 0, 0, 0, 0];
    for (let i = 0; i < COLS * ROWS; i++) {
      // The centre of each 4 × 4 cell.
      const offset = (((i / COLS) | 0) * 4 + 2) * canvas.width * 4 + ((i % COLS) * 4 + 2) * 4;
      const bit = pixels[offset] + pixels[offset + 1] + pixels[offset + 2] > 384 ? 1 : 0;
      bytes[i >> 3] |= bit << (7 - (i & 7));
    }
    if ((bytes[0] ^ bytes[1] ^ bytes[2] ^ bytes[3] ^ 0xa5) !== bytes[4]) {
      glass.rejected++;
    } else {
      const painted = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
      const shown = Math.round(performance.timeOrigin + frame.expectedDisplayTime) % 2 ** 32;
      const late = (shown - painted + 2 ** 32) % 2 ** 32;
      // Shown "before" it was painted: rounding of the two clocks to whole ms; a tiny negative figure.
      glass.latencies.push(late > 2 ** 31 ? late - 2 ** 32 : late);
    }
    video.requestVideoFrameCallback(onFrame(video));
  };
  addEventListener("DOMContentLoaded", () => {
    for (const video of document.querySelectorAll("video")) video.requestVideoFrameCallback(onFrame(video));
  });
})();
