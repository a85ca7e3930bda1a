// wrangler.toml's [vars], the defaults every host starts from. Only what that table holds is read: `NAME = "text"`
// (basic strings with escapes) or `NAME = 'text'` (literal strings), comments and blank lines. Anything else in
// [vars] is refused with its line number rather than guessed at, so a default is never silently lost.

const KEY = /^([A-Za-z0-9_-]+)\s*=\s*/;
const ESCAPES: Record<string, string> = { b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", '"': '"', "\\": "\\" };

export type VarsResult = { ok: true; vars: Record<string, string> } | { ok: false; message: string };

/** Reads one basic string starting at `text[0] === '"'`; the value and what follows it, or null. */
function basicString(text: string): { value: string; rest: string } | null {
  let value = "";
  for (let i = 1; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '"') return { value, rest: text.slice(i + 1) };
    if (ch !== "\\") {
      value += ch;
      continue;
    }
    const next = text[i + 1] ?? "";
    if (next in ESCAPES) {
      value += ESCAPES[next];
      i++;
    } else if (next === "u" || next === "U") {
      const length = next === "u" ? 4 : 8;
      const hex = text.slice(i + 2, i + 2 + length);
      if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== length) return null;
      value += String.fromCodePoint(Number.parseInt(hex, 16));
      i += 1 + length;
    } else {
      return null;
    }
  }
  return null;
}

/** The [vars] table of a wrangler.toml, as strings. */
export function parseWranglerVars(toml: string): VarsResult {
  const vars: Record<string, string> = {};
  let isInVars = false;
  const lines = toml.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line.startsWith("[")) {
      isInVars = line.replace(/\s*#.*$/, "") === "[vars]";
      continue;
    }
    if (!isInVars || line === "" || line.startsWith("#")) continue;
    const key = KEY.exec(line);
    const text = key ? line.slice(key[0].length) : "";
    let parsed: { value: string; rest: string } | null = null;
    if (text.startsWith('"') && !text.startsWith('"""')) parsed = basicString(text);
    else if (text.startsWith("'") && !text.startsWith("'''")) {
      const end = text.indexOf("'", 1);
      parsed = end > 0 ? { value: text.slice(1, end), rest: text.slice(end + 1) } : null;
    }
    if (!key?.[1] || !parsed || !/^\s*(#.*)?$/.test(parsed.rest)) {
      return {
        ok: false,
        message: `wrangler.toml line ${index + 1}: [vars] entries must be NAME = "text" on one line; got ${JSON.stringify(line).slice(0, 80)}`,
      };
    }
    vars[key[1]] = parsed.value;
  }
  return { ok: true, vars };
}
