import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromBase64url, toBase64url } from "../../client/core/base64url.ts";

const ascii = (text: string) => Uint8Array.from(text, (character) => character.charCodeAt(0));

describe("base64url without padding", () => {
  it("encodes RFC 4648's test vectors, without the padding", () => {
    const vectors: [string, string][] = [
      ["", ""],
      ["f", "Zg"],
      ["fo", "Zm8"],
      ["foo", "Zm9v"],
      ["foob", "Zm9vYg"],
      ["fooba", "Zm9vYmE"],
      ["foobar", "Zm9vYmFy"],
    ];
    for (const [bytes, text] of vectors) {
      expect(toBase64url(ascii(bytes))).toBe(text);
      expect(fromBase64url(text)).toEqual(ascii(bytes));
    }
  });

  it("uses - and _ where base64 has + and /", () => {
    expect(toBase64url(Uint8Array.of(0xfb, 0xff, 0xbf))).toBe("-_-_");
    expect(fromBase64url("-_-_")).toEqual(Uint8Array.of(0xfb, 0xff, 0xbf));
  });

  it("agrees with Node's encoder for every length up to 100 bytes, both ways", () => {
    for (let length = 0; length <= 100; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      const text = Buffer.from(bytes).toString("base64url");
      expect(toBase64url(bytes)).toBe(text);
      expect(fromBase64url(text)).toEqual(bytes);
    }
  });

  it("covers every byte value", () => {
    const all = Uint8Array.from({ length: 256 }, (_, byte) => byte);
    expect(fromBase64url(toBase64url(all))).toEqual(all);
  });

  it("refuses padding, the base64 alphabet's + and /, whitespace and characters outside the alphabet", () => {
    for (const text of ["Zg==", "Zm8=", "+/+/", "Zm9 v", "Zm9v\n", " Zm9v", "Zm9v.", "Zm9é", "Zm9\u0000"]) {
      expect(fromBase64url(text)).toBeNull();
    }
  });

  it("refuses a length no byte string has", () => {
    expect(fromBase64url("Z")).toBeNull();
    expect(fromBase64url("Zm9vY")).toBeNull();
  });

  it("refuses a second spelling: unused low bits that are not zero", () => {
    // "Zg" is "f"; "Zh" to "Zv" carry the same byte with some of the 4 unused bits set.
    expect(fromBase64url("Zh")).toBeNull();
    expect(fromBase64url("Zv")).toBeNull();
    // "Zm8" is "fo"; "Zm9" sets one of the 2 unused bits.
    expect(fromBase64url("Zm9")).toBeNull();
  });
});
