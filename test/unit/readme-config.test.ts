import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { INT_VARS } from "../../worker/config.ts";

const root = path.resolve(import.meta.dirname, "../..");

describe("documented configuration", () => {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const toml = readFileSync(path.join(root, "wrangler.toml"), "utf8");

  it.each(Object.entries(INT_VARS))("README documents %s with its default and range", (name, spec) => {
    const cells = readme
      .split("\n")
      .map((line) => line.split("|").map((cell) => cell.trim()))
      .find((row) => row[1] === `\`${name}\``);
    expect(cells, `README row for ${name}`).toBeDefined();
    expect(cells?.[2]).toBe(String(spec.fallback));
    expect(cells?.[3]).toContain(`${spec.min}–${spec.max}`);
  });

  it.each(Object.keys(INT_VARS))("wrangler.toml sets %s", (name) => {
    expect(toml).toMatch(new RegExp(`^${name} = "\\d+"$`, "m"));
  });
});
