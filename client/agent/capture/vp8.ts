// Reading just enough of an RTP packet of VP8 (RFC 3550, RFC 7741) to tell where a keyframe begins: the agent hands
// the encoder's packets on untouched, and needs to know when the viewer has a picture to decode from.

/** Where an RTP packet's payload begins (after the CSRCs and a header extension), or null if it is cut short. */
export function rtpPayloadOffset(packet: Uint8Array): number | null {
  if (packet.length < 12 || packet[0] === undefined || packet[0] >> 6 !== 2) return null;
  const csrcCount = packet[0] & 0x0f;
  let offset = 12 + 4 * csrcCount;
  if (packet[0] & 0x10) {
    if (packet.length < offset + 4) return null;
    const words = ((packet[offset + 2] ?? 0) << 8) | (packet[offset + 3] ?? 0);
    offset += 4 + 4 * words;
  }
  return offset < packet.length ? offset : null;
}

/**
 * Where the VP8 payload header (RFC 7741 §4.3: the frame tag, and a keyframe's size) begins in a packet that starts a
 * frame's first partition (S=1, PID=0), after the payload descriptor; null for any other packet.
 */
export function vp8HeaderOffset(packet: Uint8Array): number | null {
  const start = rtpPayloadOffset(packet);
  if (start === null) return null;
  const descriptor = packet[start] ?? 0;
  const isPartitionStart = (descriptor & 0x10) !== 0 && (descriptor & 0x07) === 0;
  if (!isPartitionStart) return null;
  let offset = start + 1;
  if (descriptor & 0x80) {
    const extension = packet[offset++] ?? 0;
    if (extension & 0x80) offset += (packet[offset] ?? 0) & 0x80 ? 2 : 1;
    if (extension & 0x40) offset += 1;
    if (extension & 0x30) offset += 1;
  }
  return offset < packet.length ? offset : null;
}

/** Whether the packet starts a VP8 keyframe: first partition's start (S=1, PID=0) with the key frame bit (P=0). */
export function isVp8KeyframeStart(packet: Uint8Array): boolean {
  const offset = vp8HeaderOffset(packet);
  return offset !== null && ((packet[offset] ?? 1) & 0x01) === 0;
}
