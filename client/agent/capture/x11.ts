import { type ChildProcess, spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { existsSync } from "node:fs";
import type { ScreenRect } from "#protocol/control.ts";
import { type CaptureCodec, type CaptureEnd, KeyframeRequests, type ScreenCapture } from "./capture.ts";
import { RtpContinuity } from "./rtp-continuity.ts";

// The X11 adapter: Debian's ffmpeg grabs the display (x11grab), encodes VP8 in libvpx's real-time mode and sends RTP
// to a UDP port of this process on loopback, one packet per datagram, which the agent hands to its video track.
//
// A keyframe on the viewer's request (PLI or FIR) restarts ffmpeg: its command line cannot be told to make one while
// it runs, and a restart's first frame is a keyframe. It costs ffmpeg's start-up (about a second on a loaded machine)
// and nothing while the picture is fine, where periodic keyframes (-force_key_frames) would cost bits all the time;
// a long GOP remains as a floor should a request be lost. Restarts are spaced at least MIN_RESTART_INTERVAL_MS apart,
// requests the run under way's first keyframe answers restart nothing (KeyframeRequests), and every run's packets are
// renumbered to go on from the last run's (rtp-continuity.ts).
// Every grabbed frame is encoded once, when it was grabbed (-fps_mode passthrough): ffmpeg's default for RTP keeps a
// constant rate by repeating frames, and on a machine too busy to grab 30 a second, encoding the repeats made it fall
// further behind each second (seconds of delay within a minute); now it sends fewer frames, each of them fresh.
// Each run gets its own socket, so that a late packet of the old run never mixes into the new one.
//
// ffmpeg runs at FFMPEG_NICENESS: encoding is the agent's heaviest work by far, and on a busy machine the person's own
// programs, the X server and the agent's input (the technician's pointer and keys) should not wait for it. Measured on
// 2 cores with a 1080p screen changing every 4 ms (npm run bench -- --only=agent): the pointer's p50 from the viewer
// to the X server was 4.8, 4.9 and 4.95 ms in three runs without, 1.95 to 3.95 ms in five runs with; glass to glass
// 51–72 ms without, 34.5–54 ms with.
//
// ffmpeg never outlives the agent, however the agent ends: a stop, Ctrl+C (which reaches its process group) or a kill
// that gives it no chance to clean up (SIGKILL, the out-of-memory killer). For the last, util-linux's setpriv (on every
// Linux) starts ffmpeg with a parent-death signal: the kernel sends it SIGTERM the moment the agent dies.

/** The RTP payload type the packets carry; the track rewrites it to the negotiated one. */
export const VP8_PAYLOAD_TYPE = 96;
/** The SSRC every run uses, so that the stream keeps one identity across restarts. */
const SSRC = 0x7e7e0001;
/** The smallest gap between two restarts for keyframes. */
export const MIN_RESTART_INTERVAL_MS = 2_000;
/**
 * How long after a run's first packet a keyframe request may still be one the viewer sent before that keyframe reached
 * it (on loopback a frame takes milliseconds; on a loaded machine or a slow line, a few hundred).
 */
const KEYFRAME_CROSSING_MS = 500;
/** RTP packets fit a path's MTU with room for SRTP and the tunnel headers. */
const PACKET_BYTES = 1_200;
/** A keyframe at least this often even if no request arrives. */
const KEYFRAME_FLOOR_S = 10;
/** How much of ffmpeg's stderr is kept for diagnosis. */
const DETAIL_CHARS = 2_000;
/** util-linux's setpriv and coreutils' nice, where this is Linux. */
const SETPRIV = "/usr/bin/setpriv";
const NICE = "/usr/bin/nice";
/** How much less of the CPU ffmpeg asks for than the agent's other work (nice(1); 19 is the least). */
export const FFMPEG_NICENESS = 10;

export type X11CaptureOptions = {
  /** The X display (":0"). */
  display: string;
  /** The part of the display to grab (one screen of several, screens.ts); all of it when absent. */
  area?: ScreenRect | null;
  frameRate?: number;
  bitrateKbps?: number;
  /** The ffmpeg program; Debian's in the PATH unless said. */
  ffmpeg?: string;
  now?: () => number;
};

/**
 * ffmpeg's command line for one run: grab `area` of `display` (all of it when null), encode real-time VP8, send RTP
 * to loopback `port`.
 */
export function ffmpegArgs(options: {
  display: string;
  area: ScreenRect | null;
  frameRate: number;
  bitrateKbps: number;
  port: number;
}) {
  const { display, area, frameRate, bitrateKbps, port } = options;
  const grab = area
    ? ["-video_size", `${area.width}x${area.height}`, "-i", `${display}+${area.x},${area.y}`]
    : ["-i", display];
  return [
    ...["-hide_banner", "-loglevel", "error", "-nostdin"],
    ...["-f", "x11grab", "-draw_mouse", "1", "-framerate", String(frameRate), ...grab],
    ...["-fps_mode", "passthrough"],
    ...["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-lag-in-frames", "0"],
    ...["-error-resilient", "1", "-auto-alt-ref", "0", "-pix_fmt", "yuv420p"],
    ...["-b:v", `${bitrateKbps}k`, "-maxrate", `${bitrateKbps}k`, "-bufsize", `${bitrateKbps}k`],
    ...["-g", String(frameRate * KEYFRAME_FLOOR_S)],
    ...["-an", "-payload_type", String(VP8_PAYLOAD_TYPE), "-ssrc", String(SSRC)],
    ...["-f", "rtp", `rtp://127.0.0.1:${port}?pkt_size=${PACKET_BYTES}`],
  ];
}

/** One run of ffmpeg: its process, the socket its packets come to, its last words, and the area it grabs. */
type Run = { process: ChildProcess; socket: Socket; detail: string; area: ScreenRect | null };

/** `command` with `args`, started so that the kernel stops it when this process dies (see above), where it can. */
export function tiedToThisProcess(command: string, args: string[]): [string, string[]] {
  if (process.platform !== "linux" || !existsSync(SETPRIV)) return [command, args];
  return [SETPRIV, ["--pdeathsig", "TERM", "--", command, ...args]];
}

/** `command` with `args`, started at FFMPEG_NICENESS (see above), where this is Linux. */
export function atLowPriority(command: string, args: string[]): [string, string[]] {
  if (process.platform !== "linux" || !existsSync(NICE)) return [command, args];
  return [NICE, ["-n", String(FFMPEG_NICENESS), command, ...args]];
}

/** Captures an X display through ffmpeg (see above). */
export class X11Capture implements ScreenCapture {
  readonly codec: CaptureCodec = { mimeType: "video/VP8", clockRate: 90_000, payloadType: VP8_PAYLOAD_TYPE };
  readonly #options: Required<X11CaptureOptions>;
  #run: Run | null = null;
  #onPacket: (packet: Uint8Array) => void = () => undefined;
  #onEnd: (end: CaptureEnd) => void = () => undefined;
  readonly #keyframes = new KeyframeRequests(MIN_RESTART_INTERVAL_MS, KEYFRAME_CROSSING_MS);
  #keyframeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Between start and stop. */
  #isStarted = false;
  #restarts: Promise<void> = Promise.resolve();
  /** Each run's packets go on from the last run's (rtp-continuity.ts). */
  readonly #continuity = new RtpContinuity();

  constructor(options: X11CaptureOptions) {
    this.#options = { area: null, frameRate: 30, bitrateKbps: 2_500, ffmpeg: "ffmpeg", now: Date.now, ...options };
  }

  /**
   * Grabs `area` from now on: a running capture restarts on it as soon as restarts may come (at once, unless the last
   * was less than MIN_RESTART_INTERVAL_MS ago), its first frame a keyframe of the new size. Switches that come while a
   * restart waits make that one restart, on the last area asked for.
   */
  async showArea(area: ScreenRect): Promise<void> {
    this.#options.area = area;
    this.#scheduleRestart();
  }

  async start(onPacket: (packet: Uint8Array) => void, onEnd: (end: CaptureEnd) => void): Promise<void> {
    this.#onPacket = onPacket;
    this.#onEnd = onEnd;
    this.#isStarted = true;
    await this.#restartInTurn();
  }

  requestKeyframe(): void {
    this.#keyframes.requested(this.#options.now());
    if (this.#keyframes.isOwed) this.#scheduleRestart();
  }

  /** A restart as soon as restarts may come, if it is still due then; one waits at a time. */
  #scheduleRestart(): void {
    if (!this.#isStarted || this.#keyframeTimer !== undefined) return;
    const now = this.#options.now();
    this.#keyframeTimer = setTimeout(() => {
      this.#keyframeTimer = undefined;
      if (this.#isStarted) void this.#restartInTurn(() => this.#isRestartDue());
    }, this.#keyframes.restartAt(now) - now);
  }

  /** Whether the run under way is not what is asked for: none, another area, or no answer to a keyframe request. */
  #isRestartDue(): boolean {
    return this.#run === null || this.#run.area !== this.#options.area || this.#keyframes.isOwed;
  }

  async stop(): Promise<void> {
    this.#isStarted = false;
    clearTimeout(this.#keyframeTimer);
    this.#keyframeTimer = undefined;
    const run = this.#run;
    this.#run = null;
    await this.#end(run);
  }

  /**
   * Restarts after any restart still under way, so that two never run ffmpeg at once, if it is still `isDue` by then
   * (the one before may have answered it).
   */
  #restartInTurn(isDue: () => boolean = () => true): Promise<void> {
    const next = this.#restarts.then(() => (isDue() ? this.#restart() : undefined));
    this.#restarts = next.catch(() => undefined);
    return next;
  }

  async #restart(): Promise<void> {
    const old = this.#run;
    this.#run = null;
    await this.#end(old);
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => resolve());
    });
    if (!this.#isStarted) {
      socket.close();
      return;
    }
    const { display, area, frameRate, bitrateKbps, ffmpeg } = this.#options;
    const args = ffmpegArgs({ display, area, frameRate, bitrateKbps, port: socket.address().port });
    const child = spawn(...tiedToThisProcess(...atLowPriority(ffmpeg, args)), { stdio: ["ignore", "ignore", "pipe"] });
    const run: Run = { process: child, socket, detail: "", area };
    this.#run = run;
    this.#keyframes.started(this.#options.now());
    socket.on("message", (packet) => {
      if (this.#run !== run) return;
      this.#keyframes.sent(this.#options.now());
      this.#onPacket(this.#continuity.rewrite(packet, run));
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      run.detail = (run.detail + chunk.toString()).slice(-DETAIL_CHARS);
    });
    const ended = (exitCode: number | null) => {
      if (this.#run !== run) return;
      this.#run = null;
      closeQuietly(socket);
      this.#onEnd({ exitCode, detail: run.detail.trim() });
    };
    child.once("error", (error) => {
      run.detail = error.message;
      ended(null);
    });
    child.once("exit", (code) => ended(code));
  }

  /** Ends a run (its exit is then not reported): ffmpeg is asked to stop, and killed if it does not. */
  async #end(run: Run | null): Promise<void> {
    if (!run) return;
    closeQuietly(run.socket);
    const child = run.process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // Closed already.
  }
}
