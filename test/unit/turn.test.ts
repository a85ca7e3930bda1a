import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../worker/config.ts";
import { parseTurnConfig } from "../../worker/turn/config.ts";
import { coturnCredentials } from "../../worker/turn/coturn.ts";

describe("parseTurnConfig", () => {
  it("defaults to no relay, every candidate allowed", () => {
    const result = parseTurnConfig({});
    expect(result).toEqual({ ok: true, turn: { provider: "none", icePolicy: "all", ttlS: 3600 } });
  });

  it("reads a coturn relay", () => {
    const result = parseTurnConfig({
      TURN_PROVIDER: "coturn",
      TURN_URLS: "turn:127.0.0.1:3478?transport=udp, turns:turn.example.com:443?transport=tcp",
      TURN_SECRET: "s".repeat(16),
      ICE_POLICY: "relay",
    });
    expect(result.ok && result.turn).toMatchObject({
      provider: "coturn",
      icePolicy: "relay",
      urls: ["turn:127.0.0.1:3478?transport=udp", "turns:turn.example.com:443?transport=tcp"],
    });
  });

  it("reads Cloudflare's TURN service with its default API address", () => {
    const result = parseTurnConfig({
      TURN_PROVIDER: "cloudflare",
      TURN_KEY_ID: "key_0123456789",
      TURN_API_TOKEN: "t".repeat(32),
    });
    expect(result.ok && result.turn).toMatchObject({
      provider: "cloudflare",
      apiUrl: "https://rtc.live.cloudflare.com/v1",
    });
  });

  it.each([
    [{ TURN_PROVIDER: "twilio" }, /^TURN_PROVIDER must be/],
    [{ ICE_POLICY: "private" }, /^ICE_POLICY must be "all" or "relay"/],
    [{ ICE_POLICY: "relay" }, /needs a relay: set TURN_PROVIDER/],
    [{ TURN_TTL_S: "10" }, /^TURN_TTL_S must be a whole number from 60 to 86400/],
    [{ TURN_PROVIDER: "coturn", TURN_SECRET: "s".repeat(16) }, /^TURN_URLS must be/],
    [{ TURN_PROVIDER: "coturn", TURN_URLS: "http://x", TURN_SECRET: "s".repeat(16) }, /not valid: "http:\/\/x"/],
    [{ TURN_PROVIDER: "coturn", TURN_URLS: "turn:a.example:3478" }, /^TURN_SECRET must be/],
    [{ TURN_PROVIDER: "cloudflare", TURN_API_TOKEN: "t".repeat(32) }, /^TURN_KEY_ID must be/],
    [{ TURN_PROVIDER: "cloudflare", TURN_KEY_ID: "key_0123456789" }, /^TURN_API_TOKEN must be/],
  ])("names the bad variable in %j", (vars, message) => {
    const result = parseTurnConfig(vars);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.some((i) => message.test(i))).toBe(true);
  });

  it("stops the whole configuration when TURN settings are bad", () => {
    const result = parseConfig({ JWT_SECRET: "x".repeat(32), TURN_PROVIDER: "coturn" });
    expect(result.ok).toBe(false);
  });
});

describe("coturnCredentials", () => {
  it("follows the TURN REST API: expiry:tag signed with HMAC-SHA1 of the shared secret", async () => {
    const server = await coturnCredentials("north-wind-secret", ["turn:127.0.0.1:3478"], 1_900_000_000, "abc123");
    expect(server.username).toBe("1900000000:abc123");
    const expected = createHmac("sha1", "north-wind-secret").update("1900000000:abc123").digest("base64");
    expect(server.credential).toBe(expected);
    expect(server.urls).toEqual(["turn:127.0.0.1:3478"]);
  });
});
