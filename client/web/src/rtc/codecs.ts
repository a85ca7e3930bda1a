// The order of screen codecs on a customer's connection; the measurements behind it are in screen.ts. No DOM here,
// so the unit tests can check it in Node.

/** A codec as RTCRtpSender.getCapabilities() and RTCRtpReceiver.getCapabilities() list it. */
export type Codec = { mimeType: string; clockRate: number; channels?: number; sdpFmtpLine?: string };

/** Codecs for screen content, most preferred first. */
export const SCREEN_CODECS = ["video/AV1", "video/VP9", "video/H264", "video/VP8"];

function codecRank(codec: Codec): number {
  const rank = SCREEN_CODECS.indexOf(codec.mimeType);
  if (rank < 0) return SCREEN_CODECS.length + 1;
  // VP9 profile 2 is 10-bit: no sharper for screens, and fewer decoders.
  return codec.sdpFmtpLine?.includes("profile-id=2") ? rank + 0.5 : rank;
}

/** The browser's codecs, screen favourites first; RTX, RED and FEC keep their places after them. */
export function orderCodecs<T extends Codec>(codecs: T[]): T[] {
  return [...codecs].sort((a, b) => codecRank(a) - codecRank(b));
}

function isSameCodec(a: Codec, b: Codec): boolean {
  return (
    a.mimeType.toLowerCase() === b.mimeType.toLowerCase() &&
    a.clockRate === b.clockRate &&
    a.channels === b.channels &&
    (a.sdpFmtpLine ?? "") === (b.sdpFmtpLine ?? "")
  );
}

/**
 * The codec lists to try on a send-only transceiver, best first: every codec this browser sends (what the current
 * rule accepts), then only those it can also receive (the older rule, which some browsers still apply and which
 * throws on anything else). Each is in the screen order. Which codec is used is still settled by the offer and
 * answer: only codecs both browsers have are left in it, so the far end always decodes what arrives.
 */
export function codecPreferences<T extends Codec>(send: T[], receive: Codec[]): T[][] {
  const both = send.filter((codec) => receive.some((other) => isSameCodec(codec, other)));
  const lists = [orderCodecs(send)];
  if (both.length > 0 && both.length < send.length) lists.push(orderCodecs(both));
  return lists;
}
