// Follows one direction of a WebSocket connection frame by frame, reading only the headers (RFC 6455 §5.2) and
// skipping payloads, so that the front door can tell how big a message is announced to be before any of it arrives,
// and where one frame ends and the next begins.

/** Data frames start a message (text 1, binary 2) or go on with it (continuation 0); 8 and above are control frames. */
const CONTINUATION = 0x0;
const CLOSE = 0x8;

export class FrameMeter {
  /** Header bytes of the current frame read so far, and how many it has: 2, plus 2 or 8 of extended length, plus 4 of mask. */
  private headerLength = 0;
  private needed = 2;
  /** The current frame's first header byte (FIN and opcode), its extended length's size, and its length so far. */
  private first = 0;
  private lengthBytes = 0;
  private length = 0;
  /** Payload bytes of the current frame still to pass. */
  private remaining = 0;
  /** Payload bytes announced so far for the message under way. */
  private messageBytes = 0;
  private isCloseSeen = false;

  /** Whether a close frame's header has passed: its sender will send nothing more (RFC 6455 §5.5.1). */
  get hasClosed(): boolean {
    return this.isCloseSeen;
  }

  /** Whether the stream is between two frames. */
  get isAtBoundary(): boolean {
    return this.headerLength === 0 && this.remaining === 0;
  }

  /**
   * Takes the next bytes of the stream; returns the size announced so far for the message whose frame header made it
   * exceed `limit`, or null while every message is within it.
   */
  feed(bytes: Uint8Array, limit: number): number | null {
    let i = 0;
    while (i < bytes.length) {
      if (this.remaining > 0) {
        const skip = Math.min(this.remaining, bytes.length - i);
        this.remaining -= skip;
        i += skip;
        continue;
      }
      const byte = bytes[i++] as number;
      const at = this.headerLength++;
      // Plain numbers rather than a header buffer: a meter lives as long as its connection, most of it idle.
      if (at === 0) {
        this.first = byte;
      } else if (at === 1) {
        const length7 = byte & 0x7f;
        this.lengthBytes = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
        this.length = this.lengthBytes === 0 ? length7 : 0;
        this.needed = 2 + this.lengthBytes + ((byte & 0x80) !== 0 ? 4 : 0);
      } else if (at < 2 + this.lengthBytes) {
        this.length = this.length * 256 + byte;
      }
      if (this.headerLength < this.needed) continue;
      const over = this.frameStarts(limit);
      if (over !== null) return over;
    }
    return null;
  }

  /** A complete header is in: note its payload's length. */
  private frameStarts(limit: number): number | null {
    const opcode = this.first & 0x0f;
    this.headerLength = 0;
    this.needed = 2;
    this.remaining = this.length;
    if (opcode === CLOSE) this.isCloseSeen = true;
    if (opcode >= 0x8) return null;
    this.messageBytes = opcode === CONTINUATION ? this.messageBytes + this.length : this.length;
    return this.messageBytes > limit ? this.messageBytes : null;
  }
}

/** A server's close frame (unmasked) with `code` and a short `reason`. */
export function closeFrame(code: number, reason: string): Uint8Array {
  const text = new TextEncoder().encode(reason).subarray(0, 123);
  const frame = new Uint8Array(4 + text.length);
  frame[0] = 0x88;
  frame[1] = 2 + text.length;
  frame[2] = code >> 8;
  frame[3] = code & 0xff;
  frame.set(text, 4);
  return frame;
}
