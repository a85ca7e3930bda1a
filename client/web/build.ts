/// <reference types="node" />
// Bundles the browser pages: every client/web/src/*.ts is one page's entry point, and
// client/web/public/ holds their HTML and the one stylesheet. Markup that two pages share lives
// once under src/ and is inlined where a page says <!-- include customer/screens.html -->.
// Output goes to client/web/dist/, which the Worker serves. Run with `node client/web/build.ts`
// (Node 22 strips the types).
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { clearStamp, pageEntries, writeStamp } from "./build-stamp.ts";

const here = import.meta.dirname;
const src = path.join(here, "src");
const outdir = path.join(here, "dist");

const catalogues = path.join(src, "i18n", "catalogues");
// Every page bundles English; each other language's catalogue is its own module, /i18n/TAG.js, which a page loads
// only when that language is chosen (client/web/src/i18n/page.ts).
const entryPoints = [
  ...pageEntries().map((name) => ({ in: path.join(src, name), out: path.basename(name, ".ts") })),
  ...readdirSync(catalogues)
    .filter((file) => file.endsWith(".ts") && file !== "en.ts")
    .map((file) => ({ in: path.join(catalogues, file), out: `i18n/${path.basename(file, ".ts")}` })),
];
/** Markup files inlined into pages, read below: part of what the build is made from. */
const parts = new Set<string>();

// Start from an empty folder so a removed page cannot linger in dist.
clearStamp();
rmSync(outdir, { recursive: true, force: true });

const result = await build({
  entryPoints,
  outdir,
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  platform: "browser",
  // Plain names (no hashes, no source maps, no timestamps): the same sources give the same bytes.
  legalComments: "none",
  charset: "utf8",
  metafile: true,
  logLevel: "warning",
});

cpSync(path.join(here, "public"), outdir, { recursive: true });

// At build time rather than drawn by a script: the pages stay static, with no bytes added to
// their bundles and nothing inline for the CSP (`script-src 'self'`) to refuse.
const include = /^<!-- include ([\w/-]+\.html) -->\n/gm;
for (const name of readdirSync(outdir).filter((file) => file.endsWith(".html"))) {
  const file = path.join(outdir, name);
  const html = readFileSync(file, "utf8");
  const expanded = html.replace(include, (_, part: string) => readPart(name, part));
  if (expanded !== html) writeFileSync(file, expanded);
}

function readPart(page: string, part: string): string {
  parts.add(path.join(src, part));
  try {
    return readFileSync(path.join(src, part), "utf8");
  } catch (cause) {
    throw new Error(`${page} includes client/web/src/${part}, which cannot be read`, { cause });
  }
}

const rows = Object.keys(result.metafile.outputs)
  .filter((file) => file.endsWith(".js"))
  .sort()
  .map((file) => {
    const bytes = readFileSync(file);
    return { file: path.relative(outdir, file), bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
const width = Math.max(...rows.map((r) => r.file.length));
for (const { file, bytes, gzip } of rows) {
  console.log(`${file.padEnd(width)}  ${String(bytes).padStart(7)} B  ${String(gzip).padStart(6)} B gzip`);
}

// Last: a build interrupted before this line leaves no record, and `npm start` builds again.
const wrote = readdirSync(outdir, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => path.join(entry.parentPath, entry.name));
writeStamp([...Object.keys(result.metafile.inputs).map((input) => path.resolve(input)), ...parts], wrote);
