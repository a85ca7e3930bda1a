import { describe, expect, it } from "vitest";
import type { AgentView } from "../../../client/agent/AgentSession.ts";
import { indicatorText } from "../../../client/agent/run.ts";
import { terminalText } from "../../../client/agent/terminal.ts";

// The strip the agent shows on the screen while a technician is connected: who sees the screen or controls it, in
// the terminal's language where the X server's built-in (Latin-1) font can show it.

const VIEWING: AgentView = {
  phase: "viewing",
  code: "123456789",
  technician: { name: "Olivia Owner", organisation: "Example Support" },
  caseNumber: null,
  owner: null,
  verification: { code: "tractor piano atlas city", isMatched: true },
  isAllowed: true,
  control: null,
  canControl: true,
  isUnattended: false,
  signaling: "open",
  ended: null,
  notice: null,
};

describe("the agent's on-screen strip", () => {
  it("says who sees the screen, then who controls it, and nothing when no one is connected", () => {
    const en = terminalText({ LANG: "en_GB.UTF-8" });
    expect(indicatorText(VIEWING, en)).toEqual({ line: "Tether: Olivia Owner can see your screen.", end: "End" });
    expect(indicatorText({ ...VIEWING, control: true }, en)?.line).toBe(
      "Tether: Olivia Owner controls your mouse and keyboard. Ctrl+Alt+End takes it back.",
    );
    expect(indicatorText({ ...VIEWING, phase: "asking", isAllowed: false }, en)).toBeNull();
    expect(indicatorText({ ...VIEWING, phase: "ended", ended: { reason: "expired" } }, en)).toBeNull();
  });

  it("speaks German in German, and English where the font has not the language's characters", () => {
    expect(indicatorText(VIEWING, terminalText({ LANG: "de_DE.UTF-8" }))).toEqual({
      line: "Tether: Olivia Owner sieht Ihren Bildschirm.",
      end: "Beenden",
    });
    const named = { ...VIEWING, technician: { name: "山田 花子", organisation: "Example" } };
    expect(indicatorText(named, terminalText({ LANG: "ja_JP.UTF-8" }))).toEqual({
      line: "Tether: 山田 花子 can see your screen.",
      end: "End",
    });
  });

  it("shows a name's control characters as plain ones", () => {
    const hostile = { ...VIEWING, technician: { name: "Eve\u001b[2J", organisation: "Example" } };
    expect(indicatorText(hostile, terminalText({}))?.line).toBe("Tether: Eve\uFFFD[2J can see your screen.");
  });
});
