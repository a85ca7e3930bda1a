import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

// Each page may use only the browser features it needs (Permissions-Policy), and HSTS goes out over HTTPS only.

/** The features a Permissions-Policy header allows (`feature=(self)`), sorted. */
function allowed(res: Response): string[] {
  const header = res.headers.get("permissions-policy") ?? "";
  return header
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.endsWith("=(self)"))
    .map((entry) => entry.slice(0, -"=(self)".length))
    .sort();
}

describe("Permissions-Policy", () => {
  it.each([
    ["/", ["autoplay", "camera", "display-capture", "microphone"]],
    ["/j/123456789", ["autoplay", "camera", "display-capture", "microphone"]],
    ["/console", ["autoplay", "camera", "clipboard-write", "fullscreen", "microphone", "publickey-credentials-create"]],
    ["/sign-in", ["publickey-credentials-get"]],
    ["/enrol", ["publickey-credentials-create"]],
    ["/health", []],
    ["/join.js", []],
  ])("allows %s only what it uses", async (path, uses) => {
    const res = await SELF.fetch(`http://localhost${path}`);
    expect(res.status).toBe(200);
    expect(allowed(res)).toEqual(uses);
    // Everything else is named and off, payment and USB among them.
    expect(res.headers.get("permissions-policy")).toContain("payment=()");
    expect(res.headers.get("permissions-policy")).toContain("usb=()");
  });

  it("turns everything off on API answers, errors and redirects too", async () => {
    for (const path of ["/api/me", "/api/nope", "/console.html"]) {
      const res = await SELF.fetch(`http://localhost${path}`, { redirect: "manual" });
      expect(allowed(res), path).toEqual([]);
      expect(res.headers.get("permissions-policy"), path).toContain("display-capture=()");
    }
  });
});

describe("Strict-Transport-Security", () => {
  it("goes out over HTTPS and never over plain HTTP", async () => {
    const secure = await SELF.fetch("https://tether.example/health");
    expect(secure.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    const plain = await SELF.fetch("http://localhost/health");
    expect(plain.headers.get("strict-transport-security")).toBeNull();
  });
});
