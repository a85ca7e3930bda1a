/// <reference types="node" />
// Bundles the browser pages: every client/web/src/*.ts is one page's entry point, and
// client/web/public/ holds their HTML and the one stylesheet. Markup that two pages share lives
// once under src/ and is inlined where a page says <!-- include customer/screens.html -->.
// Output goes to client/web/dist/, which the Worker serves. Run with `node client/web/build.ts`
// (Node 22 strips the types).
//
// Every file but the pages and the agent's download is named by its content, under /assets/ (worker/static-cache.ts
// caches those for a year): the scripts (esbuild's [hash]), their shared and lazily imported chunks, and the public
// files (styles.css, the icon), whose references in the HTML are rewritten to the new names. Each page's HTML also
// names the chunks its script imports at once (<link rel="modulepreload">), so that the browser fetches them with the
// script instead of after it.
//
// The native agent (client/agent) is built here too, as one file that a customer downloads and runs with Node:
// downloads/tether-agent.mjs, under a fixed name because the instructions name it.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { type BuildOptions, build, type Metafile } from "esbuild";
import { minify } from "terser";
import { clearStamp, pageEntries, publicFiles, writeStamp } from "./build-stamp.ts";

const here = import.meta.dirname;
const src = path.join(here, "src");
const outdir = path.join(here, "dist");
const urlOf = (file: string) => `/${path.relative(outdir, file).split(path.sep).join("/")}`;

const catalogues = path.join(src, "i18n", "catalogues");
/** Markup files inlined into pages, read below: part of what the build is made from. */
const parts = new Set<string>();

// Start from an empty folder so a removed page cannot linger in dist.
clearStamp();
rmSync(outdir, { recursive: true, force: true });

// No source maps, no timestamps (and content hashes for the pages' files): the same sources give the same names and
// bytes.
const common = {
  bundle: true,
  minify: true,
  format: "esm",
  legalComments: "none",
  charset: "utf8",
  metafile: true,
  logLevel: "warning",
} satisfies BuildOptions;
const options = { ...common, outdir, target: "es2022", platform: "browser" } satisfies BuildOptions;

// The agent needs only Node 22 on the customer's machine, no npm install: every dependency is in the file. Some of
// them (werift's, x11) are CommonJS and call `require`, which an ES module lacks; the banner makes one, importing
// under a name that no bundled code uses.
const agentFile = path.join(outdir, "downloads", "tether-agent.mjs");
const agentOptions = {
  ...common,
  entryPoints: [path.join(here, "../agent/main.ts")],
  outfile: agentFile,
  platform: "node",
  target: "node22",
  banner: {
    js:
      "import { createRequire as tetherAgentCreateRequire } from 'node:module'; " +
      "const require = tetherAgentCreateRequire(import.meta.url);",
  },
} satisfies BuildOptions;

// Every page bundles English; each other language's catalogue is a module of its own, which a page loads only when
// that language is chosen (client/web/src/i18n/page.ts) from the URL this build gives it.
const languages = await build({
  ...options,
  entryPoints: readdirSync(catalogues)
    .filter((file) => file.endsWith(".ts") && file !== "en.ts")
    .map((file) => path.join(catalogues, file)),
  entryNames: "assets/i18n/[name]-[hash]",
});
const catalogueUrls = Object.fromEntries(
  Object.entries(languages.metafile.outputs).map(([file, output]) => [
    path.basename(output.entryPoint ?? file, ".ts"),
    urlOf(file),
  ]),
);

// Each page on its own, so that its bundle holds only what it uses: one build of all pages would keep each shared
// module whole for the union of them (the technicians' English text and schemas in the customer's page). Splitting
// makes a chunk of what a page imports only later (the customer's panels after Allow). The agent is built meanwhile.
const [agent, ...pages] = await Promise.all([
  build(agentOptions),
  ...pageEntries().map((name) =>
    build({
      ...options,
      entryPoints: [path.join(src, name)],
      splitting: true,
      entryNames: "assets/[name]-[hash]",
      chunkNames: `assets/${path.basename(name, ".ts")}/[name]-[hash]`,
      define: { CATALOGUE_URLS: JSON.stringify(JSON.stringify(catalogueUrls)) },
    }),
  ),
]);
// The pages a customer loads (a session link, and the home page's Get help) are held to a budget of JavaScript
// (docs/performance.md): terser takes a second, closer pass over esbuild's output there (about 3 % less gzipped).
// It is deterministic, so a file's content name still stands for its content.
const CUSTOMER_PAGES = new Set(["join.ts", "home.ts"]);
await Promise.all(
  pageEntries().flatMap((name, index) =>
    CUSTOMER_PAGES.has(name)
      ? Object.keys(pages[index]?.metafile.outputs ?? {})
          .filter((file) => file.endsWith(".js"))
          .map(compact)
      : [],
  ),
);

async function compact(file: string): Promise<void> {
  const result = await minify(readFileSync(file, "utf8"), {
    module: true,
    ecma: 2020,
    compress: { passes: 3 },
    mangle: true,
    format: { comments: false },
  });
  if (result.code === undefined) throw new Error(`terser gave nothing back for ${file}`);
  writeFileSync(file, result.code);
}

// The agent's among them: its sources make the build stale when they change, and its size is in the table below.
const outputs: Metafile["outputs"] = Object.assign(
  {},
  languages.metafile.outputs,
  agent.metafile.outputs,
  ...pages.map((page) => page.metafile.outputs),
);
const inputs: Metafile["inputs"] = Object.assign(
  {},
  languages.metafile.inputs,
  agent.metafile.inputs,
  ...pages.map((page) => page.metafile.inputs),
);

/** What a page's HTML names ("/join.js", "/styles.css") → the content-named file it is now ("/assets/…"). */
const renamed = new Map<string, string>();
/** A content-named script → the chunks it imports at once, to preload with it. */
const preloads = new Map<string, string[]>();
// A page that offers the agent links to its download, which keeps its name.
renamed.set(urlOf(agentFile), urlOf(agentFile));
for (const [file, output] of Object.entries(outputs)) {
  if (output.entryPoint && pageEntries().includes(path.relative(src, output.entryPoint))) {
    renamed.set(`/${path.basename(output.entryPoint, ".ts")}.js`, urlOf(file));
    preloads.set(urlOf(file), staticChunks(outputs, file).map(urlOf));
  }
}

const publicDir = path.join(here, "public");
const htmlPages: string[] = [];
for (const name of publicFiles()) {
  if (name.endsWith(".html")) {
    htmlPages.push(name);
    continue;
  }
  const bytes = readFileSync(path.join(publicDir, name));
  const ext = path.extname(name);
  const to = path.join(outdir, "assets", `${name.slice(0, -ext.length)}-${contentHash(bytes)}${ext}`);
  mkdirSync(path.dirname(to), { recursive: true });
  writeFileSync(to, bytes);
  renamed.set(`/${name.split(path.sep).join("/")}`, urlOf(to));
}

// At build time rather than drawn by a script: the pages stay static, with no bytes added to
// their bundles and nothing inline for the CSP (`script-src 'self'`) to refuse.
const include = /^<!-- include ([\w/-]+\.html) -->\n/gm;
for (const name of htmlPages) {
  const html = readFileSync(path.join(publicDir, name), "utf8").replace(include, (_, part: string) =>
    readPart(name, part),
  );
  const file = path.join(outdir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, withContentNames(name, html));
}

/** The page with every local file it names under its content name, and its script's chunks preloaded. */
function withContentNames(page: string, html: string): string {
  return html
    .replace(/(\b(?:src|href)=")(\/[^"/][^"]*\.[a-z0-9]+)"/g, (_, attribute: string, url: string) => {
      const to = renamed.get(url);
      if (!to)
        throw new Error(`${page} names ${url}, which is neither a page's script nor a file of client/web/public`);
      return `${attribute}${to}"`;
    })
    .replace(/<script\b[^>]*\bsrc="([^"]+)"[^>]*><\/script>/g, (script, url: string) =>
      [script, ...(preloads.get(url) ?? []).map((chunk) => `<link rel="modulepreload" href="${chunk}">`)].join("\n"),
    );
}

/** The chunks an output imports at once, and theirs, in the order a browser meets them. */
function staticChunks(outputs: Metafile["outputs"], file: string, seen = new Set<string>()): string[] {
  for (const imported of outputs[file]?.imports ?? []) {
    if (imported.kind !== "import-statement" || seen.has(imported.path)) continue;
    seen.add(imported.path);
    staticChunks(outputs, imported.path, seen);
  }
  return [...seen];
}

/** Eight characters of the content's SHA-256, in the alphabet of esbuild's [hash] (base32, A–Z and 2–7). */
function contentHash(bytes: Uint8Array): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const digest = createHash("sha256").update(bytes).digest();
  let bits = 0n;
  for (const byte of digest.subarray(0, 5)) bits = (bits << 8n) | BigInt(byte);
  return Array.from({ length: 8 }, (_, i) => alphabet[Number((bits >> BigInt(35 - 5 * i)) & 31n)]).join("");
}

function readPart(page: string, part: string): string {
  parts.add(path.join(src, part));
  try {
    return readFileSync(path.join(src, part), "utf8");
  } catch (cause) {
    throw new Error(`${page} includes client/web/src/${part}, which cannot be read`, { cause });
  }
}

const rows = Object.keys(outputs)
  .filter((file) => file.endsWith(".js") || file.endsWith(".mjs"))
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
writeStamp([...Object.keys(inputs).map((input) => path.resolve(input)), ...parts], wrote);
