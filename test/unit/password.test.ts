import { describe, expect, it } from "vitest";
import {
  newPassword,
  normalisePassword,
  PASSWORD_BITS,
  PASSWORD_WORDS,
  prsOfPassword,
  wordsOf,
} from "../../client/core/password.ts";

describe("help-request passwords", () => {
  it("turns each random byte into one word", () => {
    expect(newPassword(() => new Uint8Array([0, 128, 255]))).toBe("acorn igloo zebra");
  });

  it("gives 256 distinct words, so every byte value names its own", () => {
    const words = new Set(Array.from({ length: 256 }, (_, byte) => newPassword(() => new Uint8Array([byte, 0, 0]))));
    expect(words.size).toBe(256);
  });

  it("holds 24 random bits: three words of one byte each", () => {
    expect(PASSWORD_BITS).toBe(24);
  });

  it("draws from the platform's CSPRNG by default", () => {
    const password = newPassword();
    expect(password.split(" ")).toHaveLength(PASSWORD_WORDS);
    expect(normalisePassword(password)).toBe(password);
  });

  it("accepts what a technician types however it is cased or separated", () => {
    expect(normalisePassword("  Maple-RIVER,  owl ")).toBe("maple river owl");
    expect(normalisePassword("maple.river.owl.")).toBe("maple river owl");
    expect(normalisePassword("Maple\tRiver\nOwl")).toBe("maple river owl");
    expect(normalisePassword("\u201cmaple river owl\u201d")).toBe("maple river owl");
  });

  it("reads full-width letters as the letters they are", () => {
    expect(normalisePassword("\uff2d\uff41\uff50\uff4c\uff45 river owl")).toBe("maple river owl");
  });

  it("refuses words that are not on the list, and the wrong number of words", () => {
    expect(normalisePassword("maple river hippo")).toBeNull();
    expect(normalisePassword("maple river")).toBeNull();
    expect(normalisePassword("maple river owl owl")).toBeNull();
    expect(normalisePassword("mapleriver owl")).toBeNull();
    expect(normalisePassword("")).toBeNull();
  });

  it("spells any bytes as words of the same list, for the verification code", () => {
    expect(wordsOf(Uint8Array.of(0, 128, 255, 1))).toBe("acorn igloo zebra actor");
    expect(wordsOf(new Uint8Array())).toBe("");
  });

  it("gives the PRS as the normalised password's UTF-8 bytes, the same for every way of typing it", () => {
    const typed = normalisePassword("MAPLE, river - Owl");
    expect(typed).not.toBeNull();
    expect(prsOfPassword(typed ?? "")).toEqual(new TextEncoder().encode("maple river owl"));
    expect(prsOfPassword("maple river owl")).toEqual(prsOfPassword(normalisePassword("maple river owl") ?? ""));
  });
});
