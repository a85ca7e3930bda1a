import { describe, expect, it } from "vitest";
import { newPassword, normalisePassword, PASSWORD_WORDS } from "../../client/web/src/lib/password.ts";

describe("help-request passwords", () => {
  it("turns each random byte into one word", () => {
    expect(newPassword(() => new Uint8Array([0, 128, 255]))).toBe("acorn igloo zebra");
  });

  it("gives 256 distinct words, so every byte value names its own", () => {
    const words = new Set(Array.from({ length: 256 }, (_, byte) => newPassword(() => new Uint8Array([byte, 0, 0]))));
    expect(words.size).toBe(256);
  });

  it("draws from the platform's CSPRNG by default", () => {
    const password = newPassword();
    expect(password.split(" ")).toHaveLength(PASSWORD_WORDS);
    expect(normalisePassword(password)).toBe(password);
  });

  it("accepts what a technician types however it is cased or separated", () => {
    expect(normalisePassword("  Maple-RIVER,  owl ")).toBe("maple river owl");
  });

  it("refuses words that are not on the list, and the wrong number of words", () => {
    expect(normalisePassword("maple river hippo")).toBeNull();
    expect(normalisePassword("maple river")).toBeNull();
    expect(normalisePassword("maple river owl owl")).toBeNull();
    expect(normalisePassword("")).toBeNull();
  });
});
