// Init script for every page of the network bench. On the customer's side getDisplayMedia returns a 1280×720 text
// test card: a strip of 40 black or white blocks at the top carrying the wall-clock ms it was painted at (32 bits
// and an 8-bit check), and below it 40 lines of 13 px monospace text that scroll by a line every 250 ms, chosen
// from the painted ms alone. On the viewer's side every frame a remote <video> presents is read back: its painted
// ms gives glass to glass, and twice a second the card is painted again from that ms and the frame's text is
// compared with it (PSNR of luma), so what is measured is exactly the text the technician was sent.
(() => {
  const WIDTH = 1280;
  const HEIGHT = 720;
  const BLOCKS = 40;
  const STRIP = 64;
  const TEXT_TOP = 72;
  const LINE = 16;
  const STEP_MS = 250;
  const PSNR_EVERY_MS = 500;
  const WORDS = (
    "error warning info debug service started stopped failed retry timeout network driver printer update install " +
    "C:\\Windows\\System32 /var/log/syslog 0x80070005 HKEY_LOCAL_MACHINE settings account password reset click " +
    "OK Cancel Apply 192.168.1.17 DNS proxy certificate expired 2026-11-30T08:15:42Z user@example.com v4.12.3"
  ).split(" ");

  /** Line `n` of the card: its number and words picked by a hash of it, wider than the canvas. */
  const lineText = (n) => {
    let text = `${String(n).padStart(7, "0")}  `;
    let x = Math.imul(n, 2654435761) >>> 0;
    while (text.length < 180) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      text += `${WORDS[(x >>> 8) % WORDS.length]} `;
    }
    return text;
  };

  const paintStrip = (ctx, ms) => {
    const bytes = [ms >>> 24, (ms >>> 16) & 255, (ms >>> 8) & 255, ms & 255];
    bytes.push(bytes[0] ^ bytes[1] ^ bytes[2] ^ bytes[3] ^ 0xa5);
    const w = WIDTH / BLOCKS;
    for (let i = 0; i < BLOCKS; i++) {
      ctx.fillStyle = (bytes[i >> 3] >> (7 - (i & 7))) & 1 ? "#fff" : "#000";
      ctx.fillRect(i * w, 0, w, STRIP);
    }
  };

  const paintText = (ctx, ms) => {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, STRIP, WIDTH, HEIGHT - STRIP);
    ctx.fillStyle = "#000";
    ctx.font = "13px monospace";
    ctx.textBaseline = "top";
    const first = Math.floor(ms / STEP_MS);
    for (let i = 0; TEXT_TOP + 4 + i * LINE < HEIGHT; i++)
      ctx.fillText(lineText(first + i), 6, TEXT_TOP + 4 + i * LINE);
  };

  const canvas2d = (width, height) => {
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    return [canvas, canvas.getContext("2d", { alpha: false, willReadFrequently: true })];
  };

  // The customer's side: the card as the shared screen.
  const media = navigator.mediaDevices;
  if (media) {
    media.getDisplayMedia = async () => {
      const [canvas, ctx] = canvas2d(WIDTH, HEIGHT);
      let step = -1;
      const paint = () => {
        const ms = Math.round(performance.timeOrigin + performance.now()) % 2 ** 32;
        if (Math.floor(ms / STEP_MS) !== step) {
          step = Math.floor(ms / STEP_MS);
          paintText(ctx, ms);
        }
        paintStrip(ctx, ms);
        requestAnimationFrame(paint);
      };
      paint();
      return canvas.captureStream(30);
    };
  }

  // What the bench reads back: the viewer's frames, and on both sides the connections' stats and ICE states.
  const probe = { frames: [], psnr: [], rejected: 0, sizes: {}, states: [] };
  Object.defineProperty(window, "__netProbe", { value: probe });
  const connections = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(config) {
      super(config);
      connections.push(this);
      // Each ICE state with its wall-clock time, for what happens around an outage.
      this.addEventListener("iceconnectionstatechange", () =>
        probe.states.push([this.iceConnectionState, Math.round(performance.timeOrigin + performance.now())]),
      );
    }
  };

  const [frameCanvas, frameCtx] = canvas2d(WIDTH, HEIGHT);
  const [refCanvas, refCtx] = canvas2d(WIDTH, HEIGHT);
  let lastPsnrAt = 0;
  /** Counters of the newest connection's video stream (inbound on the viewer, outbound on the customer). */
  probe.stats = async () => {
    const pc = connections.findLast((c) => c.connectionState !== "closed") ?? connections.at(-1);
    if (!pc) return {};
    const out = {};
    const reports = [...(await pc.getStats()).values()];
    for (const r of reports) {
      if ((r.type === "inbound-rtp" || r.type === "outbound-rtp") && r.kind === "video") {
        for (const [key, value] of Object.entries(r)) if (typeof value !== "object") out[key] = value;
        out.codec = reports.find((c) => c.id === r.codecId)?.mimeType;
      }
      if (r.type === "candidate-pair" && r.nominated && r.state === "succeeded") {
        out.currentRoundTripTime = r.currentRoundTripTime;
        out.availableOutgoingBitrate = r.availableOutgoingBitrate;
      }
    }
    return out;
  };
  /** PNGs of the last compared frame and its reference, to look at by eye. */
  probe.pictures = () => ({ received: frameCanvas.toDataURL(), source: refCanvas.toDataURL() });

  // One draw of the frame serves both its painted ms and its text: drawing the <video> twice could catch two
  // different frames, as the element moves on by itself while this callback runs late.
  const readMs = () => {
    const pixels = frameCtx.getImageData(0, STRIP / 2, WIDTH, 1).data;
    const bytes = [0, 0, 0, 0, 0];
    for (let i = 0; i < BLOCKS; i++) {
      const offset = (i * (WIDTH / BLOCKS) + WIDTH / BLOCKS / 2) * 4;
      const bit = pixels[offset] + pixels[offset + 1] + pixels[offset + 2] > 384 ? 1 : 0;
      bytes[i >> 3] |= bit << (7 - (i & 7));
    }
    if ((bytes[0] ^ bytes[1] ^ bytes[2] ^ bytes[3] ^ 0xa5) !== bytes[4]) return null;
    return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  };

  /** PSNR (dB) of the drawn frame's text against the card painted at `ms`, on luma. */
  const textPsnr = (ms) => {
    paintStrip(refCtx, ms);
    paintText(refCtx, ms);
    const got = frameCtx.getImageData(0, TEXT_TOP, WIDTH, HEIGHT - TEXT_TOP).data;
    const want = refCtx.getImageData(0, TEXT_TOP, WIDTH, HEIGHT - TEXT_TOP).data;
    let sum = 0;
    for (let i = 0; i < got.length; i += 4) {
      const d = (77 * (got[i] - want[i]) + 150 * (got[i + 1] - want[i + 1]) + 29 * (got[i + 2] - want[i + 2])) / 256;
      sum += d * d;
    }
    const mse = sum / (got.length / 4);
    return mse === 0 ? 99 : 10 * Math.log10((255 * 255) / mse);
  };

  const onFrame = (video) => (_now, frame) => {
    // Only frames that came over WebRTC (the customer's own preview has no receive time).
    if (frame.receiveTime !== undefined) {
      const size = `${frame.width}×${frame.height}`;
      probe.sizes[size] = (probe.sizes[size] ?? 0) + 1;
      frameCtx.drawImage(video, 0, 0, WIDTH, HEIGHT);
      const painted = readMs();
      if (painted === null) {
        probe.rejected++;
      } else {
        const shown = Math.round(performance.timeOrigin + frame.expectedDisplayTime) % 2 ** 32;
        const late = (shown - painted + 2 ** 32) % 2 ** 32;
        probe.frames.push({ painted, shown: painted + (late > 2 ** 31 ? late - 2 ** 32 : late) });
        if (frame.expectedDisplayTime - lastPsnrAt >= PSNR_EVERY_MS) {
          lastPsnrAt = frame.expectedDisplayTime;
          probe.psnr.push(textPsnr(painted));
        }
      }
    }
    video.requestVideoFrameCallback(onFrame(video));
  };
  addEventListener("DOMContentLoaded", () => {
    for (const video of document.querySelectorAll("video")) video.requestVideoFrameCallback(onFrame(video));
  });
})();
