import { describe, expect, it } from "vitest";
import { type Codec, codecPreferences, orderCodecs } from "../../client/web/src/rtc/codecs.ts";

const codec = (mimeType: string, sdpFmtpLine?: string): Codec => ({
  mimeType,
  clockRate: 90_000,
  ...(sdpFmtpLine ? { sdpFmtpLine } : {}),
});

// What Firefox 153 lists for video, sending and receiving alike (no H264 without its plugin).
const firefox = [
  codec("video/VP8", "max-fs=12288;max-fr=60"),
  codec("video/rtx"),
  codec("video/VP9", "max-fs=12288;max-fr=60"),
  codec("video/AV1"),
  codec("video/ulpfec"),
  codec("video/red"),
];

const mimes = (codecs: Codec[]) => codecs.map((c) => c.mimeType);

describe("the screen codecs a customer's page prefers", () => {
  it("puts AV1, then VP9, before the browser's own first choice, keeping the rest after them", () => {
    expect(mimes(orderCodecs(firefox))).toEqual([
      "video/AV1",
      "video/VP9",
      "video/VP8",
      "video/rtx",
      "video/ulpfec",
      "video/red",
    ]);
  });

  it("ranks VP9's 10-bit profile after its 8-bit one", () => {
    const ordered = orderCodecs([codec("video/VP9", "profile-id=2"), codec("video/VP9", "profile-id=0")]);
    expect(ordered.map((c) => c.sdpFmtpLine)).toEqual(["profile-id=0", "profile-id=2"]);
  });

  it("offers one list where the browser sends and receives the same codecs", () => {
    expect(codecPreferences(firefox, firefox)).toEqual([orderCodecs(firefox)]);
  });

  it("falls back to the codecs the browser also receives, for browsers that accept only those", () => {
    const send = [...firefox, codec("video/H264", "profile-level-id=42e01f;packetization-mode=1")];
    const [all, both] = codecPreferences(send, firefox);
    expect(mimes(all ?? [])).toContain("video/H264");
    expect(mimes(both ?? [])).toEqual(mimes(orderCodecs(firefox)));
  });

  it("matches codecs by their parameters, not by name alone", () => {
    const send = [codec("video/VP9", "profile-id=0"), codec("video/VP9", "profile-id=2")];
    const [, both] = codecPreferences(send, [codec("video/VP9", "profile-id=0")]);
    expect(both?.map((c) => c.sdpFmtpLine)).toEqual(["profile-id=0"]);
  });
});
