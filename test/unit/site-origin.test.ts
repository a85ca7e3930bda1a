import { describe, expect, it } from "vitest";
import { type Config, parseConfig } from "../../worker/config.ts";
import { isAllowedOrigin, ownOrigin } from "../../worker/site-origin.ts";

function config(vars: Record<string, string> = {}): Config {
  const result = parseConfig({ JWT_SECRET: "x".repeat(32), AUDIT_SIGNING_KEY: "A".repeat(43), ...vars });
  if (!result.ok) throw new Error(result.issues.join("; "));
  return result.config;
}

describe("ownOrigin", () => {
  it("counts loopback origins as the site's own, on any port", () => {
    expect(ownOrigin("http://localhost:8787/api/x", config())).toBe("http://localhost:8787");
    expect(ownOrigin("http://127.0.0.1:8000/api/x", config())).toBe("http://127.0.0.1:8000");
    expect(ownOrigin("http://[::1]:8000/api/x", config())).toBe("http://[::1]:8000");
  });

  it("counts another name only when an admin listed it, whatever the Host header said", () => {
    expect(ownOrigin("http://evil.example:8787/api/x", config())).toBeNull();
    const listed = config({ ALLOWED_ORIGINS: "https://support.example.com" });
    expect(ownOrigin("https://support.example.com/api/x", listed)).toBe("https://support.example.com");
    expect(ownOrigin("https://evil.example/api/x", listed)).toBeNull();
  });
});

describe("isAllowedOrigin", () => {
  it("refuses a DNS-rebinding page, whose Host and Origin both name the attacker", () => {
    expect(isAllowedOrigin("http://evil.example:8787", "http://evil.example:8787/api/help", config())).toBe(false);
  });

  it("allows the site's own origin and listed ones, and no other loopback port", () => {
    const c = config({ ALLOWED_ORIGINS: "https://console.example" });
    expect(isAllowedOrigin("http://localhost:8787", "http://localhost:8787/api/help", c)).toBe(true);
    expect(isAllowedOrigin("https://console.example", "http://localhost:8787/api/help", c)).toBe(true);
    expect(isAllowedOrigin("http://localhost:3000", "http://localhost:8787/api/help", c)).toBe(false);
  });
});
