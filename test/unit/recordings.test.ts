import { describe, expect, it } from "vitest";
import { parseConfig } from "../../worker/config.ts";
import { isPlaybackValid, PLAYBACK_TTL_MS, signPlayback } from "../../worker/recordings/playback-token.ts";
import { mayRecord, parseRecordingPolicy } from "../../worker/recordings/policy.ts";

// The recording policy from [vars], and playback links: signed for one recording, short-lived, checked against the
// clock passed in.

const SECRET = "unit-test-secret-0123456789abcdef0123";
const ID = "AAAAAAAAAAAAAAAAAAAAAA";
const T0 = 1_800_000_000_000;

describe("RECORDING_POLICY", () => {
  it("is off when empty, and one of off, ask, always", () => {
    expect(parseRecordingPolicy(undefined)).toEqual({ ok: true, policy: "off" });
    expect(parseRecordingPolicy("")).toEqual({ ok: true, policy: "off" });
    expect(parseRecordingPolicy(" ask ")).toEqual({ ok: true, policy: "ask" });
    expect(parseRecordingPolicy("always")).toEqual({ ok: true, policy: "always" });
    const bad = parseRecordingPolicy("sometimes");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issue).toMatch(/^RECORDING_POLICY must be "off", "ask" or "always"/);
  });

  it("names the variable in the start-up error", () => {
    const result = parseConfig({
      JWT_SECRET: SECRET,
      AUDIT_SIGNING_KEY: "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE",
      RECORDING_POLICY: "yes",
      RECORDING_PART_BYTES: "1000",
    });
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    expect(issues.some((i) => i.startsWith("RECORDING_POLICY"))).toBe(true);
    expect(issues.some((i) => i.startsWith("RECORDING_PART_BYTES must be a whole number from 5242880"))).toBe(true);
  });

  it("lets a recording run when the policy and the customer's last word allow it", () => {
    expect(mayRecord("off", true)).toBe(false);
    expect(mayRecord("ask", null)).toBe(false);
    expect(mayRecord("ask", false)).toBe(false);
    expect(mayRecord("ask", true)).toBe(true);
    expect(mayRecord("always", null)).toBe(true);
    // The customer may stop a recording even when the organisation records always.
    expect(mayRecord("always", false)).toBe(false);
  });
});

describe("playback links", () => {
  it("work for their recording until they expire", async () => {
    const expiresAt = T0 + PLAYBACK_TTL_MS;
    const sig = await signPlayback(SECRET, ID, expiresAt);
    expect(await isPlaybackValid(SECRET, ID, expiresAt, sig, T0)).toBe(true);
    expect(await isPlaybackValid(SECRET, ID, expiresAt, sig, expiresAt - 1)).toBe(true);
    expect(await isPlaybackValid(SECRET, ID, expiresAt, sig, expiresAt)).toBe(false);
  });

  it("refuse another recording, another expiry, another key, and expiries beyond the link's lifetime", async () => {
    const expiresAt = T0 + PLAYBACK_TTL_MS;
    const sig = await signPlayback(SECRET, ID, expiresAt);
    expect(await isPlaybackValid(SECRET, "BBBBBBBBBBBBBBBBBBBBBB", expiresAt, sig, T0)).toBe(false);
    expect(await isPlaybackValid(SECRET, ID, expiresAt + 1, sig, T0)).toBe(false);
    expect(await isPlaybackValid(`${SECRET}x`, ID, expiresAt, sig, T0)).toBe(false);
    expect(await isPlaybackValid(SECRET, ID, expiresAt, "not-a-signature", T0)).toBe(false);
    // A link signed far ahead (say, with a stolen clock) is refused by its lifetime alone.
    const far = T0 + 10 * PLAYBACK_TTL_MS;
    expect(await isPlaybackValid(SECRET, ID, far, await signPlayback(SECRET, ID, far), T0)).toBe(false);
  });
});
