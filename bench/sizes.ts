import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { wrangler } from "./snapshot.ts";

/**
 * The customer's page's budget: its JavaScript, with every chunk it imports later, gzipped file by file, stays under
 * this many bytes (60 KB); test/servers/static-files.test.ts holds every build to it.
 */
export const CUSTOMER_PAGE_BUDGET_BYTES = 60_000;

/** Bytes of some files, raw and gzipped (each file on its own, level 9, as client/web/build.ts reports them). */
export type SizeResult = { bytes: number; gzipBytes: number; files: string[]; note: string };

function gzipSize(bytes: Uint8Array): number {
  return gzipSync(bytes, { level: 9 }).length;
}

/** Local script URLs a page's HTML loads up front: module scripts and modulepreloads. */
function scriptsOf(html: string): string[] {
  const found: string[] = [];
  for (const match of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) if (match[1]) found.push(match[1]);
  for (const match of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) {
    if (match[1]) found.push(match[1]);
  }
  return found.filter((src) => src.startsWith("/") && !src.startsWith("//"));
}

/**
 * Modules a bundle imports statically (`import"./x.js"`, `from"./x.js"`) and lazily (`import("./x.js")`), relative
 * to it; the other languages' catalogues, which the build names in full (/assets/i18n/…), are left out: a page loads
 * one of them only when that language is chosen instead of English.
 */
function importsOf(js: string): { eager: string[]; lazy: string[] } {
  const eager = [...js.matchAll(/(?:\bfrom|\bimport)\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1] ?? "");
  const lazy = [...js.matchAll(/\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)].map((m) => m[1] ?? "");
  return { eager, lazy };
}

/** Files (URL paths) and their bytes, raw and gzipped, following static imports from `start`; lazy ones apart. */
function follow(distDir: string, start: string[], seen: Set<string>) {
  const pending = [...start];
  const lazy = new Set<string>();
  let [bytes, gzipBytes] = [0, 0];
  while (pending.length > 0) {
    const file = path.posix.normalize(pending.shift() ?? "");
    if (seen.has(file)) continue;
    seen.add(file);
    const content = readFileSync(path.join(distDir, file));
    bytes += content.length;
    gzipBytes += gzipSize(content);
    const imports = importsOf(content.toString("utf8"));
    for (const spec of imports.eager) pending.push(path.posix.join(path.posix.dirname(file), spec));
    for (const spec of imports.lazy) lazy.add(path.posix.join(path.posix.dirname(file), spec));
  }
  return { bytes, gzipBytes, lazy: [...lazy].filter((file) => !seen.has(file)) };
}

/**
 * The JavaScript of the customer page: the page is fetched from the running server at /j/CODE, its scripts are read
 * from the client build in `distDir` and their static imports followed (the first view's JavaScript); then the
 * chunks it imports later (after the first view: what is needed after Allow), with theirs (`total`).
 */
export async function measureCustomerPage(
  origin: string,
  distDir: string,
): Promise<SizeResult & { total: { bytes: number; gzipBytes: number } }> {
  const res = await fetch(`${origin}/j/123456789`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET /j/123456789: ${res.status}`);
  const scripts = scriptsOf(await res.text());
  if (scripts.length === 0) throw new Error("the customer page loads no script");
  const seen = new Set<string>();
  const first = follow(distDir, scripts, seen);
  const firstFiles = [...seen];
  let later = { bytes: 0, gzipBytes: 0 };
  for (let next = first.lazy; next.length > 0; ) {
    const more = follow(distDir, next, seen);
    later = { bytes: later.bytes + more.bytes, gzipBytes: later.gzipBytes + more.gzipBytes };
    next = more.lazy;
  }
  const laterFiles = [...seen].slice(firstFiles.length);
  const total = { bytes: first.bytes + later.bytes, gzipBytes: first.gzipBytes + later.gzipBytes };
  return {
    bytes: first.bytes,
    gzipBytes: first.gzipBytes,
    files: firstFiles,
    total,
    note: `the first view: ${firstFiles.join(" + ")}: ${first.bytes} B minified, gzip -9 per file; with what it imports later (${laterFiles.join(" + ") || "nothing"}): ${total.bytes} B, ${total.gzipBytes} B gzip`,
  };
}

/** Output bytes per package (or top-level folder) when esbuild bundles the Worker, and per folder inside each. */
async function contributors(dir: string): Promise<{ name: string; bytes: number; parts: Map<string, number> }[]> {
  const result = await build({
    entryPoints: [path.join(dir, "worker/index.ts")],
    absWorkingDir: dir,
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    external: ["cloudflare:*", "node:*"],
    metafile: true,
    logLevel: "silent",
  });
  const totals = new Map<string, { bytes: number; parts: Map<string, number> }>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(input);
      const name = match?.[1] ?? input.split("/")[0] ?? input;
      const part = match?.[2] ? match[2].split("/").slice(0, -1).slice(0, 2).join("/") : "";
      const entry = totals.get(name) ?? { bytes: 0, parts: new Map<string, number>() };
      entry.bytes += bytesInOutput;
      entry.parts.set(part, (entry.parts.get(part) ?? 0) + bytesInOutput);
      totals.set(name, entry);
    }
  }
  return [...totals].map(([name, entry]) => ({ name, ...entry })).sort((a, b) => b.bytes - a.bytes);
}

/** "zod 685 KiB (v4/locales 358 KiB)": a package, and its largest folder when that is most of it. */
function describeContributor({ name, bytes, parts }: { name: string; bytes: number; parts: Map<string, number> }) {
  const [part, partBytes] = [...parts].sort((a, b) => b[1] - a[1])[0] ?? ["", 0];
  const inside =
    part && partBytes > bytes / 2 && partBytes < bytes ? ` (${part} ${Math.round(partBytes / 1024)} KiB)` : "";
  return `${name} ${Math.round(bytes / 1024)} KiB${inside}`;
}

/** What `wrangler deploy` would upload: `--dry-run --outdir`, then gzip of each module (source maps left out). */
export async function measureWorkerBundle(dir: string): Promise<SizeResult> {
  const outdir = mkdtempSync(path.join(tmpdir(), "tether-bench-bundle-"));
  try {
    const printed = await wrangler(["deploy", "--dry-run", "--outdir", outdir], dir);
    const files = readdirSync(outdir).filter((f) => /\.(js|mjs|cjs|wasm)$/.test(f));
    if (files.length === 0 || !existsSync(path.join(outdir, "index.js"))) throw new Error("no bundle in --outdir");
    let [bytes, gzipBytes] = [0, 0];
    for (const file of files) {
      const content = readFileSync(path.join(outdir, file));
      bytes += content.length;
      gzipBytes += gzipSize(content);
    }
    const reported = /Total Upload: ([\d.]+ KiB) \/ gzip: ([\d.]+ KiB)/.exec(printed);
    const top = (await contributors(dir)).slice(0, 5).map(describeContributor).join(", ");
    return {
      bytes,
      gzipBytes,
      files,
      note:
        `${files.join(" + ")}: ${Math.round(bytes / 1024)} KiB unminified (wrangler's default), gzip -9` +
        (reported ? `; wrangler itself reports ${reported[1]} / gzip ${reported[2]}` : "") +
        `; largest parts before minification: ${top}`,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
