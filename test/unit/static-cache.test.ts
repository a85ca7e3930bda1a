import { describe, expect, it } from "vitest";
import { cacheControlFor, IMMUTABLE, REVALIDATE, withCacheControl } from "../../worker/static-cache.ts";

describe("static file caching", () => {
  it("keeps a year what the build named by its content, under /assets/", () => {
    for (const path of [
      "/assets/join-WFWZIXIT.js",
      "/assets/join/session-panels-AHVAQ6PT.js",
      "/assets/join/chunk-6TM7UE22.js",
      "/assets/i18n/de-KJDW2PM7.js",
      "/assets/styles-64N2V24Z.css",
      "/assets/favicon-VESSRQAK.svg",
    ]) {
      expect(cacheControlFor(path), path).toBe(IMMUTABLE);
    }
    expect(IMMUTABLE).toBe("public, max-age=31536000, immutable");
  });

  it("has the browser ask again for pages and for anything not named by its content", () => {
    for (const path of [
      "/",
      "/join",
      "/console",
      "/sign-in",
      "/join.js",
      "/assets/join.js",
      "/assets/join-wfwzixit.js",
      "/assets/join-WFWZIXI.js",
      "/assets/join-WFWZIXI1.js",
      "/assets/../join-WFWZIXIT.js",
      "/styles-64N2V24Z.css",
    ]) {
      expect(cacheControlFor(path), path).toBe(REVALIDATE);
    }
    expect(REVALIDATE).toBe("no-cache");
  });

  it("sets it on files and 304s only, leaving errors and redirects as they were", () => {
    const path = "/assets/join-WFWZIXIT.js";
    expect(withCacheControl(path, new Response("x")).headers.get("cache-control")).toBe(IMMUTABLE);
    expect(withCacheControl(path, new Response(null, { status: 304 })).headers.get("cache-control")).toBe(IMMUTABLE);
    expect(withCacheControl(path, new Response(null, { status: 404 })).headers.get("cache-control")).toBeNull();
    const moved = new Response(null, { status: 307, headers: { Location: "/console", "Cache-Control": "max-age=0" } });
    expect(withCacheControl("/console.html", moved).headers.get("cache-control")).toBe("max-age=0");
  });
});
