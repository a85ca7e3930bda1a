import { describe, expect, it } from "vitest";
import { iceUfrag } from "../../client/web/src/rtc/sdp.ts";

const offer = [
  "v=0",
  "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
  "s=-",
  "t=0 0",
  "m=video 9 UDP/TLS/RTP/SAVPF 96",
  "a=ice-ufrag:ssaT",
  "a=ice-pwd:0123456789abcdefghijklmn",
  "",
].join("\r\n");

describe("the SDP field a connection counts its ICE restarts by", () => {
  it("reads the ICE username fragment, which changes on an ICE restart", () => {
    expect(iceUfrag(offer)).toBe("ssaT");
    expect(iceUfrag(offer.replace("ice-ufrag:ssaT", "ice-ufrag:fYhZ"))).toBe("fYhZ");
  });

  it("answers null for text that is not an SDP", () => {
    expect(iceUfrag("hello")).toBeNull();
  });
});
