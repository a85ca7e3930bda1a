import * as z from "zod/mini";

// The rule for text a customer reads before Allow: a technician's display name and a case number. Both are
// normalised (NFC, every kind of space to one U+0020, trimmed), then refused, with a message that names the
// character by code point and never shows it, when they contain:
//  - a bidi control (U+202A–U+202E, U+2066–U+2069, LRM, RLM, ALM): they reorder what is drawn;
//  - a control character (C0, DEL, C1) or a line or paragraph separator;
//  - an invisible character (format characters, Default_Ignorable_Code_Point: ZWSP, ZWJ, ZWNJ, the Hangul fillers...);
//  - an unassigned, private-use or lone surrogate code point;
//  - a symbol or emoji outside ASCII, or an enclosing mark (a keycap, a circle);
//  - a compatibility form (full-width, mathematical, circled, superscript letters: NFKC differs), Thai and Lao
//    SARA AM excepted, which are ordinary letters of their scripts;
//  - an accent mark on no letter, more than four accent marks in a row, or the same one twice;
//  - a letter of a script that UTS #31 (Table 5) does not recommend for identifiers (Cherokee's look like Latin);
//  - letters of more than one script, by UTS #39's "Highly Restrictive" level: one script, or Latin with Han and
//    Hiragana and Katakana (Japanese), Han and Bopomofo (Chinese) or Han and Hangul (Korean); Common and Inherited
//    characters (digits, punctuation, combining accents) go with any script, by their Script_Extensions.
// Each test is a Unicode property escape, so no confusables table ships to a browser.

/** The scripts UTS #31 recommends for identifiers (Table 5), by the name a property escape takes. */
const RECOMMENDED_SCRIPTS = [
  "Latin",
  "Greek",
  "Cyrillic",
  "Armenian",
  "Hebrew",
  "Arabic",
  "Thaana",
  "Devanagari",
  "Bengali",
  "Gurmukhi",
  "Gujarati",
  "Oriya",
  "Tamil",
  "Telugu",
  "Kannada",
  "Malayalam",
  "Sinhala",
  "Thai",
  "Lao",
  "Tibetan",
  "Myanmar",
  "Georgian",
  "Ethiopic",
  "Khmer",
  "Hangul",
  "Hiragana",
  "Katakana",
  "Bopomofo",
  "Han",
] as const;

/** The writing systems UTS #39 lets Han share a string with, and the scripts each one covers. */
const WRITING_SYSTEMS: Record<string, readonly string[]> = {
  Han: ["Japanese", "Korean", "Chinese"],
  Hiragana: ["Japanese"],
  Katakana: ["Japanese"],
  Hangul: ["Korean"],
  Bopomofo: ["Chinese"],
};
const CJK = new Set(["Japanese", "Korean", "Chinese"]);

const bidiControl = /\p{Bidi_Control}/u;
const control = /[\p{Cc}\p{Zl}\p{Zp}]/u;
const invisible = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const unassigned = /[\p{Cs}\p{Co}\p{Cn}]/u;
const symbol = /[\p{S}\p{Me}]/u;
const mark = /\p{Mn}/u;
const base = /[\p{L}\p{N}\p{M}]/u;
const anyScript = /^[\p{scx=Common}\p{scx=Inherited}]$/u;
const spaces = /\p{Zs}+/gu;
/** THAI and LAO CHARACTER SARA AM: letters with a compatibility decomposition that names are written with. */
const compatibilityLetters = new Set(["\u0E33", "\u0EB3"]);
/** UTS #39 flags longer runs of nonspacing marks; four covers every language's stacked accents. */
const MAX_MARKS_IN_A_ROW = 4;

let scriptTests: [string, RegExp][] | undefined;

/** The recommended scripts `char` is written in (its Script_Extensions), or null for Common and Inherited. */
function scriptsOf(char: string): string[] | null {
  if (anyScript.test(char)) return null;
  scriptTests ??= RECOMMENDED_SCRIPTS.map((name) => [name, new RegExp(`^\\p{scx=${name}}$`, "u")]);
  return scriptTests.filter(([, test]) => test.test(char)).map(([name]) => name);
}

/** "U+202E": a character named without drawing it. */
function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Normalises a name or case number as stored and shown: NFC, every run of spaces one U+0020, trimmed. */
export function normaliseName(text: string): string {
  return text.normalize("NFC").replace(spaces, " ").trim();
}

/** What is wrong with a name, as data: the kind of problem and the character (by code point) or scripts at fault. */
export type NameProblem =
  | {
      kind:
        | "direction"
        | "control"
        | "invisible"
        | "unassigned"
        | "symbol"
        | "styled"
        | "script"
        | "loneMark"
        | "stackedMarks";
      /** The character at fault, as "U+202E". */
      at: string;
    }
  | { kind: "mixedScripts"; scripts: [string, string] };

/** What is wrong with `text` (already normalised) as something a customer reads, as data; null if nothing is. */
export function findNameProblem(text: string): NameProblem | null {
  const seen: string[][] = [];
  for (const char of text) {
    const at = codePoint(char);
    if (bidiControl.test(char)) return { kind: "direction", at };
    if (control.test(char)) return { kind: "control", at };
    if (invisible.test(char)) return { kind: "invisible", at };
    if (unassigned.test(char)) return { kind: "unassigned", at };
    if (symbol.test(char) && char > "\u007F") return { kind: "symbol", at };
    if (char.normalize("NFKC") !== char && !compatibilityLetters.has(char)) return { kind: "styled", at };
    const scripts = scriptsOf(char);
    if (scripts?.length === 0) return { kind: "script", at };
    if (scripts) seen.push(scripts);
  }
  // Marks are counted decomposed, as UTS #39 does: "é" followed by U+0301 is the same accent twice.
  let marks = 0;
  let previous = "";
  for (const char of text.normalize("NFD")) {
    if (mark.test(char)) {
      const at = codePoint(char);
      if (!base.test(previous)) return { kind: "loneMark", at };
      marks = char === previous ? MAX_MARKS_IN_A_ROW + 1 : marks + 1;
      if (marks > MAX_MARKS_IN_A_ROW) return { kind: "stackedMarks", at };
    } else marks = 0;
    previous = char;
  }
  const mixed = mixedScripts(seen);
  return mixed ? { kind: "mixedScripts", scripts: mixed } : null;
}

/**
 * What is wrong with `text` (already normalised) as something a customer reads, as an English sentence about `what`
 * ("The display name") for the server's error message and logs; null if nothing is. Clients word the problem
 * themselves, in the reader's language, from {@link findNameProblem}.
 */
export function nameProblem(text: string, what: string): string | null {
  const problem = findNameProblem(text);
  if (!problem) return null;
  switch (problem.kind) {
    case "direction":
      return `${what} contains a character that changes the direction of text (${problem.at}); remove it.`;
    case "control":
      return `${what} contains a control character or line break (${problem.at}); remove it.`;
    case "invisible":
      return `${what} contains an invisible character (${problem.at}); remove it.`;
    case "unassigned":
      return `${what} contains an unassigned or private-use character (${problem.at}); remove it.`;
    case "symbol":
      return `${what} contains a symbol or emoji (${problem.at}); use letters, digits and punctuation only.`;
    case "styled":
      return `${what} contains a styled or full-width form of a character (${problem.at}); type it plainly.`;
    case "script":
      return `${what} contains a letter of a script not accepted in names (${problem.at}); write it in another script.`;
    case "loneMark":
      return `${what} contains an accent mark that is on no letter (${problem.at}); remove it.`;
    case "stackedMarks":
      return `${what} stacks too many accent marks (${problem.at}); remove some.`;
    case "mixedScripts":
      return `${what} mixes ${problem.scripts[0]} and ${problem.scripts[1]} letters; write it in one script.`;
  }
}

/** The scripts (and writing systems) every one of `sets` has; null when there are none to intersect. */
function shared(sets: Set<string>[]): string[] | null {
  const [first, ...others] = sets;
  return first ? [...first].filter((name) => others.every((set) => set.has(name))) : null;
}

/** The first two scripts that cannot share a string under UTS #39's "Highly Restrictive" level; null if none. */
function mixedScripts(seen: string[][]): [string, string] | null {
  const extended = seen.map((scripts) => new Set(scripts.flatMap((name) => [name, ...(WRITING_SYSTEMS[name] ?? [])])));
  const all = shared(extended);
  if (!all || all.length > 0) return null;
  // Latin may join one CJK writing system (romaji in a Japanese name, an English given name before a Chinese one).
  const rest = shared(extended.filter((set) => !set.has("Latin")));
  if (rest?.some((name) => CJK.has(name))) return null;
  const first = seen[0]?.[0] ?? "";
  const other = seen.find((scripts) => !scripts.includes(first))?.[0] ?? "";
  return [first, other];
}

/**
 * A display name or case number as a schema: normalised, at most `max` characters, refused with INVALID_NAME (the
 * issue's `params.code`, which the server's validator turns into the error code) and nameProblem's message.
 */
export function nameSchema(what: string, max: number) {
  return z.string().check(
    // Before normalising: NFC and space folding only shorten, so nothing longer than this can pass.
    z.maxLength(max * 4),
    z.overwrite(normaliseName),
    z.minLength(1, `${what} is empty.`),
    z.maxLength(max, `${what} is longer than ${max} characters.`),
    z.superRefine((text, ctx) => {
      const problem = nameProblem(text, what);
      if (problem) ctx.issues.push({ code: "custom", message: problem, input: text, params: { code: "INVALID_NAME" } });
    }),
  );
}

/** A technician's display name, the one customers read before Allow. */
export const DisplayName = /* @__PURE__ */ nameSchema("The display name", 80);

/** A technician's own reference for a session, shown to the customer. */
export const CaseNumber = /* @__PURE__ */ nameSchema("The case number", 64);
