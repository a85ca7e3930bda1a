// One RTP stream across encoder restarts. The X11 capture restarts ffmpeg for every keyframe the viewer asks for, and
// each run numbers its packets and stamps its frames from a random start. A receiver takes a timestamp that falls
// back for an old frame and drops it (and the frames after it, which refer to it), asking for a keyframe again; one
// that jumps ahead is held as if it were late. So each run's packets are rewritten to go on from the last one sent:
// sequence numbers one after the last, timestamps on from the last by the wall-clock time in between.

/** RTP's video clock: 90 kHz, 90 ticks a millisecond. */
const TICKS_PER_MS = 90;

/** Rewrites the sequence numbers and timestamps of successive runs into one continuous stream (see above). */
export class RtpContinuity {
  readonly #now: () => number;
  #run: unknown = undefined;
  #seqOffset = 0;
  #tsOffset = 0;
  #last: { seq: number; ts: number; at: number } | null = null;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** `packet` (changed in place, and returned) as the stream goes on; `run` tells the encoder's runs apart. */
  rewrite(packet: Uint8Array, run: unknown): Uint8Array {
    if (packet.byteLength < 12) return packet;
    const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
    const seq = view.getUint16(2);
    const ts = view.getUint32(4);
    const now = this.#now();
    if (run !== this.#run) {
      this.#run = run;
      const last = this.#last;
      this.#seqOffset = last ? (last.seq + 1 - seq) & 0xffff : 0;
      const gap = last ? Math.max(1, Math.round((now - last.at) * TICKS_PER_MS)) : 0;
      this.#tsOffset = last ? (last.ts + gap - ts) >>> 0 : 0;
    }
    const newSeq = (seq + this.#seqOffset) & 0xffff;
    const newTs = (ts + this.#tsOffset) >>> 0;
    view.setUint16(2, newSeq);
    view.setUint32(4, newTs);
    this.#last = { seq: newSeq, ts: newTs, at: now };
    return packet;
  }
}
