import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { AgentView } from "../../client/agent/AgentSession.ts";
import {
  announce,
  answer,
  plain,
  questionFor,
  runTerminal,
  type TerminalSession,
  terminalText,
} from "../../client/agent/terminal.ts";

// The agent's conversation in the terminal: what it says as the session goes on, what it asks, and what a typed
// answer does; the words are the catalogues'.

const EN = terminalText({ LANG: "en_GB.UTF-8" });

const WAITING: AgentView = {
  phase: "waiting",
  code: "123456789",
  technician: null,
  caseNumber: null,
  owner: null,
  verification: null,
  isAllowed: false,
  control: null,
  canControl: false,
  isUnattended: false,
  signaling: "open",
  ended: null,
  notice: null,
};
const ASKING: AgentView = {
  ...WAITING,
  phase: "asking",
  technician: { name: "Olivia Owner", organisation: "Example Support" },
  caseNumber: "CASE-14",
};
const TO_CHECK: AgentView = { ...ASKING, verification: { code: "tractor piano atlas city", isMatched: false } };
const CHECKED: AgentView = { ...ASKING, verification: { code: "tractor piano atlas city", isMatched: true } };
const VIEWING: AgentView = { ...CHECKED, phase: "viewing", isAllowed: true };
/** Viewing on a machine whose mouse and keyboard the agent can drive. */
const CONTROLLABLE: AgentView = { ...VIEWING, canControl: true };

/** A session that records what the terminal asked of it. */
function fakeSession(view: AgentView) {
  const calls: string[] = [];
  const session: TerminalSession & { view: AgentView } = {
    view,
    confirmCode: () => calls.push("confirmCode"),
    rejectCode: () => calls.push("rejectCode"),
    setAllowed: (isAllowed) => calls.push(`setAllowed(${isAllowed})`),
    setControl: (isAllowed) => calls.push(`setControl(${isAllowed})`),
    end: () => calls.push("end"),
  };
  return { session, calls };
}

describe("the agent's terminal", () => {
  it("speaks the locale's language, else English", () => {
    expect(terminalText({ LANG: "de_DE.UTF-8" }).agent.yes).toBe("j");
    expect(terminalText({ LC_ALL: "ja_JP.UTF-8", LANG: "de_DE.UTF-8" }).agent.connecting).toMatch(/接続/);
    expect(terminalText({ LANG: "fr_FR.UTF-8" }).agent.yes).toBe("y");
    expect(terminalText({}).agent.yes).toBe("y");
  });

  it("says who is asking, with the case number and the warning, then the verification code, once each", () => {
    expect(announce(null, WAITING, EN)).toEqual([EN.agent.waiting]);
    expect(announce(WAITING, ASKING, EN)).toEqual([
      "Olivia Owner (Example Support) is asking to see your screen.",
      "Case number: CASE-14",
      EN.agent.warning,
    ]);
    expect(announce(ASKING, TO_CHECK, EN)).toEqual(["Verification code: tractor piano atlas city"]);
    expect(announce(TO_CHECK, CHECKED, EN)).toEqual([]);
    expect(announce(CHECKED, VIEWING, EN)).toEqual([EN.agent.viewing]);
  });

  it("prints the server's text as plain characters: no escape sequences, no reordering", () => {
    expect(plain("Olivia \u001b[2J\u001b[HOwner")).toBe("Olivia \uFFFD[2J\uFFFD[HOwner");
    expect(plain("Tess \u202Etroppus\u0007")).toBe("Tess \uFFFDtroppus\uFFFD");
    expect(plain("山田 花子")).toBe("山田 花子");
    const hostile: AgentView = {
      ...ASKING,
      technician: { name: "Eve\u001b]0;title\u0007", organisation: "Org\r\nFake line" },
      caseNumber: "\u009b31m",
    };
    const lines = announce(WAITING, hostile, EN).join("\n");
    expect(lines).toContain("Eve\uFFFD]0;title\uFFFD (Org\uFFFD\uFFFDFake line)");
    for (const control of ["\u001b", "\u0007", "\r", "\u009b"]) expect(lines).not.toContain(control);
  });

  it("says why the session ended, in the customer's words", () => {
    const ended = { ...VIEWING, phase: "ended", isAllowed: false } as const;
    expect(announce(VIEWING, { ...ended, ended: { reason: "ended_by_technician" } }, EN)).toEqual([
      EN.customer.ended.ended_by_technician,
    ]);
    const refused = { ...ended, ended: { reason: "refused", code: "SEAT_TAKEN", message: "taken" } } as const;
    expect(announce(VIEWING, refused, EN)).toEqual([EN.customer.refused.SEAT_TAKEN]);
    expect(announce(refused, refused, EN)).toEqual([]);
  });

  it("asks for the code first, then for consent, and nothing while viewing", () => {
    expect(questionFor(WAITING)).toBeNull();
    expect(questionFor(ASKING)).toBeNull();
    expect(questionFor(TO_CHECK)).toBe("confirmCode");
    expect(questionFor(CHECKED)).toBe("allowView");
    expect(questionFor(VIEWING)).toBeNull();
  });

  it("asks for control once viewing, where the agent can drive the mouse and keyboard, and only until answered", () => {
    expect(questionFor(CONTROLLABLE)).toBe("allowControl");
    expect(questionFor({ ...CONTROLLABLE, control: false })).toBeNull();
    expect(questionFor({ ...CONTROLLABLE, control: true })).toBeNull();
    const { session, calls } = fakeSession(CONTROLLABLE);
    expect(answer(session, "allowControl", "n", EN)).toBe(true);
    expect(answer(session, "allowControl", "y", EN)).toBe(true);
    // "stop" takes control back while it is given, and means nothing otherwise.
    expect(answer(session, null, "stop", EN)).toBe(false);
    session.view = { ...CONTROLLABLE, control: true };
    expect(answer(session, null, " STOP ", EN)).toBe(true);
    // "control" gives it again once taken back (or declined), and means nothing while it is given.
    expect(answer(session, null, "control", EN)).toBe(false);
    session.view = { ...CONTROLLABLE, control: false };
    expect(answer(session, null, "control", EN)).toBe(true);
    expect(calls).toEqual(["setControl(false)", "setControl(true)", "setControl(false)", "setControl(true)"]);
    expect(announce(CONTROLLABLE, { ...CONTROLLABLE, control: true }, EN)).toEqual([EN.agent.controlOn]);
    expect(announce({ ...CONTROLLABLE, control: true }, { ...CONTROLLABLE, control: false }, EN)).toEqual([
      EN.agent.controlOff,
    ]);
    // Declining when asked is not "taken back": nothing to say.
    expect(announce(CONTROLLABLE, { ...CONTROLLABLE, control: false }, EN)).toEqual([]);
  });

  it("takes y and n as answers, end at any time, and nothing else", () => {
    const { session, calls } = fakeSession(TO_CHECK);
    expect(answer(session, "confirmCode", " Y ", EN)).toBe(true);
    expect(answer(session, "confirmCode", "n", EN)).toBe(true);
    expect(answer(session, "allowView", "y", EN)).toBe(true);
    expect(answer(session, "allowView", "n", EN)).toBe(true);
    expect(answer(session, "allowView", "maybe", EN)).toBe(false);
    expect(answer(session, null, "y", EN)).toBe(false);
    expect(answer(session, null, "end", EN)).toBe(true);
    expect(calls).toEqual(["confirmCode", "rejectCode", "setAllowed(true)", "end", "end"]);
  });

  it("runs the conversation on streams until the session ends", async () => {
    const { session, calls } = fakeSession(WAITING);
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
    });
    let onView: (view: AgentView) => void = () => undefined;
    const done = runTerminal(session, (listener) => (onView = listener), { input, output }, EN);
    const show = (view: AgentView) => {
      session.view = view;
      onView(view);
    };
    show(TO_CHECK);
    expect(printed).toContain(EN.agent.confirmCode);
    input.write("perhaps\n");
    await expect.poll(() => printed).toContain(EN.agent.yesNo);
    input.write("y\n");
    await expect.poll(() => calls).toEqual(["confirmCode"]);
    show(CHECKED);
    expect(printed).toContain(EN.agent.allowView);
    input.write("y\n");
    await expect.poll(() => calls).toEqual(["confirmCode", "setAllowed(true)"]);
    show(VIEWING);
    input.write("end\n");
    await expect.poll(() => calls).toContain("end");
    show({ ...VIEWING, phase: "ended", isAllowed: false, ended: { reason: "ended_by_customer" } });
    await done;
    expect(printed).toContain(EN.customer.ended.ended_by_customer);
  });
});
