// Follows one direction of a WebSocket connection frame by frame, reading only the headers (RFC 6455 §5.2) and
// skipping payloads, so that the front door can tell how big a message is announced to be before any of it arrives,
// and where one frame ends and the next begins.

/** Data frames start a message (text 1, binary 2) or go on with it (continuation 0); 8 and above are control frames. */
const CONTINUATION = 0x0;
const CLOSE = 0x8;

export class FrameMeter {
  private readonly header = new Uint8Array(14);
  private headerLength = 0;
  /** Header bytes this frame has: 2, plus 2 or 8 of extended length, plus 4 of mask. */
  private needed = 2;
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
      this.header[this.headerLength++] = bytes[i++] as number;
      if (this.headerLength === 2) {
        const length7 = (this.header[1] as number) & 0x7f;
        const isMasked = ((this.header[1] as number) & 0x80) !== 0;
        this.needed = 2 + (length7 === 126 ? 2 : length7 === 127 ? 8 : 0) + (isMasked ? 4 : 0);
      }
      if (this.headerLength < this.needed) continue;
      const over = this.frameStarts(limit);
      if (over !== null) return over;
    }
    return null;
  }

  /** A complete header is in `header`: note its payload's length. */
  private frameStarts(limit: number): number | null {
    const view = new DataView(this.header.buffer);
    const length7 = (this.header[1] as number) & 0x7f;
    const length =
      length7 === 126 ? view.getUint16(2) : length7 === 127 ? view.getUint32(2) * 2 ** 32 + view.getUint32(6) : length7;
    const opcode = (this.header[0] as number) & 0x0f;
    this.headerLength = 0;
    this.needed = 2;
    this.remaining = length;
    if (opcode === CLOSE) this.isCloseSeen = true;
    if (opcode >= 0x8) return null;
    this.messageBytes = opcode === CONTINUATION ? this.messageBytes + length : length;
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
