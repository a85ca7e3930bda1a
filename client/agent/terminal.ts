import { createInterface } from "node:readline";
import type { Agent, Common, Customer } from "../web/src/i18n/catalogue.ts";
import * as de from "../web/src/i18n/catalogues/de.ts";
import * as en from "../web/src/i18n/catalogues/en.ts";
import * as ja from "../web/src/i18n/catalogues/ja.ts";
import { chooseLanguage } from "../web/src/i18n/languages.ts";
import type { AgentEnd, AgentView } from "./AgentSession.ts";

// The agent's conversation with the person at the machine, in the terminal where no dialog can be shown: who is
// asking, the verification code to check against the technician's words, consent to view and to control, and End. What
// to say and what to ask are pure functions of the session's view; `runTerminal` only reads lines and prints.

/** The texts the terminal uses, in one language. */
export type TerminalText = { agent: Agent; common: Common; customer: Customer };

const TEXTS = { en, de, ja } as const;

/** The language of the terminal's locale (LC_ALL, LC_MESSAGES, LANG: "de_DE.UTF-8" is German), else English. */
export function terminalText(env: Record<string, string | undefined>): TerminalText {
  const tags = [env.LC_ALL, env.LC_MESSAGES, env.LANG].flatMap((value) =>
    value ? [value.split(".")[0]?.replace("_", "-") ?? ""] : [],
  );
  return TEXTS[chooseLanguage(tags, null)];
}

/** Control characters and bidirectional overrides: a terminal would act on them, or show text in another order. */
const UNPRINTABLE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Text from the server (names, the case number) as plain characters: the server checks them, but a terminal must not
 * be steered (cleared, recoloured, a line rewritten) by anything the agent did not write itself.
 */
export function plain(text: string): string {
  return text.replace(UNPRINTABLE, "\uFFFD");
}

/** A question the person is asked now. */
export type Question = "confirmCode" | "allowView" | "allowControl";

/** What the terminal needs of the session (AgentSession is one). */
export type TerminalSession = {
  readonly view: AgentView;
  confirmCode(): void;
  rejectCode(): void;
  setAllowed(isAllowed: boolean): void;
  setControl(isAllowed: boolean): void;
  end(): void;
};

/**
 * The question due in `view`: the code first, then consent to view, then (once viewing, where the agent can drive
 * the input) to control; none before a confirmed owner, or after.
 */
export function questionFor(view: AgentView): Question | null {
  // Unattended access asks nobody: the machine's policy let the technician in.
  if (view.isUnattended) return null;
  if (view.phase === "viewing") return view.canControl && view.control === null ? "allowControl" : null;
  if (view.phase !== "asking" || !view.verification) return null;
  return view.verification.isMatched ? "allowView" : "confirmCode";
}

/** A code's text: the codes a customer can meet are all in `common.errors`; any other reads as an error of Tether's. */
function errorText(code: string, text: TerminalText): string {
  const errors: Partial<Record<string, string>> = text.common.errors;
  return errors[code] ?? text.common.errors.INTERNAL;
}

/** Why the session ended, in the person's words. */
export function endText(ended: AgentEnd, text: TerminalText): string {
  switch (ended.reason) {
    case "captureFailed":
      return text.agent.captureFailed;
    case "refused": {
      const refused: Partial<Record<string, string>> = text.customer.refused;
      return refused[ended.code] ?? errorText(ended.code, text);
    }
    default:
      return text.customer.ended[ended.reason];
  }
}

/** The lines to print as the view goes from `previous` to `next`: only what changed. */
export function announce(previous: AgentView | null, next: AgentView, text: TerminalText): string[] {
  const { agent } = text;
  const lines: string[] = [];
  if (next.ended) return previous?.ended ? [] : [endText(next.ended, text)];
  if (next.signaling !== previous?.signaling) {
    if (next.signaling === "connecting") lines.push(agent.connecting);
    if (next.signaling === "reconnecting") lines.push(agent.reconnecting);
  }
  if (next.phase === "waiting" && next.signaling === "open" && previous?.signaling !== "open") {
    lines.push(agent.waiting);
  }
  if (next.technician && !previous?.technician) {
    lines.push(agent.asking(plain(next.technician.name), plain(next.technician.organisation)));
    if (next.caseNumber) lines.push(agent.caseNumber(plain(next.caseNumber)));
    // Unattended, no one here is to judge who asks, nor compare a code: the machine's key proves it to the technician.
    if (!next.isUnattended) lines.push(agent.warning);
  }
  if (!next.isUnattended && next.verification && next.verification.code !== previous?.verification?.code) {
    lines.push(agent.verificationCode(next.verification.code));
  }
  if (next.phase === "viewing" && previous?.phase !== "viewing") lines.push(agent.viewing);
  if (next.control === true && previous?.control !== true) lines.push(agent.controlOn);
  if (next.control === false && previous?.control === true) lines.push(agent.controlOff);
  if (next.notice && next.notice !== previous?.notice) {
    const { notice } = next;
    if (notice.code === "handshakeFailed") lines.push(text.customer.notice.handshakeFailed);
    else if (notice.code === "throttled") lines.push(text.customer.notice.throttled(notice.failures));
    else lines.push(errorText(notice.error, text));
  }
  return lines;
}

/** Takes a typed line as the answer to `question`, or as End; false when it was neither. */
export function answer(session: TerminalSession, question: Question | null, line: string, text: TerminalText): boolean {
  const word = line.trim().toLowerCase();
  if (word === text.agent.endWord) {
    session.end();
    return true;
  }
  if (word === text.agent.stopWord && session.view.control) {
    session.setControl(false);
    return true;
  }
  if (word === text.agent.controlWord && session.view.control === false) {
    session.setControl(true);
    return true;
  }
  if (!question || (word !== text.agent.yes && word !== text.agent.no)) return false;
  const isYes = word === text.agent.yes;
  if (question === "confirmCode") {
    if (isYes) session.confirmCode();
    else session.rejectCode();
  } else if (question === "allowControl") {
    // Not allowing control keeps the view: the person can still end the session.
    session.setControl(isYes);
  } else if (isYes) {
    session.setAllowed(true);
  } else {
    // Not allowing ends the session, as the page's Don't allow does.
    session.end();
  }
  return true;
}

/**
 * Talks with the person on `input` and `output` for the session's lifetime; `subscribe` hands it every new view.
 * Resolves when the session has ended. The caller turns Ctrl+C (SIGINT) into `session.end()`, as End does.
 */
export function runTerminal(
  session: TerminalSession,
  subscribe: (onView: (view: AgentView) => void) => void,
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream },
  text: TerminalText,
): Promise<void> {
  const lines = createInterface({ input: io.input, output: io.output, terminal: false });
  let previous: AgentView | null = null;
  let asked: Question | null = null;
  const say = (line: string) => io.output.write(`${line}\n`);
  return new Promise((resolve) => {
    const show = (view: AgentView) => {
      for (const line of announce(previous, view, text)) say(line);
      previous = view;
      const question = questionFor(view);
      if (question && question !== asked) io.output.write(text.agent[question]);
      asked = question;
      if (view.phase === "ended") {
        lines.close();
        resolve();
      }
    };
    subscribe(show);
    lines.on("line", (line) => {
      if (!answer(session, questionFor(session.view), line, text) && questionFor(session.view)) say(text.agent.yesNo);
    });
    lines.on("close", () => {
      // The input ended (Ctrl+D, a closed pipe): nobody is there to answer, so the session ends.
      if (session.view.phase !== "ended") session.end();
    });
    show(session.view);
  });
}
