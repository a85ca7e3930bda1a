import path from "node:path";
import { describe, expect, it } from "vitest";
import { CUSTOMER_PAGE_BUDGET_BYTES, measureCustomerPage } from "../../bench/sizes.ts";
import { IMMUTABLE } from "../../worker/static-cache.ts";
import { SERVER_NAMES } from "../helpers/node/servers.ts";
import { useServer } from "../helpers/node/use-server.ts";
import { allowedFeatures } from "../helpers/page-policies.ts";

// The built client on both hosts: pages are asked for again on every visit (no-cache, a 304 through their ETag), and
// every file a page names (its script, the chunks it preloads or imports later, the stylesheet, the icon) is named
// by its content under /assets/ and kept a year; and the customer's page, everything it may load counted, stays within
// its budget.

const PAGES = ["/", "/j/123456789", "/console", "/sign-in", "/enrol", "/agent"];

/**
 * The local files a page's HTML names, but the agent's download: a file a person runs by its name, which keeps it
 * (agent-download.test.ts).
 */
function namedFiles(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="(\/[^"]+\.[a-z0-9]+)"/g)]
    .map((match) => match[1] ?? "")
    .filter((file) => file !== "/downloads/tether-agent.mjs");
}

/** The modules a script imports, at once and later: relative to `url`, or named in full (the languages). */
function importsOf(url: string, js: string): string[] {
  const relative = [...js.matchAll(/(?:\bfrom|\bimport\(?)\s*"(\.{1,2}\/[^"]+\.js)"/g)].map((m) => m[1] ?? "");
  const absolute = [...js.matchAll(/"(\/assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? "");
  return [...relative.map((specifier) => new URL(specifier, `http://x${url}`).pathname), ...absolute];
}

describe.each(SERVER_NAMES)("%s", (name) => {
  const server = useServer(name);

  it("serves the customer's page with under 60 KB of JavaScript, gzipped, with all it imports after its first view", async () => {
    const page = await measureCustomerPage(server().origin, path.resolve("client/web/dist"));
    expect(page.files.length).toBeGreaterThan(0);
    expect(page.total.gzipBytes).toBeGreaterThan(page.gzipBytes);
    expect(page.total.gzipBytes).toBeLessThan(CUSTOMER_PAGE_BUDGET_BYTES);
  });

  it("has the browser revalidate every page, with an ETag that makes an unchanged one a 304", async () => {
    for (const path of PAGES) {
      const page = await fetch(`${server().origin}${path}`);
      await page.arrayBuffer();
      expect(page.status, path).toBe(200);
      expect(page.headers.get("cache-control"), path).toBe("no-cache");
      const etag = page.headers.get("etag");
      expect(etag, path).toBeTruthy();
      const again = await fetch(`${server().origin}${path}`, { headers: { "If-None-Match": etag ?? "" } });
      expect(again.status, path).toBe(304);
      expect(again.headers.get("cache-control"), path).toBe("no-cache");
    }
  });

  it("names every file a page loads by its content and keeps it a year", async () => {
    const seen = new Set<string>();
    const pending: string[] = [];
    for (const path of PAGES) {
      const files = namedFiles(await (await fetch(`${server().origin}${path}`)).text());
      expect(files.filter((file) => file.endsWith(".js")).length, path).toBeGreaterThan(0);
      expect(files.filter((file) => file.endsWith(".css")).length, path).toBe(1);
      pending.push(...files);
    }
    // Followed through the scripts, so that the chunks loaded only later (after Allow, another language) count too.
    while (pending.length > 0) {
      const file = pending.pop() ?? "";
      if (seen.has(file)) continue;
      seen.add(file);
      expect(file).toMatch(/^\/assets\/(?:[\w-]+\/)*[\w-]+-[A-Z2-7]{8}\.(?:js|css|svg)$/);
      const res = await fetch(`${server().origin}${file}`);
      const body = await res.text();
      expect(res.status, file).toBe(200);
      expect(res.headers.get("cache-control"), file).toBe(IMMUTABLE);
      expect(allowedFeatures(res.headers), file).toEqual([]);
      if (file.endsWith(".js")) {
        expect(res.headers.get("content-type"), file).toContain("javascript");
        pending.push(...importsOf(file, body));
      }
    }
    // What the customer's page loads after its first view (the panels and the connection), and the other languages,
    // are chunks of their own.
    expect([...seen].filter((file) => /^\/assets\/join\/later-/.test(file))).toHaveLength(1);
    expect([...seen].filter((file) => /^\/assets\/i18n\/de-/.test(file))).toHaveLength(1);
  });

  it("keeps no missing file, even one under /assets/", async () => {
    const missing = await fetch(`${server().origin}/assets/join-AAAAAAAA.js`);
    await missing.arrayBuffer();
    expect(missing.status).toBe(404);
    expect(missing.headers.get("cache-control")).not.toBe(IMMUTABLE);
  });
});
