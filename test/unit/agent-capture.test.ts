import { describe, expect, it } from "vitest";
import { keyframeAt } from "../../client/agent/capture/capture.ts";
import { ffmpegArgs } from "../../client/agent/capture/x11.ts";

// The capture's rules that need no screen: when a requested keyframe comes, and what ffmpeg is told.

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

describe("ffmpegArgs", () => {
  const args = ffmpegArgs({ display: ":7", frameRate: 15, bitrateKbps: 1_200, port: 40_000 });
  const valueAfter = (flag: string) => args[args.indexOf(flag) + 1];

  it("grabs the display and encodes real-time VP8 at the given rate", () => {
    expect(valueAfter("-f")).toBe("x11grab");
    expect(valueAfter("-i")).toBe(":7");
    expect(valueAfter("-framerate")).toBe("15");
    expect(valueAfter("-c:v")).toBe("libvpx");
    expect(valueAfter("-deadline")).toBe("realtime");
    expect(valueAfter("-lag-in-frames")).toBe("0");
    expect(valueAfter("-b:v")).toBe("1200k");
    expect(valueAfter("-g")).toBe("150");
    expect(args).toContain("-an");
  });

  it("sends RTP to this machine only", () => {
    expect(args.at(-1)).toBe("rtp://127.0.0.1:40000?pkt_size=1200");
    expect(args.at(-2)).toBe("rtp");
  });
});
