import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ErrorCode } from "#protocol/errors.ts";
import { findNameProblem, nameProblem } from "#protocol/names.ts";
import type { Catalogue } from "../../client/web/src/i18n/catalogue.ts";
import * as de from "../../client/web/src/i18n/catalogues/de.ts";
import * as en from "../../client/web/src/i18n/catalogues/en.ts";
import * as ja from "../../client/web/src/i18n/catalogues/ja.ts";
import { formatBytes, formatClock, formatUnit, setFormatLanguage } from "../../client/web/src/i18n/format.ts";
import { chooseLanguage, LANGUAGES, type Language } from "../../client/web/src/i18n/languages.ts";

// The catalogues are typed against the English one, so tsc already refuses a missing key; these tests hold the rest:
// no empty text, the same keys at run time, every key the HTML names, and the choice of language.

const web = path.join(import.meta.dirname, "../../client/web");
const catalogues: Record<Language, Catalogue> = { en, de, ja };

/** Every leaf of a catalogue, by its dotted path. */
function leaves(value: unknown, at = ""): [string, unknown][] {
  if (typeof value !== "object" || value === null) return [[at, value]];
  return Object.entries(value).flatMap(([key, child]) => leaves(child, at ? `${at}.${key}` : key));
}

/** The data-text and data-label keys of an HTML file. */
function markupKeys(file: string): string[] {
  const html = readFileSync(path.join(web, file), "utf8");
  return [...html.matchAll(/data-(?:text|label)="([^"]+)"/g)].map((match) => match[1] ?? "");
}

const pages = {
  customer: ["public/join.html", "src/customer/screens.html"],
  help: ["public/index.html"],
  technician: ["public/console.html", "public/enrol.html", "public/sign-in.html"],
  agentPage: ["public/agent.html"],
} as const;

describe("language catalogues", () => {
  it("has a catalogue file for every language, and a language for every catalogue file", () => {
    const files = readdirSync(path.join(web, "src/i18n/catalogues")).map((file) => path.basename(file, ".ts"));
    expect(files.sort()).toEqual([...LANGUAGES].sort());
  });

  it.each(LANGUAGES.filter((tag) => tag !== "en"))("%s has exactly English's keys, each of the same kind", (tag) => {
    const kinds = (catalogue: Catalogue) => leaves(catalogue).map(([key, value]) => [key, typeof value]);
    expect(kinds(catalogues[tag])).toEqual(kinds(en));
  });

  it.each(LANGUAGES)("%s has no empty text, and its messages take the values English's do", (tag) => {
    const english = new Map(leaves(en));
    for (const [key, value] of leaves(catalogues[tag])) {
      if (typeof value === "string") expect(value.trim(), key).not.toBe("");
      else if (typeof value === "function") expect(value.length, key).toBe((english.get(key) as () => string).length);
      else expect.fail(`${key} is neither text nor a message`);
    }
  });

  it.each(LANGUAGES)(
    "%s words every error code a client can meet, each in one part: every page's, or only the technicians'",
    (tag) => {
      const every: Partial<Record<string, string>> = catalogues[tag].common.errors;
      const technicians: Partial<Record<string, string>> = catalogues[tag].technician.errors;
      for (const code of [...ErrorCode.options, "NETWORK", "HTTP", "BAD_RESPONSE", "REPLACED"]) {
        expect(
          [every[code], technicians[code]].filter((text) => text !== undefined),
          code,
        ).toEqual([expect.stringMatching(/\S/)]);
      }
      // Everything a customer's page or the agent can be told by the room or the API is every page's.
      for (const code of ["SESSION_ENDED", "SEAT_KEY_INVALID", "HANDSHAKE_WAIT", "RATE_LIMITED", "REPLACED"]) {
        expect(every[code], code).toMatch(/\S/);
      }
    },
  );

  it.each(Object.entries(pages))(
    "has the static text of every %s page, and nothing the pages do not use",
    (section, files) => {
      const used = new Set(files.flatMap(markupKeys));
      const markup = Object.keys(catalogues.en[section as keyof typeof pages].markup);
      expect([...used].filter((key) => !markup.includes(key))).toEqual([]);
      expect(markup.filter((key) => !used.has(key))).toEqual([]);
    },
  );

  it("words a refused name in English as the server does", () => {
    const names = [
      "Tess \u202Etroppus",
      "Tess\u0007",
      "Sam\u200BSelf",
      "Tess \uE000",
      "Tess \u2605",
      "Ｔｅｓｓ",
      "Ꭲess",
    ];
    for (const text of [...names, "Tess \u0301", "Tess a\u0301\u0302\u0303\u0304\u0305", "Tess Теss"]) {
      const problem = findNameProblem(text);
      expect(problem, text).not.toBeNull();
      if (problem)
        expect(en.technician.nameProblem("displayName", problem)).toBe(nameProblem(text, "The display name"));
    }
  });
});

describe("chooseLanguage", () => {
  it("takes the first of the browser's languages Tether speaks, by its primary tag", () => {
    expect(chooseLanguage(["fr-FR", "de-AT", "ja"], null)).toBe("de");
    expect(chooseLanguage(["ja-JP", "en-US"], null)).toBe("ja");
  });

  it("falls back to English", () => {
    expect(chooseLanguage(["fr-FR", "pt"], null)).toBe("en");
    expect(chooseLanguage([], null)).toBe("en");
  });

  it("keeps the person's own choice over the browser's, and ignores a stored value it does not speak", () => {
    expect(chooseLanguage(["de-DE"], "ja")).toBe("ja");
    expect(chooseLanguage(["de-DE"], "xx")).toBe("de");
  });
});

describe("the formatters", () => {
  afterEach(() => {
    setFormatLanguage("en");
    vi.restoreAllMocks();
  });

  it("make each of Intl's formatters once per language and options, and write in the language set last", () => {
    const made = vi.spyOn(Intl, "DateTimeFormat");
    const at = Date.UTC(2026, 11, 4, 14, 5);
    setFormatLanguage("en");
    const english = formatClock(at);
    expect(formatClock(at + 60_000)).not.toBe(english);
    expect(made).toHaveBeenCalledTimes(1);
    setFormatLanguage("de");
    expect(formatClock(at)).toBe(new Intl.DateTimeFormat("de", { timeStyle: "short" }).format(at));
    setFormatLanguage("en");
    expect(formatClock(at)).toBe(english);
    // English's was kept, German's was made, and the check above made one of its own.
    expect(made).toHaveBeenCalledTimes(3);
  });

  it("keep formatters with different options apart", () => {
    setFormatLanguage("en");
    expect(formatUnit(12, "millisecond")).toBe("12 ms");
    expect(formatUnit(30, "second", true)).toBe("30 seconds");
    expect(formatBytes(9_800_000, true)).toBe("9.8 MB/s");
    expect(formatBytes(640_000)).toBe("640 kB");
  });
});
