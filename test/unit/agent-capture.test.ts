import { describe, expect, it } from "vitest";
import { MAX_SCREENS, parseControlMessage } from "#protocol/control.ts";
import { KeyframeRequests, keyframeAt } from "../../client/agent/capture/capture.ts";
import { RtpContinuity } from "../../client/agent/capture/rtp-continuity.ts";
import { usableScreens } from "../../client/agent/capture/screens.ts";
import { ffmpegArgs } from "../../client/agent/capture/x11.ts";

// The capture's rules that need no screen: when a requested keyframe comes and which requests call for one, what ffmpeg is told, which of the X
// server's screens are offered, the two messages that offer them and pick one, and one RTP stream across restarts.

describe("keyframeAt", () => {
  it("restarts at once the first time, and when the last start is long enough ago", () => {
    expect(keyframeAt(1_000, null, 2_000)).toBe(1_000);
    expect(keyframeAt(10_000, 7_000, 2_000)).toBe(10_000);
    expect(keyframeAt(9_000, 7_000, 2_000)).toBe(9_000);
  });

  it("waits for the end of the interval when a request comes soon after a start", () => {
    expect(keyframeAt(7_500, 7_000, 2_000)).toBe(9_000);
    expect(keyframeAt(7_000, 7_000, 2_000)).toBe(9_000);
  });
});

describe("KeyframeRequests", () => {
  it("restarts for a request before any run, and for none while no request came", () => {
    const requests = new KeyframeRequests(2_000, 500);
    expect(requests.isOwed).toBe(false);
    requests.requested(100);
    expect(requests.isOwed).toBe(true);
    expect(requests.restartAt(100)).toBe(100);
  });

  it("leaves requests to a run's first keyframe while it sends nothing, however long it takes to start", () => {
    const requests = new KeyframeRequests(2_000, 500);
    requests.started(0);
    // A viewer re-asks every 200 ms while the encoder takes 5 s to send its first packet.
    for (let at = 100; at < 5_000; at += 200) {
      requests.requested(at);
      expect(requests.isOwed, `at ${at}`).toBe(false);
    }
    requests.sent(5_000);
    // One that crossed the keyframe on its way is answered by it too.
    requests.requested(5_400);
    expect(requests.isOwed).toBe(false);
    requests.sent(5_450);
    // Later ones are not: the viewer lost the picture again.
    requests.requested(5_500);
    expect(requests.isOwed).toBe(true);
    expect(requests.restartAt(5_500)).toBe(5_500);
  });

  it("spaces restarts MIN apart, and starts over with each run", () => {
    const requests = new KeyframeRequests(2_000, 500);
    requests.started(10_000);
    requests.sent(10_300);
    requests.requested(11_000);
    expect(requests.isOwed).toBe(true);
    expect(requests.restartAt(11_000)).toBe(12_000);
    requests.started(12_000);
    expect(requests.isOwed).toBe(false);
    requests.sent(12_600);
    expect(requests.isOwed).toBe(false);
    requests.requested(13_100);
    expect(requests.isOwed).toBe(true);
  });
});

describe("ffmpegArgs", () => {
  const args = ffmpegArgs({ display: ":7", area: null, frameRate: 15, bitrateKbps: 1_200, port: 40_000 });
  const valueAfter = (flag: string) => args[args.indexOf(flag) + 1];

  it("grabs the display and encodes real-time VP8 at the given rate", () => {
    expect(valueAfter("-f")).toBe("x11grab");
    expect(valueAfter("-i")).toBe(":7");
    expect(valueAfter("-framerate")).toBe("15");
    expect(valueAfter("-c:v")).toBe("libvpx");
    expect(valueAfter("-deadline")).toBe("realtime");
    expect(valueAfter("-lag-in-frames")).toBe("0");
    // No frames repeated to keep a constant rate: on a busy machine the repeats made the stream fall behind.
    expect(valueAfter("-fps_mode")).toBe("passthrough");
    expect(valueAfter("-b:v")).toBe("1200k");
    expect(valueAfter("-g")).toBe("150");
    expect(args).toContain("-an");
  });

  it("sends RTP to this machine only", () => {
    expect(args.at(-1)).toBe("rtp://127.0.0.1:40000?pkt_size=1200");
    expect(args.at(-2)).toBe("rtp");
  });

  it("grabs one screen of several by its size and offset, and the whole display without one", () => {
    const area = { x: 1920, y: 120, width: 1280, height: 1024 };
    const one = ffmpegArgs({ display: ":7", area, frameRate: 15, bitrateKbps: 1_200, port: 40_000 });
    expect(one[one.indexOf("-video_size") + 1]).toBe("1280x1024");
    expect(one[one.indexOf("-i") + 1]).toBe(":7+1920,120");
    expect(args).not.toContain("-video_size");
  });
});

describe("usableScreens", () => {
  const root = { x: 0, y: 0, width: 3200, height: 1200 };

  it("keeps the server's screens in its order, cut to the root, without empty or repeated ones", () => {
    const left = { x: 0, y: 0, width: 1920, height: 1080 };
    const right = { x: 1920, y: 0, width: 1280, height: 1024 };
    expect(usableScreens([left, right, left, { x: 3200, y: 0, width: 800, height: 600 }], root)).toEqual([left, right]);
    expect(usableScreens([{ x: 2800, y: 1000, width: 800, height: 600 }], root)).toEqual([
      { x: 2800, y: 1000, width: 400, height: 200 },
    ]);
  });

  it("offers the whole root when the server lists nothing usable, and at most 16 screens", () => {
    expect(usableScreens([], root)).toEqual([root]);
    const many = Array.from({ length: 20 }, (_, i) => ({ x: i * 100, y: 0, width: 100, height: 100 }));
    expect(usableScreens(many, root)).toHaveLength(16);
  });
});

describe("the screens messages", () => {
  const two = [
    { x: 0, y: 0, width: 1920, height: 1080 },
    { x: 1920, y: 0, width: 1280, height: 1024 },
  ];

  it("carry the agent's screens with the one shown, and the technician's pick", () => {
    const screens = { type: "screens", screens: two, shown: 1 };
    expect(parseControlMessage(JSON.stringify(screens))).toEqual({ ok: true, msg: screens });
    expect(parseControlMessage(JSON.stringify({ type: "showScreen", index: 0 }))).toEqual({
      ok: true,
      msg: { type: "showScreen", index: 0 },
    });
  });

  it("refuse a shown screen that is not listed, empty or too many screens, and bad sizes or picks", () => {
    const bad = [
      { type: "screens", screens: two, shown: 2 },
      { type: "screens", screens: [], shown: 0 },
      { type: "screens", screens: Array.from({ length: MAX_SCREENS + 1 }, () => two[0]), shown: 0 },
      { type: "screens", screens: [{ x: 0, y: 0, width: 0, height: 1080 }], shown: 0 },
      { type: "screens", screens: [{ x: 0.5, y: 0, width: 1920, height: 1080 }], shown: 0 },
      { type: "showScreen", index: -1 },
      { type: "showScreen", index: MAX_SCREENS },
      { type: "showScreen", index: "1" },
    ];
    for (const msg of bad) expect(parseControlMessage(JSON.stringify(msg)).ok, JSON.stringify(msg)).toBe(false);
  });
});

describe("RtpContinuity", () => {
  /** An RTP header (12 bytes) with `seq` and `ts`, and one byte of payload. */
  const packet = (seq: number, ts: number) => {
    const bytes = new Uint8Array(13);
    const view = new DataView(bytes.buffer);
    bytes[0] = 0x80;
    view.setUint16(2, seq);
    view.setUint32(4, ts);
    return bytes;
  };
  const read = (bytes: Uint8Array) => {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    return { seq: view.getUint16(2), ts: view.getUint32(4) };
  };

  it("leaves the first run as it is, and goes on from it in the next: one sequence, time moving on by the clock", () => {
    const clock = { now: 1_000 };
    const continuity = new RtpContinuity(() => clock.now);
    const [first, second] = [{}, {}];
    expect(read(continuity.rewrite(packet(500, 90_000), first))).toEqual({ seq: 500, ts: 90_000 });
    expect(read(continuity.rewrite(packet(501, 93_000), first))).toEqual({ seq: 501, ts: 93_000 });
    // The restarted encoder starts from elsewhere, 1.5 s later; its packets keep their spacing.
    clock.now += 1_500;
    expect(read(continuity.rewrite(packet(20, 7), second))).toEqual({ seq: 502, ts: 93_000 + 135_000 });
    expect(read(continuity.rewrite(packet(21, 3_007), second))).toEqual({ seq: 503, ts: 93_000 + 138_000 });
  });

  it("wraps both numbers as RTP does, and moves time on even when the restart takes no time", () => {
    const continuity = new RtpContinuity(() => 0);
    continuity.rewrite(packet(65_535, 2 ** 32 - 1), "a");
    expect(read(continuity.rewrite(packet(9, 9), "b"))).toEqual({ seq: 0, ts: 0 });
    // Too short to be RTP: passed on untouched.
    expect(continuity.rewrite(new Uint8Array(4), "c")).toEqual(new Uint8Array(4));
  });
});
