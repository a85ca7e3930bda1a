import { describe, expect, it } from "vitest";
import { CaseNumber, DisplayName, nameProblem, normaliseName } from "#protocol/names.ts";
import { parseConfig } from "../../worker/config.ts";

/** The refusal DisplayName gives `text`, or null when it accepts it. */
function refusal(text: string): { message: string; code: unknown } | null {
  const result = DisplayName.safeParse(text);
  if (result.success) return null;
  const issue = result.error.issues[0];
  return { message: issue?.message ?? "", code: issue?.code === "custom" ? issue.params?.code : issue?.code };
}

describe("the rule for names customers read", () => {
  it.each([
    ["Jürgen Groß"],
    ["山田 太郎"],
    ["田中さくら"],
    ["Li 李"],
    ["김민준"],
    ["Ελένη Παππά"],
    ["Тесс Иванова"],
    ["محمد علي"],
    ["กำธร"],
    ["Nguyễn Thị Ánh"],
    ["O'Brien-Smith (Acme IT)"],
    ["Tess Support, 2nd line"],
  ])("accepts %s", (name) => {
    expect(refusal(name)).toBeNull();
  });

  it.each([
    ["a right-to-left override", "Tess \u202Etroppus tfosorciM", "changes the direction of text (U+202E)"],
    ["a left-to-right isolate", "Tess \u2066x\u2069", "changes the direction of text (U+2066)"],
    ["a right-to-left mark", "Tess\u200F", "changes the direction of text (U+200F)"],
    ["a zero-width space", "Tess\u200BMicrosoft", "an invisible character (U+200B)"],
    ["a zero-width joiner", "Te\u200Dss", "an invisible character (U+200D)"],
    ["a byte order mark", "Te\uFEFFss", "an invisible character (U+FEFF)"],
    ["a Hangul filler", "Tess\u3164", "an invisible character (U+3164)"],
    ["a C0 control", "Tess\u0007", "a control character or line break (U+0007)"],
    ["a NUL", "Te\u0000ss", "a control character or line break (U+0000)"],
    ["a C1 control", "Tess\u0085x", "a control character or line break (U+0085)"],
    ["a line feed", "Tess\nMicrosoft support", "a control character or line break (U+000A)"],
    ["a line separator", "Tess\u2028Microsoft", "a control character or line break (U+2028)"],
    ["a private-use character", "Tess\uE000", "an unassigned or private-use character (U+E000)"],
    ["a lone surrogate", "Tess\uD800", "an unassigned or private-use character (U+D800)"],
    ["an emoji", "Tess ✅", "a symbol or emoji (U+2705)"],
    ["a keycap", "Tess 1\u20E3", "a symbol or emoji (U+20E3)"],
    ["mathematical bold letters", "𝐓𝐞𝐬𝐬", "styled or full-width form of a character (U+1D413)"],
    ["full-width letters", "Ｔｅｓｓ", "styled or full-width form of a character (U+FF34)"],
    ["an accent on no letter", "\u0301Tess", "an accent mark that is on no letter (U+0301)"],
    ["the same accent twice", "Te\u0301\u0301ss", "stacks too many accent marks (U+0301)"],
    ["five stacked accents", "Te\u0300\u0301\u0302\u0303\u0304ss", "stacks too many accent marks (U+0304)"],
    ["a Cherokee letter that looks Latin", "Ꭺda", "a letter of a script not accepted in names (U+13AA)"],
    ["a Cyrillic T among Latin letters", "\u0422ess", "mixes Cyrillic and Latin letters"],
    ["a Latin word beside a Cyrillic one", "Tess Місрософт", "mixes Latin and Cyrillic letters"],
    ["a Greek omicron in a Latin word", "Micr\u03BFsoft", "mixes Latin and Greek letters"],
  ])("refuses %s with INVALID_NAME, naming the character without showing it", (_, name, detail) => {
    const refused = refusal(name);
    expect(refused?.code).toBe("INVALID_NAME");
    expect(refused?.message.startsWith("The display name ")).toBe(true);
    expect(refused?.message).toContain(detail);
    // The message is plain ASCII: nothing a console could draw misleadingly.
    expect(refused?.message).toMatch(/^[\x20-\x7E]+$/);
  });

  it("composes to NFC, folds every kind of space into one and trims", () => {
    const decomposed = "Ju\u0308rgen\u3000\u00A0 Gro\u00DF ";
    expect(DisplayName.parse(decomposed)).toBe("Jürgen Groß");
    expect(DisplayName.parse(decomposed).normalize("NFC")).toBe(DisplayName.parse(decomposed));
    expect(DisplayName.parse("山田\u3000太郎")).toBe("山田 太郎");
    expect(normaliseName("  a\u2003\u2003b ")).toBe("a b");
  });

  it("keeps the length caps, counted after normalising, as BAD_REQUEST-shaped issues", () => {
    expect(DisplayName.safeParse("x".repeat(80)).success).toBe(true);
    expect(refusal("x".repeat(81))?.code).toBe("too_big");
    // 80 letters written decomposed are 160 code units, and fit once composed.
    expect(DisplayName.safeParse("e\u0301".repeat(80)).success).toBe(true);
    expect(refusal("   ")?.code).toBe("too_small");
    expect(CaseNumber.safeParse("x".repeat(65)).success).toBe(false);
  });

  it("holds case numbers to the same rule, ASCII symbols allowed", () => {
    expect(CaseNumber.parse(" INC-2024/17 #3 + $5 ")).toBe("INC-2024/17 #3 + $5");
    expect(CaseNumber.parse("ЗАЯВКА-123")).toBe("ЗАЯВКА-123");
    const refused = CaseNumber.safeParse("INC\u202E321");
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe(
      "The case number contains a character that changes the direction of text (U+202E); remove it.",
    );
    expect(CaseNumber.safeParse("INC-\u0406\u0399").success).toBe(false);
  });

  it("is the same rule as a plain function, for names stored before it", () => {
    expect(nameProblem("Tess", "The name")).toBeNull();
    expect(nameProblem("T\u200Bess", "The name")).toBe("The name contains an invisible character (U+200B); remove it.");
  });
});

describe("the organisation customers read", () => {
  const secret = "s".repeat(32);

  it("is refused at start-up when it breaks the rule", () => {
    const parsed = parseConfig({ ORGANISATION: "Acme\u202E", JWT_SECRET: secret, AUDIT_SIGNING_KEY: "A".repeat(43) });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.issues.join(" ")).toContain("ORGANISATION contains a character that changes the direction");
  });

  it("is normalised like a name", () => {
    const parsed = parseConfig({
      ORGANISATION: " Acme\u3000IT ",
      JWT_SECRET: secret,
      AUDIT_SIGNING_KEY: "A".repeat(43),
    });
    expect(parsed.ok && parsed.config.ORGANISATION).toBe("Acme IT");
  });
});
