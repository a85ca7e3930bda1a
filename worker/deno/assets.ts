import { extname, join, normalize, resolve, sep } from "node:path";

// The built client (client/web/dist) answered as Workers static assets answer it with the default
// html_handling "auto-trailing-slash": /console serves console.html, /console.html and /console/ redirect (307) to
// /console, / serves index.html, a missing file is an empty 404, and every file has an ETag that If-None-Match
// turns into a 304.

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
};

type File = { bytes: Uint8Array<ArrayBuffer>; etag: string; type: string };

function redirect(to: string, search: string): Response {
  return new Response(null, { status: 307, headers: { Location: `${to}${search}` } });
}

/** Static files from `root`, read from disk on each request (the folder is small and the OS caches it). */
export class Assets {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The answer Workers static assets would give to `request`. */
  async fetch(request: Request): Promise<Response> {
    if (request.method !== "GET" && request.method !== "HEAD") return new Response(null, { status: 405 });
    const url = new URL(request.url);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return new Response(null, { status: 404 });
    }
    if (path.includes("\0") || path.split("/").includes("..")) return new Response(null, { status: 404 });

    const found = await this.resolve(path);
    if (!found) return new Response(null, { status: 404 });
    if ("redirect" in found) return redirect(found.redirect, url.search);
    const { file } = found;
    const headers = {
      "Content-Type": file.type,
      "Cache-Control": "public, max-age=0, must-revalidate",
      ETag: file.etag,
    };
    if (request.headers.get("If-None-Match") === file.etag) return new Response(null, { status: 304, headers });
    return new Response(request.method === "HEAD" ? null : file.bytes, { headers });
  }

  /** The file a path serves, or where it redirects, or null. */
  private async resolve(path: string): Promise<{ file: File } | { redirect: string } | null> {
    if (path.endsWith("/index.html")) return (await this.read(path)) ? { redirect: path.slice(0, -10) } : null;
    if (path.endsWith(".html")) {
      if (!(await this.read(path))) return null;
      const bare = path.slice(0, -5);
      return { redirect: bare.endsWith("/index") ? bare.slice(0, -5) : bare };
    }
    if (path.endsWith("/")) {
      const index = await this.read(`${path}index.html`);
      if (index) return { file: index };
      if (path !== "/" && (await this.read(`${path.slice(0, -1)}.html`))) return { redirect: path.slice(0, -1) };
      return null;
    }
    if (path.endsWith("/index") && (await this.read(`${path}.html`))) return { redirect: path.slice(0, -5) };
    const exact = await this.read(path);
    if (exact) return { file: exact };
    const html = await this.read(`${path}.html`);
    if (html) return { file: html };
    if (await this.read(`${path}/index.html`)) return { redirect: `${path}/` };
    return null;
  }

  private async read(path: string): Promise<File | null> {
    const full = normalize(join(this.root, path));
    if (!full.startsWith(this.root + sep)) return null;
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      const stat = await Deno.stat(full);
      if (!stat.isFile) return null;
      bytes = await Deno.readFile(full);
    } catch {
      return null;
    }
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const hex = [...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
    return { bytes, etag: `"${hex}"`, type: TYPES[extname(full).toLowerCase()] ?? "application/octet-stream" };
  }
}
