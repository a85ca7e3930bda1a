// Init script for the customer's page in glass_to_glass_ms: getDisplayMedia returns a 1280×720 canvas that paints
// the wall-clock time (ms, low 32 bits) as 40 black or white blocks, 8 × 5 of 160 × 144 px each: 32 bits of time
// and an 8-bit check, big enough to survive any encoder. glass-probe.js reads them back on the viewer's side.
(() => {
  const WIDTH = 1280;
  const HEIGHT = 720;
  const COLS = 8;
  const ROWS = 5;
  const media = navigator.mediaDevices;
  if (!media) return;
  media.getDisplayMedia = async () => {
    const canvas = document.createElement("canvas");
    canvas.width = WIDTH;
    canvas.height = HEIGHT;
    const ctx = canvas.getContext("2d", { alpha: false });
    const w = WIDTH / COLS;
    const h = HEIGHT / ROWS;
    let painted = 0;
    Object.defineProperty(window, "__benchPainted", { get: () => painted });
    const paint = () => {
      const ms = Math.round(performance.timeOrigin + performance.now()) % 2 ** 32;
      const bytes = [ms >>> 24, (ms >>> 16) & 255, (ms >>> 8) & 255, ms & 255];
      bytes.push(bytes[0] ^ bytes[1] ^ bytes[2] ^ bytes[3] ^ 0xa5);
      for (let i = 0; i < COLS * ROWS; i++) {
        const bit = (bytes[i >> 3] >> (7 - (i & 7))) & 1;
        ctx.fillStyle = bit ? "#fff" : "#000";
        ctx.fillRect((i % COLS) * w, Math.floor(i / COLS) * h, w, h);
      }
      painted++;
      requestAnimationFrame(paint);
    };
    paint();
    return canvas.captureStream(30);
  };
})();
