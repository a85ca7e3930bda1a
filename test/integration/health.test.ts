import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ErrorBody } from "#protocol/errors.ts";

describe("GET /health", () => {
  it("answers ok with security headers", async () => {
    const res = await SELF.fetch("http://localhost/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
  });

  it("answers unknown API paths with a JSON error", async () => {
    const res = await SELF.fetch("http://localhost/api/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });

  it("keeps the error's message within the protocol's limit for a very long unknown path", async () => {
    const res = await SELF.fetch(`http://localhost/api/nope/${"9".repeat(8_000)}`);
    expect(res.status).toBe(404);
    const body = ErrorBody.parse(await res.json());
    expect(body.error.code).toBe("NOT_FOUND");
    expect(body.error.message).toMatch(/^No such endpoint: GET \/api\/nope\/9+…$/);
  });
});

describe("unreadable bodies", () => {
  it("answers malformed JSON with 400 BAD_REQUEST, not a server error", async () => {
    const res = await SELF.fetch("http://localhost/api/auth/register/options", {
      method: "POST",
      headers: { origin: "http://localhost", "content-type": "application/json", "cf-connecting-ip": "198.51.100.77" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "BAD_REQUEST" } });
  });
});

describe("static pages", () => {
  it("serves pages with the security headers", async () => {
    const res = await SELF.fetch("http://localhost/sign-in");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
  });

  it("serves the customer page for a session link, and for a malformed one the same page as a 404", async () => {
    const page = await SELF.fetch("http://localhost/j/123456789");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<html");
    for (const path of ["/j/12345", "/j/ABC", "/j/12345678", "/j/", "/j/1234567890/x"]) {
      const damaged = await SELF.fetch(`http://localhost${path}`);
      expect(damaged.status, path).toBe(404);
      expect(damaged.headers.get("content-security-policy"), path).toContain("script-src 'self'");
      // The page that says how to get a working link, not an empty answer.
      expect(await damaged.text(), path).toMatch(/src="\/assets\/join-[A-Z0-9]+\.js"/);
    }
  });
});
