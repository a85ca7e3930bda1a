// The Worker as `npm start` runs it: bundled here with esbuild the way wrangler bundles it for `wrangler dev` (same
// entry, conditions, target and kept names), then handed to `wrangler dev --no-bundle`. A start on an unchanged
// checkout does not bundle at all: a record beside the bundle holds the SHA-256 of every file it was made from and
// of what it wrote (as client/web/build-stamp.ts does for the pages), which saves about 0.2 s of every start.
// While the runtime runs, esbuild watches the sources and rewrites the bundle when it changes; wrangler dev watches
// the bundle's folder and reloads. `npm run deploy` still lets wrangler bundle (and minify) what it uploads.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { BuildOptions, BuildResult, Metafile, OutputFile } from "esbuild";
import { firstChanged, hashAll } from "../../client/web/build-stamp.ts";

const VERSION = 1;

/** Outside .wrangler/, which wrangler dev does not watch, and alone in its folder, which it watches. */
export const DEV_BUNDLE = ".tether-dev/worker/index.js";
const RECORD = ".tether-dev/worker-record.json";
/** Files that shape the bundle besides the sources esbuild reads. */
const ALWAYS = ["worker/cli/dev-bundle.ts", "package-lock.json", "wrangler.toml"];

type BundleRecord = { version: typeof VERSION; read: Record<string, string>; wrote: Record<string, string> };

const isHashes = (value: unknown): value is Record<string, string> =>
  typeof value === "object" && value !== null && Object.values(value).every((item) => typeof item === "string");

function options(root: string): BuildOptions & { metafile: true; write: false } {
  return {
    absWorkingDir: root,
    entryPoints: ["worker/index.ts"],
    outfile: DEV_BUNDLE,
    bundle: true,
    format: "esm",
    target: "es2024",
    supported: { "import-source": true, using: true },
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*"],
    keepNames: true,
    define: {
      "process.env.NODE_ENV": '"development"',
      "globalThis.process.env.NODE_ENV": '"development"',
      "navigator.userAgent": '"Cloudflare-Workers"',
    },
    sourcemap: "linked",
    metafile: true,
    write: false,
    logLevel: "warning",
  };
}

/** Why the bundle must be made again, or null when the last one is up to date. */
export function devBundleStale(root: string): string | null {
  let record: BundleRecord;
  try {
    const value = JSON.parse(readFileSync(path.join(root, RECORD), "utf8")) as Record<string, unknown>;
    if (value.version !== VERSION || !isHashes(value.read) || !isHashes(value.wrote)) return "its record is outdated";
    record = { version: VERSION, read: value.read, wrote: value.wrote };
  } catch {
    return "no earlier bundle";
  }
  const read = firstChanged(root, record.read);
  if (read) return `${read} changed`;
  const wrote = firstChanged(root, record.wrote);
  return wrote ? `${wrote} is missing or was changed` : null;
}

/** Writes the files that differ from what is on disk (the map first), so that an unchanged rebuild reloads nothing. */
function writeChanged(outputs: OutputFile[]): boolean {
  let changed = false;
  for (const file of [...outputs].sort((a, b) => Number(a.path.endsWith(".js")) - Number(b.path.endsWith(".js")))) {
    let current: Buffer | null = null;
    try {
      current = readFileSync(file.path);
    } catch {
      // Not there yet.
    }
    if (current?.equals(file.contents)) continue;
    mkdirSync(path.dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.contents);
    changed = true;
  }
  return changed;
}

function writeRecord(root: string, metafile: Metafile, outputs: OutputFile[]): void {
  const record: BundleRecord = {
    version: VERSION,
    read: hashAll(root, [...Object.keys(metafile.inputs), ...ALWAYS]),
    wrote: hashAll(
      root,
      outputs.map((file) => file.path),
    ),
  };
  writeFileSync(path.join(root, RECORD), `${JSON.stringify(record, null, 1)}\n`);
}

/** Writes what changed and then the record; says whether the bundle changed. */
function finish(root: string, result: BuildResult<{ metafile: true; write: false }>): boolean {
  const changed = writeChanged(result.outputFiles);
  // Last, so that an interrupted bundle leaves no record and the next start bundles again.
  writeRecord(root, result.metafile, result.outputFiles);
  return changed;
}

/** Bundles the Worker into DEV_BUNDLE; rejects with esbuild's errors (printed by esbuild as well). */
export async function bundleWorker(root: string): Promise<void> {
  rmSync(path.join(root, RECORD), { force: true });
  const { build } = await import("esbuild");
  finish(root, await build(options(root)));
}

/**
 * Rebuilds the bundle whenever a source changes (the first time at once), until the returned function is called;
 * `built` hears whether each successful rebuild changed the bundle.
 */
export async function watchWorker(
  root: string,
  built: (changed: boolean) => void = () => {},
): Promise<() => Promise<void>> {
  const { context } = await import("esbuild");
  const ctx = await context({
    ...options(root),
    plugins: [
      {
        name: "write-when-changed",
        setup(build) {
          build.onEnd((result) => {
            if (result.errors.length === 0 && result.metafile && result.outputFiles) {
              built(finish(root, result as BuildResult<{ metafile: true; write: false }>));
            }
          });
        },
      },
    ],
  });
  await ctx.watch();
  return () => ctx.dispose();
}
