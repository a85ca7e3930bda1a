import { createHash, hkdfSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromBase64url, toBase64url } from "../../client/core/base64url.ts";
import {
  LINK_SECRET_BYTES,
  newLinkSecret,
  newSeatKey,
  parseLinkSecret,
  prsOfLinkSecret,
  seatKeyHash,
  seatKeyOf,
} from "../../client/core/link-secret.ts";

const counting = (count: number) => Uint8Array.from({ length: count }, (_, i) => i + 1);

describe("link secrets", () => {
  it("are 128 random bits, 22 base64url characters, from the injected source", () => {
    const secret = newLinkSecret(counting);
    expect(LINK_SECRET_BYTES * 8).toBeGreaterThanOrEqual(128);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(fromBase64url(secret)).toEqual(counting(16));
  });

  it("come from the platform's CSPRNG by default, a new one every time", () => {
    const secrets = new Set(Array.from({ length: 50 }, () => newLinkSecret()));
    expect(secrets.size).toBe(50);
    for (const secret of secrets) expect(secret).toHaveLength(22);
  });

  it("give their bytes as the PRS", () => {
    const secret = newLinkSecret(counting);
    expect(prsOfLinkSecret(secret)).toEqual(counting(16));
  });

  it("refuse a fragment that is too short, too long, or not canonical base64url", () => {
    expect(parseLinkSecret(toBase64url(counting(15)))).toBeNull();
    expect(parseLinkSecret(toBase64url(counting(64)))).toEqual(counting(64));
    expect(parseLinkSecret(toBase64url(counting(65)))).toBeNull();
    expect(parseLinkSecret("")).toBeNull();
    expect(parseLinkSecret(`${newLinkSecret(counting)}=`)).toBeNull();
    expect(parseLinkSecret("AQIDBAUGBwgJCgsMDQ4PEB")).toBeNull();
    expect(parseLinkSecret("AQIDBAUGBwgJCgsMDQ4P%2B")).toBeNull();
    expect(prsOfLinkSecret("not a secret")).toBeNull();
    expect(seatKeyOf("not a secret")).toBeNull();
  });
});

describe("seat keys", () => {
  it("derive from a link secret with HKDF-SHA512, info tether/seat-key/v1, 32 bytes", () => {
    const secret = newLinkSecret(counting);
    const expected = new Uint8Array(hkdfSync("sha512", counting(16), new Uint8Array(), "tether/seat-key/v1", 32));
    expect(seatKeyOf(secret)).toEqual(expected);
  });

  it("are the same for the same secret on every page, and differ between secrets", () => {
    const a = newLinkSecret();
    expect(seatKeyOf(a)).toEqual(seatKeyOf(a));
    expect(seatKeyOf(a)).not.toEqual(seatKeyOf(newLinkSecret()));
  });

  it("are hashed for the room as SHA-256, base64url, 43 characters", () => {
    const key = seatKeyOf(newLinkSecret(counting)) ?? new Uint8Array();
    const hash = seatKeyHash(key);
    expect(hash).toBe(createHash("sha256").update(key).digest("base64url"));
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("are 32 random bytes for a Get-help page, a new one every time", () => {
    expect(newSeatKey(counting)).toEqual(counting(32));
    const a = newSeatKey();
    expect(a).toHaveLength(32);
    expect(newSeatKey()).not.toEqual(a);
    expect(toBase64url(a)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
