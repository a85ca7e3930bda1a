import { describe, expect, it } from "vitest";
import type { AgentView } from "../../../client/agent/AgentSession.ts";
import { dialogLayout, wrap } from "../../../client/agent/indicator/dialog.ts";
import { dialogText } from "../../../client/agent/run.ts";
import { terminalText } from "../../../client/agent/terminal.ts";

// The dialog the agent shows on the screen where a display exists: the question the terminal asks, with a button for
// each answer, in the terminal's language where the X server's built-in (Latin-1) font can show it.

const ASKING: AgentView = {
  phase: "asking",
  code: "123456789",
  technician: { name: "Olivia Owner", organisation: "Example Support" },
  caseNumber: "CASE-14",
  owner: null,
  verification: { code: "tractor piano atlas city", isMatched: false },
  isAllowed: false,
  control: null,
  canControl: true,
  isUnattended: false,
  signaling: "open",
  ended: null,
  notice: null,
};
const en = terminalText({ LANG: "en_GB.UTF-8" });

describe("the agent's dialog", () => {
  it("asks for the code with who is asking and the warning, then to view, then to control, and nothing else", () => {
    expect(dialogText(ASKING, en)).toEqual({
      lines: [
        "Olivia Owner (Example Support) is asking to see your screen.",
        "Case number: CASE-14",
        "",
        en.agent.warning,
        "",
        "Verification code: tractor piano atlas city",
        "",
        "Does your technician read out exactly these four words?",
      ],
      yes: "Matches",
      no: "Doesn't match",
    });
    const matched = { ...ASKING, verification: { code: "tractor piano atlas city", isMatched: true } };
    expect(dialogText(matched, en)).toMatchObject({
      lines: [
        "Olivia Owner (Example Support) is asking to see your screen.",
        "Case number: CASE-14",
        "",
        en.agent.dialog.allowView.question,
      ],
      yes: "Allow",
      no: "Don't allow",
    });
    const viewing = { ...matched, phase: "viewing" as const, isAllowed: true };
    expect(dialogText(viewing, en)).toMatchObject({ yes: "Allow control", no: "View only" });
    // Answered (either way), or with no input to drive, or before the code: nothing is asked.
    expect(dialogText({ ...viewing, control: false }, en)).toBeNull();
    expect(dialogText({ ...viewing, canControl: false }, en)).toBeNull();
    expect(dialogText({ ...ASKING, verification: null }, en)).toBeNull();
    expect(dialogText({ ...ASKING, phase: "ended", ended: { reason: "expired" } }, en)).toBeNull();
  });

  it("speaks German in German, English where the font has not the language's characters, and names plainly", () => {
    const de = dialogText(ASKING, terminalText({ LANG: "de_DE.UTF-8" }));
    expect(de?.yes).toBe("Stimmt überein");
    expect(de?.lines.at(-1)).toBe("Liest Ihr Techniker genau diese vier Wörter vor?");
    const ja = dialogText(ASKING, terminalText({ LANG: "ja_JP.UTF-8" }));
    expect(ja?.yes).toBe("Matches");
    // The desktop toolkit's dialog has the desktop's fonts: there it speaks Japanese.
    const toolkit = dialogText(ASKING, terminalText({ LANG: "ja_JP.UTF-8" }), false);
    expect(toolkit?.yes).toBe("一致する");
    expect(toolkit?.lines.at(-1)).toBe("技術者が読み上げる 4 つの単語は、これとまったく同じですか？");
    const hostile = { ...ASKING, technician: { name: "Eve\u001b[2J", organisation: "Example" } };
    expect(dialogText(hostile, en)?.lines[0]).toBe("Eve\uFFFD[2J (Example) is asking to see your screen.");
  });

  it("wraps its text to the dialog's width, and puts the buttons side by side under it, in the screen's middle", () => {
    expect(wrap("one two three four", 9)).toEqual(["one two", "three", "four"]);
    expect(wrap("abcdefghij k", 4)).toEqual(["abcd", "efgh", "ij k"]);
    const text = dialogText(ASKING, en);
    if (!text) throw new Error("no dialog");
    const layout = dialogLayout({ width: 1280, height: 720 }, text);
    expect(layout.window.width).toBe(560);
    expect(layout.window.x).toBe(360);
    expect(layout.window.y + layout.window.height / 2).toBeCloseTo(360, 0);
    expect(Math.max(...layout.lines.map((line) => line.length))).toBeLessThanOrEqual((560 - 32) / 6);
    expect(layout.lines.length).toBeGreaterThan(text.lines.length);
    expect(layout.yes.y).toBe(layout.no.y);
    expect(layout.no.x).toBeGreaterThan(layout.yes.x + layout.yes.width);
    expect(layout.yes.y + layout.yes.height).toBeLessThan(layout.window.height);
    // A narrow screen: the dialog stays on it.
    const narrow = dialogLayout({ width: 320, height: 480 }, text);
    expect(narrow.window.x + narrow.window.width).toBeLessThanOrEqual(320);
    expect(narrow.no.x + narrow.no.width).toBeLessThanOrEqual(narrow.window.width);
  });
});
