import { describe, expect, it } from "vitest";
import { closeFrame, FrameMeter } from "../../worker/deno/ws-frames.ts";

/** A client's frame header (masked) announcing `length` payload bytes. */
function header(opcode: number, length: number, fin = true): Uint8Array {
  const first = (fin ? 0x80 : 0) | opcode;
  const mask = [1, 2, 3, 4];
  if (length < 126) return new Uint8Array([first, 0x80 | length, ...mask]);
  if (length < 65_536) return new Uint8Array([first, 0x80 | 126, length >> 8, length & 0xff, ...mask]);
  const bytes = new Uint8Array(14);
  bytes.set([first, 0x80 | 127]);
  new DataView(bytes.buffer).setUint32(2, Math.floor(length / 2 ** 32));
  new DataView(bytes.buffer).setUint32(6, length >>> 0);
  bytes.set(mask, 10);
  return bytes;
}

describe("FrameMeter", () => {
  it("passes messages within the limit, across chunk boundaries, and knows where frames end", () => {
    const meter = new FrameMeter();
    expect(meter.feed(header(1, 300), 1_000)).toBeNull();
    expect(meter.isAtBoundary).toBe(false);
    expect(meter.feed(new Uint8Array(200), 1_000)).toBeNull();
    expect(meter.feed(new Uint8Array(100), 1_000)).toBeNull();
    expect(meter.isAtBoundary).toBe(true);
    const next = header(2, 1_000);
    expect(meter.feed(next.subarray(0, 3), 1_000)).toBeNull();
    expect(meter.isAtBoundary).toBe(false);
    expect(meter.feed(next.subarray(3), 1_000)).toBeNull();
    expect(meter.feed(new Uint8Array(1_000), 1_000)).toBeNull();
    expect(meter.isAtBoundary).toBe(true);
  });

  it("refuses a message on the header that announces it over the limit, before any payload", () => {
    expect(new FrameMeter().feed(header(1, 8 * 1_048_576), 262_144)).toBe(8 * 1_048_576);
    expect(new FrameMeter().feed(header(2, 2 ** 40), 262_144)).toBe(2 ** 40);
  });

  it("adds up a fragmented message, leaving control frames out", () => {
    const meter = new FrameMeter();
    expect(meter.feed(header(1, 600, false), 1_000)).toBeNull();
    expect(meter.feed(new Uint8Array(600), 1_000)).toBeNull();
    expect(meter.feed(header(9, 4), 1_000)).toBeNull();
    expect(meter.feed(new Uint8Array(4), 1_000)).toBeNull();
    expect(meter.feed(header(0, 500), 1_000)).toBe(1_100);
  });

  it("starts counting afresh with each message", () => {
    const meter = new FrameMeter();
    for (let i = 0; i < 5; i++) {
      expect(meter.feed(header(1, 900), 1_000)).toBeNull();
      expect(meter.feed(new Uint8Array(900), 1_000)).toBeNull();
    }
  });

  it("notes a close frame once its header has passed, whatever frames came before and however it was split", () => {
    const meter = new FrameMeter();
    expect(meter.feed(Uint8Array.from([0x81, 2, 0x7b, 0x7d, 0x89, 0]), Number.POSITIVE_INFINITY)).toBeNull();
    expect(meter.hasClosed).toBe(false);
    const close = closeFrame(1008, "No hello received in time.");
    meter.feed(close.subarray(0, 1), Number.POSITIVE_INFINITY);
    expect(meter.hasClosed).toBe(false);
    meter.feed(close.subarray(1), Number.POSITIVE_INFINITY);
    expect(meter.hasClosed).toBe(true);
    // A close's payload with a close opcode's byte in it is not a second frame; data frames never count.
    const data = new FrameMeter();
    data.feed(Uint8Array.from([0x82, 3, 0x88, 0x88, 0x88]), Number.POSITIVE_INFINITY);
    expect(data.hasClosed).toBe(false);
  });

  it("reads the server's unmasked frames too", () => {
    const meter = new FrameMeter();
    expect(meter.feed(closeFrame(1009, "Message too big"), Number.POSITIVE_INFINITY)).toBeNull();
    expect(meter.isAtBoundary).toBe(true);
    expect(Array.from(closeFrame(1009, "x"))).toEqual([0x88, 3, 0x03, 0xf1, 0x78]);
  });
});
