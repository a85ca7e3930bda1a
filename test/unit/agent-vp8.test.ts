import { describe, expect, it } from "vitest";
import { isVp8KeyframeStart, rtpPayloadOffset } from "../../client/agent/capture/vp8.ts";

// The agent's reading of VP8 RTP packets: where a keyframe begins.

/** An RTP packet (version 2) with `csrcs` CSRCs, an optional header extension of `extensionWords`, and `payload`. */
function rtp(payload: number[], { csrcs = 0, extensionWords = -1 } = {}): Uint8Array {
  const head = [0x80 | csrcs | (extensionWords >= 0 ? 0x10 : 0), 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7];
  const csrcBytes = Array(4 * csrcs).fill(9);
  const extension = extensionWords >= 0 ? [0xbe, 0xde, 0, extensionWords, ...Array(4 * extensionWords).fill(0)] : [];
  return new Uint8Array([...head, ...csrcBytes, ...extension, ...payload]);
}

describe("VP8 over RTP", () => {
  it("finds the payload after CSRCs and a header extension", () => {
    expect(rtpPayloadOffset(rtp([1]))).toBe(12);
    expect(rtpPayloadOffset(rtp([1], { csrcs: 2 }))).toBe(20);
    expect(rtpPayloadOffset(rtp([1], { extensionWords: 1 }))).toBe(20);
    expect(rtpPayloadOffset(new Uint8Array(11))).toBeNull();
    expect(rtpPayloadOffset(rtp([]))).toBeNull();
    // Version 1 is not RTP as WebRTC speaks it.
    expect(rtpPayloadOffset(new Uint8Array([0x40, ...Array(12).fill(0)]))).toBeNull();
  });

  it("tells a keyframe's first packet from the rest", () => {
    // S=1, PID=0, no extensions; VP8 header with P=0 (a keyframe) or P=1 (an interframe).
    expect(isVp8KeyframeStart(rtp([0x10, 0x50]))).toBe(true);
    expect(isVp8KeyframeStart(rtp([0x10, 0x51]))).toBe(false);
    // Not the start of a partition, or a later partition.
    expect(isVp8KeyframeStart(rtp([0x00, 0x50]))).toBe(false);
    expect(isVp8KeyframeStart(rtp([0x11, 0x50]))).toBe(false);
  });

  it("skips the descriptor's extensions: a 15-bit picture id, TL0PICIDX and TID/KEYIDX", () => {
    // X=1; I, L, T set; a two-byte picture id (M bit), then TL0PICIDX and TID byte.
    expect(isVp8KeyframeStart(rtp([0x90, 0xe0, 0x80, 0x01, 0x05, 0x20, 0x50], { csrcs: 1 }))).toBe(true);
    expect(isVp8KeyframeStart(rtp([0x90, 0xe0, 0x80, 0x01, 0x05, 0x20, 0x51], { csrcs: 1 }))).toBe(false);
    // A one-byte picture id only.
    expect(isVp8KeyframeStart(rtp([0x90, 0x80, 0x11, 0x50], { extensionWords: 2 }))).toBe(true);
    // Cut off before the VP8 header.
    expect(isVp8KeyframeStart(rtp([0x90, 0x80, 0x11]))).toBe(false);
  });
});
