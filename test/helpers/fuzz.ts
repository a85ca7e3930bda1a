// Seeded randomness and mutations for fuzz tests, on any runtime. The same seed and label give the same stream, so a
// failing input can be made again from the seed a test prints. Mutations work on a value's JSON text (an entry list
// that may repeat keys or hold raw number literals), so they can produce what JSON.stringify never would.

/** A fast, seeded pseudo-random stream (sfc32, seeded through splitmix32). Not for secrets. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** An independent stream for `label` under `seed`: the same pair always gives the same stream. */
  static derive(seed: number, label: string): Rng {
    let hash = 0x811c9dc5 ^ seed;
    for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
    return new Rng(hash >>> 0);
  }

  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.uint32() / 2 ** 32;
  }

  /** An integer in [0, max). */
  int(max: number): number {
    return Math.floor(this.float() * max);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from nothing");
    return items[this.int(items.length)] as T;
  }

  /** One of `choices`, each as likely as its weight. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    const total = choices.reduce((sum, [weight]) => sum + weight, 0);
    let roll = this.float() * total;
    for (const [weight, value] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return (choices[choices.length - 1] as readonly [number, T])[1];
  }
}

/** Keys that pollute a prototype when a parser or a spread treats them naively. */
export const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"];

/** Strings that break naive code: look-alikes of numbers and keywords, control and bidi characters, injections. */
export const NASTY_STRINGS = [
  "",
  " ",
  "NaN",
  "Infinity",
  "-Infinity",
  "null",
  "undefined",
  "true",
  "0",
  "-0",
  "1e309",
  "0x10",
  "__proto__",
  "constructor",
  "\u0000",
  "\u0000\u0001\u001f",
  "\ud800",
  "\udfff\ud800",
  "\u202e\u2066",
  "\ufeff",
  "😀👩‍👩‍👧",
  "%00%2F%2e%2e",
  "../../../etc/passwd",
  "<script>alert(1)</script>",
  "'; DROP TABLE sessions; --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection probe, meant literally.
  "${7*7}{{7*7}}",
  "\r\nSet-Cookie: x=1",
  "A".repeat(33),
  "é".repeat(50),
];

/** Number literals as JSON text, including ones JSON.stringify cannot write (they parse to Infinity or lose bits). */
export const NASTY_NUMBERS = [
  "0",
  "-0",
  "-1",
  "1.5",
  "1.0",
  "2",
  "1e3",
  "9007199254740993",
  "-9007199254740993",
  "1e308",
  "1e309",
  "-1e309",
  "1e-400",
  "4294967296",
  "0.0000001",
  "123456789012345678901234567890",
];

const ALPHABETS = [
  "abcdefghijklmnopqrstuvwxyz",
  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
  "0123456789",
  ' \t\n\r"\\/{}[]:,',
  "éüßø€中文日本語🙂",
  "\u0000\u0007\u001b\u007f\u2028\u2029",
];

/** Random text of up to `maxLength` UTF-16 units from a mix of alphabets. */
export function randomText(rng: Rng, maxLength: number): string {
  const length = rng.int(maxLength + 1);
  let text = "";
  while (text.length < length) text += rng.pick([...rng.pick(ALPHABETS)]);
  return text.slice(0, length);
}

/** Random base64url text of exactly `length` characters. */
export function base64urlText(rng: Rng, length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let text = "";
  for (let i = 0; i < length; i++) text += alphabet[rng.int(64)];
  return text;
}

/** A random JSON value as text, nested at most `depth` deep. */
export function randomJsonText(rng: Rng, depth = 2): string {
  const kind = rng.int(depth > 0 ? 8 : 6);
  switch (kind) {
    case 0:
      return "null";
    case 1:
      return rng.chance(0.5) ? "true" : "false";
    case 2:
      return rng.pick(NASTY_NUMBERS);
    case 3:
      return JSON.stringify(rng.pick(NASTY_STRINGS));
    case 4:
      return JSON.stringify(randomText(rng, 40));
    case 5:
      return JSON.stringify(rng.int(2_000) - 1_000);
    case 6: {
      const items = Array.from({ length: rng.int(4) }, () => randomJsonText(rng, depth - 1));
      return `[${items.join(",")}]`;
    }
    default: {
      const keys = Array.from({ length: rng.int(4) }, () =>
        rng.chance(0.3) ? rng.pick(PROTOTYPE_KEYS) : randomText(rng, 10),
      );
      return `{${keys.map((k) => `${JSON.stringify(k)}:${randomJsonText(rng, depth - 1)}`).join(",")}}`;
    }
  }
}

/** A JSON value nested `depth` levels deep, as text (JSON.stringify would recurse as deep). */
export function deepNestingText(rng: Rng, depth: number): string {
  if (rng.chance(0.5)) return `${"[".repeat(depth)}1${"]".repeat(depth)}`;
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** An object as an entry list of keys and raw JSON texts, which may repeat a key. */
type Entries = [string, string][];

function entriesOf(value: Record<string, unknown>): Entries {
  return Object.entries(value).map(([key, v]) => [key, JSON.stringify(v)]);
}

function objectText(entries: Entries): string {
  return `{${entries.map(([key, raw]) => `${JSON.stringify(key)}:${raw}`).join(",")}}`;
}

/** A string of about `bytes` UTF-8 bytes, in one-, two-, three- or four-byte characters. */
export function sizedText(rng: Rng, bytes: number): string {
  const [unit, size] = rng.pick([
    ["x", 1],
    ["é", 2],
    ["€", 3],
    ["🙂", 4],
  ] as const);
  return unit.repeat(Math.max(1, Math.ceil(bytes / size)));
}

/** What a mutation did, for the report of a failing input. */
export type Mutated = { how: string; text: string };

/** Options of `mutateObject`: the largest input the receiver accepts, in bytes, to aim oversize values around. */
export type MutateOptions = { maxBytes: number };

/**
 * One random mutation of `value` (an object whose fields a receiver checks), as JSON text: a field dropped, retyped,
 * oversized, set to a nasty string or number, an unknown or missing `type`, an extra or prototype key, a duplicate
 * key, deep nesting, or a mutation inside a nested object. Sometimes the value itself, unchanged.
 */
export function mutateObject(rng: Rng, value: Record<string, unknown>, options: MutateOptions, depth = 0): Mutated {
  const entries = entriesOf(value);
  const field = entries.length > 0 ? rng.int(entries.length) : -1;
  const at = entries[field];
  const how = rng.weighted<string>([
    [8, "unchanged"],
    [3, "drop field"],
    [4, "retype field"],
    [3, "nasty string"],
    [3, "nasty number"],
    [2, "oversize field"],
    [2, "unknown type"],
    [2, "missing type"],
    [2, "extra field"],
    [2, "prototype key"],
    [2, "duplicate key"],
    [1, "deep nesting"],
    [depth < 2 ? 3 : 0, "nested mutation"],
    [1, "empty object"],
  ]);
  switch (how) {
    case "drop field":
      if (field >= 0) entries.splice(field, 1);
      break;
    case "retype field":
      if (at) at[1] = randomJsonText(rng, 2);
      break;
    case "nasty string":
      if (at) at[1] = JSON.stringify(rng.pick(NASTY_STRINGS));
      break;
    case "nasty number":
      if (at) at[1] = rng.pick(NASTY_NUMBERS);
      break;
    case "oversize field": {
      const bytes = rng.pick([33, 44, 87, 129, 2_049, 4_097, options.maxBytes - 64, options.maxBytes + 1]);
      if (at) at[1] = JSON.stringify(sizedText(rng, bytes));
      break;
    }
    case "unknown type": {
      const type = rng.pick(["nope", "Offer", "HELLO", "offer ", "pake", "__proto__", "constructor", "", "error"]);
      const typed = entries.find(([key]) => key === "type");
      if (typed) typed[1] = JSON.stringify(type);
      else entries.push(["type", JSON.stringify(type)]);
      break;
    }
    case "missing type":
      return { how, text: objectText(entries.filter(([key]) => key !== "type")) };
    case "extra field":
      entries.splice(rng.int(entries.length + 1), 0, [randomText(rng, 12), randomJsonText(rng, 1)]);
      break;
    case "prototype key":
      entries.splice(rng.int(entries.length + 1), 0, [
        rng.pick(PROTOTYPE_KEYS),
        rng.pick(['{"isAdmin":true}', '{"type":"hello"}', "null", "1", '"x"']),
      ]);
      break;
    case "duplicate key":
      if (at) entries.splice(rng.int(entries.length + 1), 0, [at[0], randomJsonText(rng, 1)]);
      break;
    case "deep nesting":
      if (at) at[1] = deepNestingText(rng, rng.pick([64, 1_000, 10_000, 20_000]));
      break;
    case "nested mutation": {
      const nested = entries.filter(([, raw]) => raw.startsWith("{"));
      const target = nested.length > 0 ? rng.pick(nested) : undefined;
      if (target) {
        const inner = JSON.parse(target[1]) as Record<string, unknown>;
        target[1] = mutateObject(rng, inner, options, depth + 1).text;
      } else if (at) {
        at[1] = randomJsonText(rng, 2);
      }
      break;
    }
    case "empty object":
      return { how, text: "{}" };
  }
  return { how, text: objectText(entries) };
}

/** A payload as sent: text, or bytes for a binary WebSocket frame or a raw body. */
export type Payload = string | Uint8Array;

/** Bytes that are not UTF-8: a lone continuation byte, an overlong slash, a surrogate's encoding, 0xFF. */
const INVALID_UTF8 = [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff, 0xfe], [0xf4, 0x90, 0x80, 0x80]];

/**
 * One random payload built around `value`: usually a mutation of it as text, else its text broken (truncated, with
 * garbage, a byte-order mark, a NUL), a JSON value of another kind, empty, random text, or bytes (its UTF-8, random
 * bytes, invalid UTF-8), or something just over `maxBytes`.
 */
export function fuzzPayload(
  rng: Rng,
  value: Record<string, unknown>,
  options: MutateOptions,
): Mutated & { data: Payload } {
  const mutated = mutateObject(rng, value, options);
  const encode = (text: string) => new TextEncoder().encode(text);
  const how = rng.weighted<string>([
    [40, "mutation"],
    [3, "truncated"],
    [2, "trailing garbage"],
    [1, "byte-order mark"],
    [1, "raw NUL"],
    [2, "other JSON value"],
    [1, "empty"],
    [1, "whitespace"],
    [2, "random text"],
    [3, "binary JSON"],
    [1, "binary random"],
    [1, "binary invalid UTF-8"],
    [1, "binary empty"],
    [1, "just too large"],
  ]);
  const text = mutated.text;
  const label = `${how}: ${mutated.how}`;
  switch (how) {
    case "truncated": {
      const cut = text.slice(0, rng.int(text.length));
      return { how: label, text: cut, data: cut };
    }
    case "trailing garbage": {
      const garbage = `${text}${rng.pick(["}", "]", ",", "x", " {", "\u0000", '"'])}`;
      return { how: label, text: garbage, data: garbage };
    }
    case "byte-order mark":
      return { how: label, text: `\ufeff${text}`, data: `\ufeff${text}` };
    case "raw NUL": {
      const at = rng.int(text.length + 1);
      const broken = `${text.slice(0, at)}\u0000${text.slice(at)}`;
      return { how: label, text: broken, data: broken };
    }
    case "other JSON value": {
      const other = rng.pick(["[]", `[${text}]`, "null", "1", '"hello"', "true", JSON.stringify(text)]);
      return { how: label, text: other, data: other };
    }
    case "empty":
      return { how, text: "", data: "" };
    case "whitespace":
      return { how, text: " \n\t ", data: " \n\t " };
    case "random text": {
      const random = randomText(rng, 200);
      return { how, text: random, data: random };
    }
    case "binary JSON":
      return { how: label, text, data: encode(text) };
    case "binary random": {
      const bytes = Uint8Array.from({ length: rng.int(300) }, () => rng.int(256));
      return { how, text: `<${bytes.length} random bytes>`, data: bytes };
    }
    case "binary invalid UTF-8": {
      const at = rng.int(text.length + 1);
      const bytes = Uint8Array.from([
        ...encode(text.slice(0, at)),
        ...rng.pick(INVALID_UTF8),
        ...encode(text.slice(at)),
      ]);
      return { how, text: `<invalid UTF-8 inside ${text.slice(0, 200)}>`, data: bytes };
    }
    case "binary empty":
      return { how, text: "<empty binary>", data: new Uint8Array(0) };
    case "just too large": {
      const big = objectText([...entriesOf(value), ["padding", JSON.stringify(sizedText(rng, options.maxBytes))]]);
      return { how, text: `${big.slice(0, 200)}… (${big.length} characters)`, data: big };
    }
    default:
      return { how: label, text, data: text };
  }
}

/**
 * A payload as the receiver reads it: text through UTF-8 (a lone surrogate becomes U+FFFD, a byte-order mark stays,
 * as in a WebSocket text frame), bytes as they are.
 */
export function asReceived(data: Payload): string | ArrayBuffer {
  if (typeof data === "string")
    return new TextDecoder("utf-8", { ignoreBOM: true }).decode(new TextEncoder().encode(data));
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

/** `text` cut to `max` characters for a report, with its length when cut. */
export function clip(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/**
 * Whether an answer carries a stack trace (a line like `    at handler (worker/app.ts:12:5)`), raw or inside a JSON
 * string: none may, ever.
 */
export function hasStackTrace(text: string): boolean {
  return /\n\s*at [^\n]*(:\d+:\d+\)?|<anonymous>|\(native\))/.test(text.replaceAll("\\n", "\n"));
}
