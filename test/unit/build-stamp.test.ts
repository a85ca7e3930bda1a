import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearStamp, staleReason, writeStamp } from "../../client/web/build-stamp.ts";

// `npm start` builds the client only when the last build's record no longer matches its sources and output.
let root: string;

function put(rel: string, text: string): string {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** A small tree shaped like the repository's, "built" once: one page, one public file, one output. */
function buildOnce(): void {
  const read = [put("client/web/src/join.ts", "export {};\n"), put("client/core/cpace.ts", "export const g = 1;\n")];
  const wrote = [put("client/web/dist/join.js", "1"), put("client/web/dist/join.html", "<p>")];
  writeStamp(read, wrote, root);
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "tether-build-stamp-"));
  for (const rel of ["client/web/build.ts", "client/web/build-stamp.ts", "package-lock.json"]) put(rel, rel);
  put("client/web/public/join.html", "<p>");
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("the client build's record", () => {
  it("says a tree never built must be built", () => {
    expect(staleReason(root)).toBe("no earlier build");
  });

  it("finds the build up to date when nothing changed", () => {
    buildOnce();
    expect(staleReason(root)).toBeNull();
  });

  it.each([
    [
      "a source it read",
      () => appendFileSync(path.join(root, "client/core/cpace.ts"), "//"),
      "client/core/cpace.ts changed",
    ],
    ["the lockfile", () => appendFileSync(path.join(root, "package-lock.json"), " "), "package-lock.json changed"],
    [
      "a public file",
      () => appendFileSync(path.join(root, "client/web/public/join.html"), " "),
      "client/web/public/join.html changed",
    ],
    [
      "an output",
      () => appendFileSync(path.join(root, "client/web/dist/join.js"), "2"),
      "client/web/dist/join.js is missing or was changed",
    ],
    [
      "a removed output",
      () => rmSync(path.join(root, "client/web/dist/join.html")),
      "client/web/dist/join.html is missing or was changed",
    ],
    ["a new page", () => put("client/web/src/home.ts", ""), "a page was added or removed"],
    ["a new public file", () => put("client/web/public/home.html", ""), "a public file was added or removed"],
    ["an interrupted build", () => clearStamp(root), "no earlier build"],
    ["a damaged record", () => put("client/web/.build-stamp.json", "{"), "the last build's record is unreadable"],
    [
      "another version's record",
      () => put("client/web/.build-stamp.json", '{"version":0}'),
      "the last build's record is from another version",
    ],
  ])("asks for a build after a change to %s", (_, change, reason) => {
    buildOnce();
    change();
    expect(staleReason(root)).toBe(reason);
  });
});
