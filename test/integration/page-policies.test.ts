import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

// HSTS goes out over HTTPS only. Only here can a request arrive over HTTPS (neither test server terminates TLS); what
// each page may use (Permissions-Policy) and the plain-HTTP half are checked on both hosts in
// test/servers/page-policies.test.ts.

describe("Strict-Transport-Security", () => {
  it("goes out over HTTPS and never over plain HTTP", async () => {
    const secure = await SELF.fetch("https://tether.example/health");
    expect(secure.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    const plain = await SELF.fetch("http://localhost/health");
    expect(plain.headers.get("strict-transport-security")).toBeNull();
  });
});
