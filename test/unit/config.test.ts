import { describe, expect, it } from "vitest";
import { INT_VARS, parseConfig } from "../../worker/config.ts";

const secret = { JWT_SECRET: "x".repeat(32) };

describe("parseConfig", () => {
  it("fills every limit with its documented default", () => {
    const result = parseConfig(secret);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    for (const [name, spec] of Object.entries(INT_VARS)) {
      expect(result.config[name as keyof typeof INT_VARS]).toBe(spec.fallback);
    }
    expect(result.config.ALLOWED_ORIGINS).toEqual([]);
  });

  it("accepts strings and numbers within range", () => {
    const result = parseConfig({ ...secret, SESSION_LIFETIME_S: "7200", REJOIN_GRACE_S: 30 });
    expect(result.ok && result.config.SESSION_LIFETIME_S).toBe(7200);
    expect(result.ok && result.config.REJOIN_GRACE_S).toBe(30);
  });

  it.each([
    ["SESSION_LIFETIME_S", "abc"],
    ["SESSION_LIFETIME_S", "59"],
    ["RATE_JOIN_PER_MIN", "0"],
    ["WS_MAX_MESSAGE_BYTES", "1.5"],
    ["AUTH_TTL_S", "99999999999"],
  ])("names %s when it is %s, with the allowed range", (name, value) => {
    const result = parseConfig({ ...secret, [name]: value });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const spec = INT_VARS[name as keyof typeof INT_VARS];
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toContain(name);
    expect(result.issues[0]).toContain(`from ${spec.min} to ${spec.max}`);
  });

  it("requires a long JWT_SECRET", () => {
    const result = parseConfig({ JWT_SECRET: "short" });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues[0]).toMatch(/^JWT_SECRET must be/);
  });

  it("rejects origins with paths or other schemes", () => {
    const result = parseConfig({
      ...secret,
      ALLOWED_ORIGINS: "https://ok.example, https://bad.example/path, ftp://x.example",
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toHaveLength(2);
    const good = parseConfig({ ...secret, ALLOWED_ORIGINS: "https://a.example, http://localhost:8787" });
    expect(good.ok && good.config.ALLOWED_ORIGINS).toEqual(["https://a.example", "http://localhost:8787"]);
  });

  it("checks limits against each other", () => {
    const result = parseConfig({ ...secret, SESSION_LIFETIME_S: "600", SESSION_IDLE_TIMEOUT_S: "900" });
    expect(!result.ok && result.issues[0]).toMatch(/^SESSION_IDLE_TIMEOUT_S must not exceed SESSION_LIFETIME_S/);
  });

  it("reports every bad variable at once", () => {
    const result = parseConfig({ SESSION_LIFETIME_S: "x", WS_MESSAGES_PER_S: "-1" });
    expect(!result.ok && result.issues.length).toBe(3);
  });
});
