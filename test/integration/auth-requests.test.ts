import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PASSKEY_FIELD_CHARS } from "#protocol/auth.ts";
import { ErrorBody } from "#protocol/errors.ts";
import { Browser, enrolledBrowser, insertInvite } from "../helpers/workers/passkey-api.ts";
import { emptyBucket, storedBucket } from "../helpers/workers/rate-buckets.ts";

function expectError(answer: { status: number; body: unknown }, status: number, code: string): void {
  expect(answer.status).toBe(status);
  const parsed = ErrorBody.safeParse(answer.body);
  expect(parsed.success, JSON.stringify(answer.body)).toBe(true);
  expect(parsed.data?.error.code).toBe(code);
  expect(parsed.data?.error.message.length).toBeGreaterThan(0);
}

describe("Origin check on state-changing requests", () => {
  it("refuses POST and DELETE without an Origin header, or from another site", async () => {
    const browser = await enrolledBrowser({ isAdmin: true });
    const invite = await insertInvite();
    for (const origin of [null, "https://evil.example"]) {
      expectError(
        await browser.call("/api/auth/register/options", { body: { invite, displayName: "A" }, origin }),
        403,
        "ORIGIN_NOT_ALLOWED",
      );
      expectError(await browser.call("/api/auth/login/options", { method: "POST", origin }), 403, "ORIGIN_NOT_ALLOWED");
      expectError(await browser.call("/api/auth/logout", { method: "POST", origin }), 403, "ORIGIN_NOT_ALLOWED");
      expectError(await browser.call("/api/invites", { body: {}, origin }), 403, "ORIGIN_NOT_ALLOWED");
      expectError(
        await browser.call(`/api/me/passkeys/${browser.authenticator.credentials[0]?.id}`, {
          method: "DELETE",
          origin,
        }),
        403,
        "ORIGIN_NOT_ALLOWED",
      );
    }
    // The refused logout did not sign anyone out.
    expect((await browser.call("/api/me")).status).toBe(200);
  });
});

describe("malformed bodies", () => {
  const browser = new Browser();

  it.each([
    ["not JSON", { rawBody: "{invite:" }],
    ["an empty JSON body", { rawBody: "" }],
    ["the wrong content type", { rawBody: "invite=x", contentType: "application/x-www-form-urlencoded" }],
    ["a missing displayName", { body: { invite: "abc" } }],
    ["an empty displayName", { body: { invite: "abc", displayName: "   " } }],
    ["a displayName over 80 characters", { body: { invite: "abc", displayName: "x".repeat(81) } }],
    ["an invite over 200 characters", { body: { invite: "x".repeat(201), displayName: "Ada" } }],
    ["a number for the invite", { body: { invite: 42, displayName: "Ada" } }],
    ["an array", { body: [] }],
  ])("register/options refuses %s with BAD_REQUEST", async (_, request) => {
    expectError(await browser.call("/api/auth/register/options", request), 400, "BAD_REQUEST");
  });

  const response = {
    id: "AAAA",
    rawId: "AAAA",
    type: "public-key",
    response: { clientDataJSON: "e30", authenticatorData: "AAAA", signature: "AAAA" },
    clientExtensionResults: {},
  };

  it.each([
    ["no response", {}],
    ["a credential type other than public-key", { response: { ...response, type: "password" } }],
    ["an id that is not base64url", { response: { ...response, id: "a+b/", rawId: "a+b/" } }],
    [
      "an oversized signature",
      {
        response: {
          ...response,
          response: { ...response.response, signature: "A".repeat(PASSKEY_FIELD_CHARS.signature + 1) },
        },
      },
    ],
    [
      "a missing signature",
      { response: { ...response, response: { clientDataJSON: "e30", authenticatorData: "AAAA" } } },
    ],
  ])("login/verify refuses %s with BAD_REQUEST", async (_, body) => {
    expectError(await browser.call("/api/auth/login/verify", { body }), 400, "BAD_REQUEST");
  });

  const attestation = { clientDataJSON: "e30", attestationObject: "AAAA" };

  it.each([
    [
      "an oversized attestationObject",
      { ...attestation, attestationObject: "A".repeat(PASSKEY_FIELD_CHARS.attestationObject + 1) },
    ],
    ["a missing attestationObject", { clientDataJSON: "e30" }],
    ["too many transports", { ...attestation, transports: Array(11).fill("usb") }],
    ["a transport that is not a string", { ...attestation, transports: [1] }],
  ])("register/verify refuses %s with BAD_REQUEST", async (_, inner) => {
    const body = { response: { ...response, response: inner } };
    expectError(await browser.call("/api/auth/register/verify", { body }), 400, "BAD_REQUEST");
  });

  it("refuses a body over 32 KiB with PAYLOAD_TOO_LARGE", async () => {
    const body = { invite: "x", displayName: "Ada", padding: "x".repeat(33 * 1024) };
    expectError(await browser.call("/api/auth/register/options", { body }), 413, "PAYLOAD_TOO_LARGE");
  });

  it("a well-formed response with unreadable clientDataJSON is CHALLENGE_INVALID", async () => {
    expectError(await browser.call("/api/auth/login/verify", { body: { response } }), 400, "CHALLENGE_INVALID");
  });

  it("refuses a passkey id in the path that is not base64url", async () => {
    const signedIn = await enrolledBrowser();
    expectError(await signedIn.call("/api/me/passkeys/not%20base64", { method: "DELETE" }), 400, "BAD_REQUEST");
  });

  it("refuses a non-boolean isAdmin on invites", async () => {
    const admin = await enrolledBrowser({ isAdmin: true });
    expectError(await admin.call("/api/invites", { body: { isAdmin: "yes" } }), 400, "BAD_REQUEST");
  });
});

describe("per-IP sign-in rate limit", () => {
  it("counts attempts against RATE_SIGNIN_PER_MIN per address and answers RATE_LIMITED when they run out, only for that address", async () => {
    const noisy = new Browser();
    expect((await noisy.call("/api/auth/login/options", { method: "POST" })).status).toBe(200);
    // The address's sign-in bucket, new and so full, has lost exactly one token.
    expect(await storedBucket(noisy.ip, "signin")).toMatchObject({ tokens: Number(env.RATE_SIGNIN_PER_MIN) - 1 });
    // A refusal re-dates the bucket to its own time, so it is emptied again before each.
    await emptyBucket(noisy.ip, "signin");
    const limited = await noisy.call("/api/auth/login/options", { method: "POST" });
    expectError(limited, 429, "RATE_LIMITED");
    expect(Number(limited.res.headers.get("retry-after"))).toBeGreaterThan(0);
    // Every /api/auth route shares the sign-in budget.
    await emptyBucket(noisy.ip, "signin");
    expectError(
      await noisy.call("/api/auth/register/options", { body: { invite: "x", displayName: "A" } }),
      429,
      "RATE_LIMITED",
    );
    await emptyBucket(noisy.ip, "signin");
    expectError(await noisy.call("/api/auth/logout", { method: "POST" }), 429, "RATE_LIMITED");

    expect((await new Browser().call("/api/auth/login/options", { method: "POST" })).status).toBe(200);
  });
});
