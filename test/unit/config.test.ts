import { describe, expect, it } from "vitest";
import { INT_VARS, parseConfig } from "../../worker/config.ts";

const secret = { JWT_SECRET: "x".repeat(32), AUDIT_SIGNING_KEY: "A".repeat(43) };

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
    ["MACHINE_HEARTBEAT_S", "31"],
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

  it("reads TRUSTED_PROXIES as addresses written one way, and names a bad one", () => {
    const good = parseConfig({ ...secret, TRUSTED_PROXIES: "127.0.0.1, ::1, ::ffff:10.0.0.2" });
    expect(good.ok && good.config.TRUSTED_PROXIES).toEqual(["127.0.0.1", "0:0:0:0:0:0:0:1", "10.0.0.2"]);
    expect(parseConfig(secret).ok && parseConfig(secret)).toMatchObject({ config: { TRUSTED_PROXIES: [] } });
    const bad = parseConfig({ ...secret, TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8" });
    expect(!bad.ok && bad.issues).toEqual([expect.stringMatching(/^TRUSTED_PROXIES must be .*10\.0\.0\.0\/8/)]);
  });

  it("checks limits against each other", () => {
    const result = parseConfig({ ...secret, SESSION_LIFETIME_S: "600", SESSION_IDLE_TIMEOUT_S: "900" });
    expect(!result.ok && result.issues[0]).toMatch(/^SESSION_IDLE_TIMEOUT_S must not exceed SESSION_LIFETIME_S/);
    const shorter = parseConfig({ ...secret, SESSION_LIFETIME_S: "7200", SESSION_MAX_LIFETIME_S: "3600" });
    expect(!shorter.ok && shorter.issues).toEqual([
      "SESSION_MAX_LIFETIME_S must be at least SESSION_LIFETIME_S (7200); got 3600",
    ]);
    const equal = parseConfig({ ...secret, SESSION_LIFETIME_S: "3600", SESSION_MAX_LIFETIME_S: "3600" });
    expect(equal.ok && equal.config.SESSION_MAX_LIFETIME_S).toBe(3600);
  });

  it("accepts handshake waits that make 24 failures take at least 17 hours", () => {
    const result = parseConfig({ ...secret, HANDSHAKE_BACKOFF_BASE_S: "1", HANDSHAKE_BACKOFF_CAP_S: "2700" });
    // 1 + 2 + … + 2048 s, then 11 waits of 2700 s: 4095 + 29700 = 33,795 s is under 17 h, so this is refused...
    expect(result.ok).toBe(false);
    // ...while with a cap of 5,301 s they take 1 + 2 + … + 4096 + 10 · 5301 = 61,201 s, just over 17 h (61,200 s).
    const enough = parseConfig({ ...secret, HANDSHAKE_BACKOFF_BASE_S: "1", HANDSHAKE_BACKOFF_CAP_S: "5301" });
    expect(enough.ok && [enough.config.HANDSHAKE_BACKOFF_BASE_S, enough.config.HANDSHAKE_BACKOFF_CAP_S]).toEqual([
      1, 5_301,
    ]);
  });

  it("names both handshake variables, and the floor, when the pair is too gentle", () => {
    // 61,191 s: nine seconds short, which reads as 16.9 hours, never as 17.
    const result = parseConfig({ ...secret, HANDSHAKE_BACKOFF_BASE_S: "1", HANDSHAKE_BACKOFF_CAP_S: "5300" });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toEqual([
      "HANDSHAKE_BACKOFF_BASE_S and HANDSHAKE_BACKOFF_CAP_S must make 24 failed handshakes take at least 17 hours (TeamViewer's published floor); base 1 s and cap 5300 s make them take 16.9 hours",
    ]);
  });

  it("refuses a handshake cap below the base", () => {
    const result = parseConfig({ ...secret, HANDSHAKE_BACKOFF_BASE_S: "3600", HANDSHAKE_BACKOFF_CAP_S: "600" });
    expect(!result.ok && result.issues).toEqual([
      "HANDSHAKE_BACKOFF_CAP_S must be at least HANDSHAKE_BACKOFF_BASE_S (3600); got 600",
    ]);
  });

  it("requires a 32-byte AUDIT_SIGNING_KEY and a key name without spaces as AUDIT_LOG_NAME", () => {
    const base = { JWT_SECRET: "x".repeat(32) };
    const short = parseConfig({ ...base, AUDIT_SIGNING_KEY: "A".repeat(42) });
    expect(!short.ok && short.issues[0]).toMatch(/^AUDIT_SIGNING_KEY must be/);
    const spaced = parseConfig({ ...secret, AUDIT_LOG_NAME: "my log" });
    expect(!spaced.ok && spaced.issues[0]).toMatch(/^AUDIT_LOG_NAME must be/);
    const ip = parseConfig({ ...secret, AUDIT_IP_ADDRESSES: "yes" });
    expect(!ip.ok && ip.issues[0]).toMatch(/^AUDIT_IP_ADDRESSES must be/);
  });

  it("names the audit log after the organisation unless AUDIT_LOG_NAME says otherwise", () => {
    const derived = parseConfig({ ...secret, ORGANISATION: "Acme IT Ltd." });
    expect(derived.ok && derived.config.AUDIT_SIGNER.name).toBe("tether/audit/acme-it-ltd");
    const named = parseConfig({ ...secret, AUDIT_LOG_NAME: "support.example.com/audit" });
    expect(named.ok && named.config.AUDIT_SIGNER.name).toBe("support.example.com/audit");
    expect(named.ok && named.config.AUDIT_IP_ADDRESSES).toBe(false);
  });

  it("keeps unattended access off unless UNATTENDED_ACCESS is on, and names the variable for anything else", () => {
    const plain = parseConfig(secret);
    expect(plain.ok && plain.config.UNATTENDED_ACCESS).toBe(false);
    const on = parseConfig({ ...secret, UNATTENDED_ACCESS: "on" });
    expect(on.ok && on.config.UNATTENDED_ACCESS).toBe(true);
    const wrong = parseConfig({ ...secret, UNATTENDED_ACCESS: "true" });
    expect(!wrong.ok && wrong.issues[0]).toMatch(/^UNATTENDED_ACCESS must be "on" or "off"/);
  });

  it("reports every bad variable at once", () => {
    const result = parseConfig({ SESSION_LIFETIME_S: "x", WS_MESSAGES_PER_S: "-1" });
    // The two variables, JWT_SECRET and AUDIT_SIGNING_KEY.
    expect(!result.ok && result.issues.length).toBe(4);
  });
});
