/// <reference types="node" />
// What the last client build was made from and what it wrote, so that `npm start` can tell an up-to-date
// client/web/dist from a stale one without building again (and start the runtime at once). The build records every
// file it read (esbuild's own list of inputs, the public folder, the included markup, itself and the lockfile) and
// every file it wrote, each with its SHA-256; the build is up to date when all of them still hash the same and no
// page or public file was added or removed.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const VERSION = 1;

type Stamp = {
  version: typeof VERSION;
  /** Page entry points (client/web/src/*.ts) and public files, by name: an added or removed one means stale. */
  entries: string[];
  publicFiles: string[];
  /** Repository-relative path → SHA-256 (hex) of every file read and written. */
  read: Record<string, string>;
  wrote: Record<string, string>;
};

// Checked by hand rather than with zod: `npm start` reads this before anything else, and loading zod would cost
// it a tenth of a second.
const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === "string");
const isHashes = (value: unknown): value is Record<string, string> =>
  typeof value === "object" && value !== null && Object.values(value).every((item) => typeof item === "string");

/** The record as the build wrote it, or null for one of another version or shape. */
function parseStamp(value: unknown): Stamp | null {
  if (typeof value !== "object" || value === null) return null;
  const { version, entries, publicFiles, read, wrote } = value as Record<string, unknown>;
  if (version !== VERSION || !isStrings(entries) || !isStrings(publicFiles) || !isHashes(read) || !isHashes(wrote))
    return null;
  return { version, entries, publicFiles, read, wrote };
}

/** The repository the build ran in; `root` parameters default to this one. */
const repository = path.resolve(import.meta.dirname, "../..");
/** Beside the output folder rather than in it, where the Worker would serve it. */
const stampFile = (root: string) => path.join(root, "client/web/.build-stamp.json");

function sha256(file: string): string | null {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return null;
  }
}

/** Repository-relative path → SHA-256 (hex) of each file, "" for one that cannot be read. */
export function hashAll(root: string, files: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of [...files].sort()) {
    const rel = path.relative(root, path.resolve(root, file));
    out[rel] = sha256(path.join(root, rel)) ?? "";
  }
  return out;
}

/** The first recorded file that no longer hashes the same (or is gone), or null when none changed. */
export function firstChanged(root: string, hashes: Record<string, string>): string | null {
  for (const [rel, hash] of Object.entries(hashes)) {
    if (sha256(path.join(root, rel)) !== hash) return rel;
  }
  return null;
}

/** The page entry points (every client/web/src/*.ts), sorted. */
export function pageEntries(root = repository): string[] {
  return readdirSync(path.join(root, "client/web/src"))
    .filter((name) => name.endsWith(".ts"))
    .sort();
}

/** Every file under client/web/public, as paths relative to it, sorted. */
export function publicFiles(root = repository): string[] {
  const dir = path.join(root, "client/web/public");
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** Removed when a build starts, so that an interrupted build leaves no record. */
export function clearStamp(root = repository): void {
  rmSync(stampFile(root), { force: true });
}

/**
 * Written by the build once everything else is in place: `read` and `wrote` are the files it read (besides the
 * public folder, itself and the lockfile, which are always added) and wrote.
 */
export function writeStamp(read: Iterable<string>, wrote: Iterable<string>, root = repository): void {
  const publicDir = path.join(root, "client/web/public");
  const always = ["client/web/build.ts", "client/web/build-stamp.ts", "package-lock.json"];
  const stamp: Stamp = {
    version: VERSION,
    entries: pageEntries(root),
    publicFiles: publicFiles(root),
    read: hashAll(root, [...read, ...always, ...publicFiles(root).map((file) => path.join(publicDir, file))]),
    wrote: hashAll(root, wrote),
  };
  writeFileSync(stampFile(root), `${JSON.stringify(stamp, null, 1)}\n`);
}

/** Why client/web/dist must be built again, or null when the last build is up to date. */
export function staleReason(root = repository): string | null {
  if (!existsSync(stampFile(root))) return "no earlier build";
  let stamp: Stamp;
  try {
    const parsed = parseStamp(JSON.parse(readFileSync(stampFile(root), "utf8")));
    if (!parsed) return "the last build's record is from another version";
    stamp = parsed;
  } catch {
    return "the last build's record is unreadable";
  }
  if (JSON.stringify(stamp.entries) !== JSON.stringify(pageEntries(root))) return "a page was added or removed";
  if (JSON.stringify(stamp.publicFiles) !== JSON.stringify(publicFiles(root)))
    return "a public file was added or removed";
  const read = firstChanged(root, stamp.read);
  if (read) return `${read} changed`;
  const wrote = firstChanged(root, stamp.wrote);
  return wrote ? `${wrote} is missing or was changed` : null;
}
