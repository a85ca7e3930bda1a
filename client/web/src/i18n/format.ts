import type { Language } from "./languages.ts";

// Dates, times, numbers and durations in the page's language, through Intl: the catalogues' sentences get them
// already formatted and only place them.

let language: Language = "en";

/** Sets the language the formatters below write in (the page's, as i18n/page.ts chose it). */
export function setFormatLanguage(tag: Language): void {
  language = tag;
}

type Formatter = { format(value: number): string };
const made = new Map<string, Formatter>();

/**
 * Intl's formatter of this kind for the page's language and `options`, made once: making one costs far more than
 * using it, and a chat log or a transfer's progress formats on every draw.
 */
function formatter<O>(Kind: new (tag: string, options: O) => Formatter, options: O): Formatter {
  const key = Kind.name + language + JSON.stringify(options);
  let one = made.get(key);
  if (!one) {
    one = new Kind(language, options);
    made.set(key, one);
  }
  return one;
}

/** A date and time: "2 Dec 2026, 14:05", "02.12.2026, 14:05", "2026/12/02 14:05". */
export function formatTime(ms: number): string {
  return formatter(Intl.DateTimeFormat, { dateStyle: "medium", timeStyle: "short" }).format(ms);
}

/** A time of day, for deadlines within the hour. */
export function formatClock(ms: number): string {
  return formatter(Intl.DateTimeFormat, { timeStyle: "short" }).format(ms);
}

/** A plain number: "1,234", "1.234", "1,234". */
export function formatNumber(value: number): string {
  return formatter(Intl.NumberFormat, {}).format(value);
}

/** A percentage given in percent: "125%", "125 %", "125%". */
export function formatPercent(percent: number): string {
  return formatter(Intl.NumberFormat, { style: "percent" }).format(percent / 100);
}

/** The units the pages measure in, as Intl names them. */
export type Unit = "millisecond" | "second" | "minute";

/** A measure with its unit: "12 ms", "30 seconds" (`isLong`), "10 Minuten". */
export function formatUnit(value: number, unit: Unit, isLong = false): string {
  return formatter(Intl.NumberFormat, { style: "unit", unit, unitDisplay: isLong ? "long" : "short" }).format(value);
}

/** ISO 15924 codes of the scripts names may be written in, by the Unicode property name #protocol/names.ts uses. */
const SCRIPT_CODES: Record<string, string> = {
  Latin: "Latn",
  Greek: "Grek",
  Cyrillic: "Cyrl",
  Armenian: "Armn",
  Hebrew: "Hebr",
  Arabic: "Arab",
  Thaana: "Thaa",
  Devanagari: "Deva",
  Bengali: "Beng",
  Gurmukhi: "Guru",
  Gujarati: "Gujr",
  Oriya: "Orya",
  Tamil: "Taml",
  Telugu: "Telu",
  Kannada: "Knda",
  Malayalam: "Mlym",
  Sinhala: "Sinh",
  Thai: "Thai",
  Lao: "Laoo",
  Tibetan: "Tibt",
  Myanmar: "Mymr",
  Georgian: "Geor",
  Ethiopic: "Ethi",
  Khmer: "Khmr",
  Hangul: "Hang",
  Hiragana: "Hira",
  Katakana: "Kana",
  Bopomofo: "Bopo",
  Han: "Hani",
};

/** A script's name ("Cyrillic") in the page's language: "Kyrillisch", "キリル文字"; English keeps Unicode's name. */
export function formatScript(name: string): string {
  const code = SCRIPT_CODES[name];
  if (language === "en" || code === undefined) return name;
  return new Intl.DisplayNames(language, { type: "script" }).of(code) ?? name;
}

/** A size in bytes, or with `perSecond` a rate: "640 kB", "52.4 MB", "9.8 MB/s" (decimal units, as browsers show). */
export function formatBytes(bytes: number, perSecond = false): string {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte"] as const;
  let value = bytes;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  const unit = `${units[i] ?? "byte"}${perSecond ? "-per-second" : ""}`;
  const digits = value < 10 && i > 0 ? 1 : 0;
  return formatter(Intl.NumberFormat, { style: "unit", unit, maximumFractionDigits: digits }).format(value);
}
