import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { INT_VARS, parseConfig } from "../../worker/config.ts";
import { parseWranglerVars } from "../../worker/deno/wrangler-vars.ts";

describe("parseWranglerVars", () => {
  it("reads every [vars] default of the real wrangler.toml, and they pass the config parser", () => {
    const result = parseWranglerVars(readFileSync(path.join(import.meta.dirname, "../../wrangler.toml"), "utf8"));
    if (!result.ok) throw new Error(result.message);
    for (const [name, spec] of Object.entries(INT_VARS)) expect(result.vars[name]).toBe(String(spec.fallback));
    expect(result.vars.ORGANISATION).toBe("Tether");
    expect(
      parseConfig({ ...result.vars, JWT_SECRET: "x".repeat(32), AUDIT_SIGNING_KEY: "A".repeat(43) }),
    ).toMatchObject({ ok: true });
  });

  it("reads basic and literal strings with escapes and comments, only from [vars]", () => {
    const toml = [
      'name = "tether"',
      "[vars]",
      "# a comment",
      'A = "plain"  # trailing comment',
      'B = "tab\\there \\"quoted\\" \\u00e9"',
      "C = 'C:\\literal'",
      'D = ""',
      "",
      "[[migrations]]",
      'E = "not a var"',
    ].join("\n");
    expect(parseWranglerVars(toml)).toEqual({
      ok: true,
      vars: { A: "plain", B: 'tab\there "quoted" é', C: "C:\\literal", D: "" },
    });
  });

  it("refuses what it does not read, naming the line, instead of dropping a default", () => {
    for (const line of ["A = 5", 'A = """multi', 'A = "unterminated', 'A = "x" y', "A", 'A = "bad \\q escape"']) {
      const result = parseWranglerVars(`[vars]\n${line}\n`);
      expect(result.ok, line).toBe(false);
      expect(result.ok ? "" : result.message).toContain("wrangler.toml line 2");
    }
  });
});
