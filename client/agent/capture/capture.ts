import type { ScreenRect } from "#protocol/control.ts";

// One interface for every operating system's screen capture: each OS is one adapter behind it (X11 through ffmpeg
// first; Wayland's ScreenCast portal, Windows' and macOS' capture APIs later). What the agent gets is RTP packets of
// encoded video, ready for its video track, and a way to ask for a keyframe when the viewer lost the picture.

/** The encoding of the packets, as the video track announces it. */
export type CaptureCodec = { mimeType: "video/VP8"; clockRate: 90_000; payloadType: number };

/** Why a capture stopped by itself: the capturing program ended, with its last words for diagnosis. */
export type CaptureEnd = { exitCode: number | null; detail: string };

/** A running capture of one screen. */
export interface ScreenCapture {
  readonly codec: CaptureCodec;
  /** Starts capturing; every RTP packet goes to `onPacket`, and `onEnd` hears if it stops by itself. */
  start(onPacket: (packet: Uint8Array) => void, onEnd: (end: CaptureEnd) => void): Promise<void>;
  /**
   * Captures `area` of the desktop from now on (one screen of several): a running capture moves to it at once. Absent
   * where the adapter captures one screen only.
   */
  showArea?(area: ScreenRect): Promise<void>;
  /** The viewer asked for a keyframe (PLI or FIR): one comes as soon as the adapter can make one. */
  requestKeyframe(): void;
  /** Stops for good. */
  stop(): Promise<void>;
}

/**
 * When a keyframe asked for at `now` can be made, for an adapter that makes one by restarting its encoder: at once,
 * unless the last start was less than `minIntervalMs` ago (then at its end), so that a viewer asking again and again
 * cannot keep the encoder from ever running.
 */
export function keyframeAt(now: number, lastStartAt: number | null, minIntervalMs: number): number {
  return lastStartAt === null ? now : Math.max(now, lastStartAt + minIntervalMs);
}

/**
 * The viewer's keyframe requests, for an adapter whose every run of its encoder starts with a keyframe (so that a
 * restart is how it makes one), told the times by its caller. A request is answered by the run under way's first
 * keyframe when it came before that run sent anything, or within `crossingMs` of its first packet (a request the
 * viewer sent before the keyframe reached it): only a later one calls for a restart. A viewer re-asks every 200 ms or
 * so while it waits; without this, an encoder slower to start than `minIntervalMs` was restarted again before its
 * first frame, over and over, and never sent one.
 */
export class KeyframeRequests {
  #lastStartAt: number | null = null;
  #firstPacketAt: number | null = null;
  #lastRequestAt: number | null = null;
  readonly #minIntervalMs: number;
  readonly #crossingMs: number;

  constructor(minIntervalMs: number, crossingMs: number) {
    this.#minIntervalMs = minIntervalMs;
    this.#crossingMs = crossingMs;
  }

  /** A run of the encoder started at `now`. */
  started(now: number): void {
    this.#lastStartAt = now;
    this.#firstPacketAt = null;
  }

  /** The run under way sent a packet at `now`. */
  sent(now: number): void {
    this.#firstPacketAt ??= now;
  }

  /** The viewer asked for a keyframe at `now`. */
  requested(now: number): void {
    this.#lastRequestAt = now;
  }

  /** Whether a request came that the run under way's first keyframe does not answer. */
  get isOwed(): boolean {
    const [asked, first] = [this.#lastRequestAt, this.#firstPacketAt];
    if (asked === null) return false;
    if (this.#lastStartAt === null) return true;
    return first !== null && asked >= first + this.#crossingMs;
  }

  /** When a restart asked for at `now` may come (keyframeAt). */
  restartAt(now: number): number {
    return keyframeAt(now, this.#lastStartAt, this.#minIntervalMs);
  }
}
