import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// `npm run test:attack` runs the files test/attack-files.txt lists, through the same vitest projects as `npm test`:
// a path that no longer names a test file would drop its tests from the run without a word.

const root = path.resolve(import.meta.dirname, "../..");
const PROJECT_FOLDERS = ["test/unit/", "test/integration/", "test/servers/", "test/e2e/"];

describe("test/attack-files.txt", () => {
  const listed = readFileSync(path.join(root, "test/attack-files.txt"), "utf8")
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"));

  it("lists only test files that exist and that one of npm test's projects runs, each once", () => {
    expect(listed.length).toBeGreaterThan(0);
    for (const file of listed) {
      expect(file, file).toMatch(/^test\/[a-z0-9/-]+\.test\.ts$/);
      expect(
        PROJECT_FOLDERS.some((folder) => file.startsWith(folder)),
        file,
      ).toBe(true);
      expect(existsSync(path.join(root, file)), file).toBe(true);
    }
    expect(new Set(listed).size).toBe(listed.length);
  });

  it("covers every host: pure logic, workerd, both servers and the browser", () => {
    for (const folder of PROJECT_FOLDERS) {
      expect(
        listed.some((file) => file.startsWith(folder)),
        folder,
      ).toBe(true);
    }
  });
});
