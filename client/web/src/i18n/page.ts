import type { AgentPage, Catalogue, Common, Customer, Help, Technician } from "./catalogue.ts";
import {
  agentPage as englishAgentPage,
  common as englishCommon,
  customer as englishCustomer,
  help as englishHelp,
  technician as englishTechnician,
} from "./catalogues/en.ts";
import { setFormatLanguage } from "./format.ts";
import { chooseLanguage, LANGUAGE_KEY, LANGUAGES, type Language } from "./languages.ts";

// A page's language: chosen from what the person picked before or the browser's languages, switched with the page's
// labelled <select id="language">, remembered in localStorage. English is bundled with every page; another language's
// catalogue is loaded when chosen, from the module the build made of ./catalogues/TAG.ts (named by its content, same
// origin, as the CSP's script-src 'self' allows). The static text of the HTML is filled from the catalogue's `markup`
// by the keys in data-text (the element's text) and data-label (its aria-label) attributes.

/**
 * Each other language's catalogue module by tag, as JSON: its content-named URL, which client/web/build.ts fills in.
 * A string, which the bundler writes where it is used; an object would be a module of its own that every chunk imports.
 */
declare const CATALOGUE_URLS: string;

/** The catalogue in use; English wherever nothing else is loaded. */
let loaded: Partial<Catalogue> = {};
let language: Language = "en";
const listeners = new Set<() => void>();

/** The text every page shows: the language switcher's label, error messages. */
export function commonText(): Common {
  return loaded.common ?? englishCommon;
}

/** The customer's pages' text. */
export function customerText(): Customer {
  return loaded.customer ?? englishCustomer;
}

/** The home page's own text. */
export function helpText(): Help {
  return loaded.help ?? englishHelp;
}

/** The technician's pages' text. */
export function technicianText(): Technician {
  return loaded.technician ?? englishTechnician;
}

/** The agent page's own text (agent.html). */
export function agentPageText(): AgentPage {
  return loaded.agentPage ?? englishAgentPage;
}

/** The language the page shows. */
export function currentLanguage(): Language {
  return language;
}

/** Runs `listener` after every change of language, to draw what the page drew in the old one again; returns how to stop. */
export function onLanguageChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A language's catalogue: English is here already; any other is fetched once, as a module. */
async function load(tag: Language): Promise<Partial<Catalogue>> {
  const url = (JSON.parse(CATALOGUE_URLS) as Partial<Record<Language, string>>)[tag];
  if (tag === "en" || !url) return {};
  // A variable, so the bundler leaves it to the browser rather than bundling every language.
  return (await import(url)) as Catalogue;
}

function readStored(): string | null {
  try {
    return localStorage.getItem(LANGUAGE_KEY);
  } catch {
    return null; // Storage blocked: the browser's languages decide.
  }
}

function store(tag: Language): void {
  try {
    localStorage.setItem(LANGUAGE_KEY, tag);
  } catch {
    // Storage blocked: the choice holds for this page only.
  }
}

/** Fills the page's static text (data-text, data-label) from `markup`. */
function fillMarkup(markup: Record<string, string>): void {
  for (const el of document.querySelectorAll<HTMLElement>("[data-text]")) {
    const text = markup[el.dataset.text ?? ""];
    if (text !== undefined) el.textContent = text;
  }
  for (const el of document.querySelectorAll<HTMLElement>("[data-label]")) {
    const text = markup[el.dataset.label ?? ""];
    if (text !== undefined) el.setAttribute("aria-label", text);
  }
}

/** The switcher's options: each language named in itself ("Deutsch", "日本語"), so anyone finds their own. */
function fillSwitcher(select: HTMLSelectElement): void {
  select.replaceChildren(
    ...LANGUAGES.map((tag) => {
      const option = new Option(new Intl.DisplayNames([tag], { type: "language" }).of(tag) ?? tag, tag);
      option.lang = tag;
      return option;
    }),
  );
}

/**
 * Chooses the page's language, fills its static text from `markup` of the loaded catalogue, sets `<html lang>`, and
 * wires the switcher; resolves once the page speaks the language. A catalogue that cannot be loaded leaves English.
 */
export async function startLanguage(markup: () => Record<string, string>): Promise<void> {
  const select = document.getElementById("language");
  const label = document.querySelector<HTMLElement>("label[for=language]");
  let changes = 0;
  const use = async (tag: Language): Promise<void> => {
    const change = ++changes;
    let catalogue: Partial<Catalogue> = {};
    let shown = tag;
    try {
      catalogue = await load(tag);
    } catch {
      shown = "en";
    }
    if (change !== changes) return; // A later choice won.
    loaded = catalogue;
    language = shown;
    setFormatLanguage(shown);
    document.documentElement.lang = shown;
    fillMarkup(markup());
    if (label) label.textContent = commonText().language;
    if (select instanceof HTMLSelectElement) select.value = shown;
    for (const listener of listeners) listener();
  };
  if (select instanceof HTMLSelectElement) {
    fillSwitcher(select);
    select.addEventListener("change", () => {
      const tag = chooseLanguage([], select.value);
      store(tag);
      void use(tag);
    });
  }
  await use(chooseLanguage(navigator.languages, readStored()));
}
