import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bundleWorker, DEV_BUNDLE, devBundleStale, watchWorker } from "../../worker/cli/dev-bundle.ts";

// `npm start` bundles the Worker only when its sources or the bundle changed since the last time, and rebundles
// while it runs when a source changes.
let root: string;

function put(rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const bundle = () => readFileSync(path.join(root, DEV_BUNDLE), "utf8");

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "tether-dev-bundle-"));
  for (const rel of ["worker/cli/dev-bundle.ts", "package-lock.json", "wrangler.toml"]) put(rel, rel);
  put(
    "worker/index.ts",
    'import { answer } from "./answer.ts";\nexport default { fetch: () => new Response(answer) };\n',
  );
  put("worker/answer.ts", 'export const answer = "first";\n');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("the Worker's development bundle", () => {
  it("is made when there is none, then found up to date", async () => {
    expect(devBundleStale(root)).toBe("no earlier bundle");
    await bundleWorker(root);
    expect(bundle()).toContain('"first"');
    expect(devBundleStale(root)).toBeNull();
  });

  it("is stale when a file it imports, the lockfile or the configuration changed", async () => {
    await bundleWorker(root);
    put("worker/answer.ts", 'export const answer = "second";\n');
    expect(devBundleStale(root)).toBe("worker/answer.ts changed");
    await bundleWorker(root);
    expect(bundle()).toContain('"second"');
    put("package-lock.json", "other");
    expect(devBundleStale(root)).toBe("package-lock.json changed");
    await bundleWorker(root);
    put("wrangler.toml", "other");
    expect(devBundleStale(root)).toBe("wrangler.toml changed");
  });

  it("is stale when the bundle itself was changed or removed", async () => {
    await bundleWorker(root);
    writeFileSync(path.join(root, DEV_BUNDLE), "edited");
    expect(devBundleStale(root)).toBe(`${DEV_BUNDLE} is missing or was changed`);
    await bundleWorker(root);
    rmSync(path.join(root, DEV_BUNDLE));
    expect(devBundleStale(root)).toBe(`${DEV_BUNDLE} is missing or was changed`);
  });

  it("has no record after a bundle that failed, so the next start tries again", async () => {
    await bundleWorker(root);
    put("worker/answer.ts", "export const answer = ;\n");
    await expect(bundleWorker(root)).rejects.toThrow();
    expect(devBundleStale(root)).toBe("no earlier bundle");
  });

  it("is rewritten by the watcher only when a source changes", async () => {
    await bundleWorker(root);
    const before = statSync(path.join(root, DEV_BUNDLE)).mtimeMs;
    const builds: boolean[] = [];
    const stop = await watchWorker(root, (changed) => builds.push(changed));
    try {
      // The watcher's first build gives the same bytes, and writing them would make wrangler dev reload for nothing.
      await expect.poll(() => builds.length, { timeout: 30_000, interval: 50 }).toBe(1);
      expect(builds).toEqual([false]);
      expect(statSync(path.join(root, DEV_BUNDLE)).mtimeMs).toBe(before);
      put("worker/answer.ts", 'export const answer = "watched";\n');
      await expect.poll(() => builds.includes(true), { timeout: 30_000, interval: 50 }).toBe(true);
      expect(bundle()).toContain('"watched"');
      expect(devBundleStale(root)).toBeNull();
    } finally {
      await stop();
    }
  });
});
