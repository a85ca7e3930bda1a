import type { Surface } from "#protocol/control.ts";
import { codecPreferences } from "./codecs.ts";

// How a screen goes out. Codec order comes from a measurement in Debian's Chromium 156 (software codecs, loopback,
// --disable-gpu): a 1280×720 page of 13 px text scrolled a line every 250 ms, sent with contentHint "detail" and
// maintain-resolution, PSNR of the received text against the source (higher is more legible):
//
//             at 1.5 Mbit/s cap                      at 600 kbit/s cap        fake screen
//             PSNR   fps  used kbit/s  enc ms/frame  PSNR  fps  used kbit/s   first frame
//   VP9       49.5   4.0   640          11           37.5  4.0   430          137 ms
//   AV1       47.9   4.0   220          10           47.9  4.0   240          127 ms
//   H264      35.0   2.0   105           7           33.2  0.8    96          146 ms
//   VP8       24.2   2.4  1300          10           24.1  1.0   580          133 ms
//
// At 1920×1080 (1.5 Mbit/s): VP9 47.7 dB at 4.2 fps and 25 ms/frame, AV1 47.2 dB at 4 fps and 32 ms/frame, H264
// 33.1 dB at 0.8 fps, VP8 22.9 dB at 1 fps. VP8 starves on text (quantiser pinned at its maximum) and OpenH264
// drops frames rather than spend its budget. First-frame times do not separate them.
//
// AV1 comes first since the network bench (bench/network/, docs/network.md): relay-only through a shaped, lossy
// path, a 1280×720 card of 13 px text scrolling a line every 250 ms, the sender's own bandwidth estimate setting the
// rate (250–850 kbit/s, far under the cap), two interleaved pairs per line in one run; poor = 80 ms RTT, 1 % loss,
// 4 Mbit/s, bad = 200 ms, 3 %, 1.5 Mbit/s:
//
//                 text PSNR (legible ≥ 20 dB)   fps         glass to glass p50
//   poor   VP9    26.2, 27.0                    0.5, 0.5    2.5, 2.8 s
//          AV1    36.5, 43.1                    1.4, 1.1    0.9, 1.1 s
//   bad    VP9    21.3, 23.0                    0.4, 1.3    3.5, 0.7 s
//          AV1    38.0, 41.5                    0.5, 1.1    1.8, 0.6 s
//
// (on a two-core machine at a load average near 30, hence the frame rates and delays). At the rates customers'
// lines leave, AV1's screen tools keep text sharp where VP9 sits at the edge of legible, and it did not cost more
// encode time per frame there (AV1 68–286 ms, VP9 52–864 ms). VP9 stays second: it is what a viewer without an AV1
// decoder (Safari without hardware AV1) negotiates instead, and it costs less CPU at 1080p on an idle machine (25
// against 32 ms a frame above). Then H264 and VP8 for peers with nothing better. The order is SCREEN_CODECS in
// codecs.ts.

/** Enough for sharp text at 1440p; the bandwidth estimate lowers it on slower paths. */
export const SCREEN_MAX_BITRATE = 2_500_000;
export const SCREEN_MAX_FRAMERATE = 30;

/**
 * Asks the browser's own picker for a screen, window or tab; rejects if the person cancels. `controller`: Chromium's
 * CaptureController, through which the page can later zoom a tab it captures (customer/surface-control.ts).
 */
export async function captureScreen(controller?: object): Promise<MediaStreamTrack> {
  // Chrome's extras: hide this very tab from the picker, offer "share this tab instead" without a new capture.
  const options: DisplayMediaStreamOptions & Record<string, unknown> = {
    video: { frameRate: { ideal: SCREEN_MAX_FRAMERATE, max: SCREEN_MAX_FRAMERATE } },
    audio: false,
    selfBrowserSurface: "exclude",
    surfaceSwitching: "include",
    ...(controller ? { controller } : {}),
  };
  const stream = await navigator.mediaDevices.getDisplayMedia(options);
  const track = stream.getVideoTracks()[0];
  if (!track) throw new Error("The browser returned no video to share.");
  // "detail": the encoder keeps text legible and lowers the frame rate, not the sharpness, when bits run short.
  track.contentHint = "detail";
  return track;
}

/** What kind of surface a captured track shows. */
export function surfaceOf(track: MediaStreamTrack | null): Surface {
  const surface = (track?.getSettings() as { displaySurface?: string } | undefined)?.displaySurface;
  return surface === "monitor" || surface === "window" || surface === "browser" ? surface : "unknown";
}

/** Puts the screen codecs first where the browser lets a page order them; elsewhere its own order stands. */
function preferScreenCodecs(transceiver: RTCRtpTransceiver): void {
  const send = RTCRtpSender.getCapabilities?.("video")?.codecs;
  if (!send || typeof transceiver.setCodecPreferences !== "function") return;
  const receive = RTCRtpReceiver.getCapabilities?.("video")?.codecs ?? [];
  for (const codecs of codecPreferences(send, receive)) {
    try {
      transceiver.setCodecPreferences(codecs);
      return;
    } catch {
      // InvalidModificationError: this browser takes only codecs it can also receive; try the next list.
    }
  }
}

/** Adds the one send-only video transceiver of a customer's connection, tuned for screens. */
export function addScreenTransceiver(pc: RTCPeerConnection, track: MediaStreamTrack | null): RTCRtpTransceiver {
  const transceiver = pc.addTransceiver(track ?? "video", {
    direction: "sendonly",
    sendEncodings: [{ maxBitrate: SCREEN_MAX_BITRATE, maxFramerate: SCREEN_MAX_FRAMERATE }],
  });
  preferScreenCodecs(transceiver);
  return transceiver;
}

/**
 * How the encoder gives way when bits run short, for what `track` shows: a screen drops frames rather than resolution
 * (a blurred screen cannot be read); a camera ("motion", customer/camera.ts) gives up some of each, so the picture
 * keeps following the hand that aims it without its labels turning to mush.
 */
export function degradationFor(track: MediaStreamTrack | null): RTCDegradationPreference {
  return track?.contentHint === "motion" ? "balanced" : "maintain-resolution";
}

/** When bits run short, drop frames rather than resolution (or as `preference` says). */
export async function keepResolution(
  sender: RTCRtpSender,
  preference: RTCDegradationPreference = "maintain-resolution",
): Promise<void> {
  const parameters = sender.getParameters();
  if (parameters.encodings.length === 0) return;
  parameters.degradationPreference = preference;
  try {
    await sender.setParameters(parameters);
  } catch {
    // A browser without degradationPreference still sends; it just may scale down under pressure.
  }
}
