// The languages Tether's pages speak, and the choice among them: pure, so tests run it without a browser.

/**
 * Every language with a catalogue in ./catalogues/ (its file name is the tag). English comes first: it is bundled
 * with the pages, the fallback for anything else, and the language of a browser that asks for none of these.
 */
export const LANGUAGES = ["en", "de", "ja"] as const;
export type Language = (typeof LANGUAGES)[number];

/** Where a person's own choice of language is kept, in localStorage. */
export const LANGUAGE_KEY = "tether.language";

/** Whether `tag` is a language Tether speaks. */
export function isLanguage(tag: string | null | undefined): tag is Language {
  return (LANGUAGES as readonly string[]).includes(tag ?? "");
}

/**
 * The language to show: the one the person picked here before, else the first of the browser's languages
 * (`navigator.languages`, "de-AT" matching "de") that Tether speaks, else English.
 */
export function chooseLanguage(preferred: readonly string[], stored: string | null): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split("-")[0];
    if (isLanguage(primary)) return primary;
  }
  return "en";
}
