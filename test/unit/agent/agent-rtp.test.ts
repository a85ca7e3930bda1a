import { describe, expect, it } from "vitest";
import { RTCRtpHeaderExtensionParameters, RtpHeader, RtpPacket } from "werift";
import { PLAYOUT_DELAY_URI, withZeroPlayoutDelay } from "../../../client/agent/werift-rtc.ts";

// The screen's RTP packets as the agent hands them to werift: ffmpeg's, with WebRTC's playout-delay extension at zero
// under the id the connection gave it, so that the viewer shows each frame as soon as it is decoded.

/** An RTP packet as ffmpeg sends it: no header extension. */
function captured(sequenceNumber: number): Uint8Array {
  const header = new RtpHeader({ payloadType: 96, sequenceNumber, timestamp: 90_000, ssrc: 0x1234, marker: true });
  return new Uint8Array(new RtpPacket(header, Buffer.from([0x10, 0x02, 0x03])).serialize());
}

const negotiated = (id: number) => ({
  headerExtensions: [
    new RTCRtpHeaderExtensionParameters({ id: 2, uri: "urn:ietf:params:rtp-hdrext:sdes:mid" }),
    new RTCRtpHeaderExtensionParameters({ id, uri: PLAYOUT_DELAY_URI }),
  ],
});

describe("the screen's RTP packets", () => {
  it("carry a zero playout delay (least and most: 0 ms) under the negotiated id, the rest of the packet unchanged", () => {
    const sent = withZeroPlayoutDelay(captured(7), negotiated(5));
    // As the wire has it: parsed again from its bytes.
    const wire = RtpPacket.deSerialize(sent.serialize());
    expect(wire.header.extension).toBe(true);
    expect(wire.header.extensions).toEqual([{ id: 5, payload: Buffer.from([0, 0, 0]) }]);
    expect(wire.header).toMatchObject({ payloadType: 96, sequenceNumber: 7, timestamp: 90_000, ssrc: 0x1234 });
    expect(wire.header.marker).toBe(true);
    expect([...wire.payload]).toEqual([0x10, 0x02, 0x03]);
  });

  it("are left as captured where the connection has no playout-delay extension, and never get it twice", () => {
    const plain = withZeroPlayoutDelay(captured(8), { headerExtensions: [] });
    expect(RtpPacket.deSerialize(plain.serialize()).header.extensions).toEqual([]);
    const once = withZeroPlayoutDelay(
      new Uint8Array(withZeroPlayoutDelay(captured(9), negotiated(3)).serialize()),
      negotiated(3),
    );
    expect(once.header.extensions).toHaveLength(1);
  });
});
