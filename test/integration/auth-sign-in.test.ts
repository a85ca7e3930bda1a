import { env } from "cloudflare:workers";
import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { describe, expect, it } from "vitest";
import type { MeResponse, SignedInResponse } from "#protocol/auth.ts";
import { FLAGS, SoftAuthenticator } from "../helpers/workers/authenticator.ts";
import { Browser, enrolledBrowser } from "../helpers/workers/passkey-api.ts";

/** A browser that enrolled, then signed out: it holds a passkey but no cookie. */
async function signedOutBrowser(): Promise<Browser> {
  const browser = await enrolledBrowser({ name: "Linus Tech" });
  browser.cookie = null;
  return browser;
}

async function loginOptions(browser: Browser): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const options = await browser.call<PublicKeyCredentialRequestOptionsJSON>("/api/auth/login/options", {
    method: "POST",
  });
  expect(options.status).toBe(200);
  return options.body;
}

describe("sign-in with a passkey", () => {
  it("signs in with the discoverable credential, stamps last use and moves the counter", async () => {
    const browser = await signedOutBrowser();
    const options = await loginOptions(browser);
    expect(options.rpId).toBe("localhost");
    expect(options.userVerification).toBe("required");
    expect(options.allowCredentials).toBeUndefined();

    const response = await browser.authenticator.authenticate(options);
    const res = await browser.call<SignedInResponse>("/api/auth/login/verify", { body: { response } });
    expect(res.status).toBe(200);
    expect(res.body.technician).toMatchObject({ name: "Linus Tech", isAdmin: false });
    expect(browser.cookie).not.toBeNull();

    const me = await browser.call<MeResponse>("/api/me");
    expect(me.status).toBe(200);
    expect(me.body.passkeys[0]?.lastUsedAt).toEqual(expect.any(Number));
    const counter = await env.DB.prepare("SELECT counter FROM passkeys WHERE id = ?")
      .bind(response.id)
      .first("counter");
    expect(counter).toBe(1);
  });

  it("refuses the same signed response twice: the challenge is single use", async () => {
    const browser = await signedOutBrowser();
    const response = await browser.authenticator.authenticate(await loginOptions(browser));
    expect((await browser.call("/api/auth/login/verify", { body: { response } })).status).toBe(200);
    browser.cookie = null;

    const replay = await browser.call("/api/auth/login/verify", { body: { response } });
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: { code: "CHALLENGE_INVALID" } });
    expect(browser.cookie).toBeNull();
  });

  it("refuses a fresh signature over an already-used challenge", async () => {
    const browser = await signedOutBrowser();
    const options = await loginOptions(browser);
    const first = await browser.authenticator.authenticate(options);
    expect((await browser.call("/api/auth/login/verify", { body: { response: first } })).status).toBe(200);
    const second = await browser.authenticator.authenticate(options);
    const res = await browser.call("/api/auth/login/verify", { body: { response: second } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "CHALLENGE_INVALID" } });
  });

  it("refuses an unknown or expired challenge, and a registration challenge used for sign-in", async () => {
    const browser = await signedOutBrowser();
    const unknown = await browser.authenticator.authenticate({
      challenge: "bm90LWlzc3VlZC1ieS10aGUtc2VydmVy",
      rpId: "localhost",
    });
    const a = await browser.call("/api/auth/login/verify", { body: { response: unknown } });
    expect(a.status).toBe(400);
    expect(a.body).toMatchObject({ error: { code: "CHALLENGE_INVALID" } });

    const options = await loginOptions(browser);
    await env.DB.prepare("UPDATE challenges SET expires_at = ? WHERE challenge = ?")
      .bind(Date.now() - 1, options.challenge)
      .run();
    const b = await browser.call("/api/auth/login/verify", {
      body: { response: await browser.authenticator.authenticate(options) },
    });
    expect(b.status).toBe(400);
    expect(b.body).toMatchObject({ error: { code: "CHALLENGE_INVALID" } });

    const addOptions = await (await enrolledBrowser()).call<{ challenge: string }>("/api/me/passkeys/options", {
      method: "POST",
    });
    const c = await browser.call("/api/auth/login/verify", {
      body: {
        response: await browser.authenticator.authenticate({ challenge: addOptions.body.challenge, rpId: "localhost" }),
      },
    });
    expect(c.status).toBe(400);
    expect(c.body).toMatchObject({ error: { code: "CHALLENGE_INVALID" } });
  });

  it("refuses a response made on another origin, with a message naming it", async () => {
    const browser = await signedOutBrowser();
    const res = await browser.signIn({ origin: "https://phish.example" });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: { code: "PASSKEY_INVALID", message: expect.stringContaining("https://phish.example") },
    });
    expect(browser.cookie).toBeNull();
  });

  it("refuses a response signed for another RP ID", async () => {
    const res = await (await signedOutBrowser()).signIn({ rpId: "evil.example" });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "PASSKEY_INVALID" } });
  });

  it("refuses an unknown credential", async () => {
    await signedOutBrowser();
    const stranger = new Browser();
    // A passkey made for this site but never registered with it.
    await stranger.authenticator.register({
      rp: { id: "localhost", name: "Tether" },
      user: { id: "c3RyYW5nZXI", name: "Stranger", displayName: "Stranger" },
      challenge: "dW51c2Vk",
      pubKeyCredParams: [{ type: "public-key", alg: -7 }],
    });
    const res = await stranger.signIn();
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: "PASSKEY_INVALID" } });
    expect(stranger.cookie).toBeNull();
  });

  it("refuses an assertion without user verification", async () => {
    const browser = await signedOutBrowser();
    const res = await browser.signIn({ flags: FLAGS.UP });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: { code: "PASSKEY_INVALID", message: expect.stringContaining("verification") },
    });
    expect(browser.cookie).toBeNull();
  });

  it("refuses a forged signature (another key claiming this credential)", async () => {
    const browser = await signedOutBrowser();
    const forger = new SoftAuthenticator();
    await forger.register({
      rp: { id: "localhost", name: "Tether" },
      user: { id: browser.authenticator.credentials[0]?.userHandle ?? "", name: "x", displayName: "x" },
      challenge: "dW51c2Vk",
      pubKeyCredParams: [{ type: "public-key", alg: -7 }],
    });
    const stolen = forger.credentials[0];
    if (!stolen) throw new Error("no credential");
    stolen.id = browser.authenticator.credentials[0]?.id ?? "";
    const options = await loginOptions(browser);
    const res = await browser.call("/api/auth/login/verify", {
      body: { response: await forger.authenticate(options) },
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: "PASSKEY_INVALID" } });
  });

  it("refuses a userHandle that is not the passkey owner's", async () => {
    const browser = await signedOutBrowser();
    const res = await browser.signIn({ userHandle: "c29tZW9uZS1lbHNl" });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: "PASSKEY_INVALID" } });
  });

  it("refuses a counter that does not increase (a possibly cloned authenticator)", async () => {
    const browser = await signedOutBrowser();
    expect((await browser.signIn()).status).toBe(200);
    expect((await browser.signIn()).status).toBe(200);
    browser.cookie = null;

    const same = await browser.signIn({ signCount: 2 });
    expect(same.status).toBe(400);
    expect(same.body).toMatchObject({
      error: { code: "PASSKEY_INVALID", message: expect.stringContaining("counter") },
    });
    const lower = await browser.signIn({ signCount: 1 });
    expect(lower.status).toBe(400);
    const zero = await browser.signIn({ signCount: 0 });
    expect(zero.status).toBe(400);
    expect(browser.cookie).toBeNull();

    // The genuine authenticator carries on from where it was.
    expect((await browser.signIn()).status).toBe(200);
  });
});

describe("sign-out", () => {
  it("clears the cookie and answers 204", async () => {
    const browser = await enrolledBrowser();
    expect((await browser.call("/api/me")).status).toBe(200);
    const res = await browser.call("/api/auth/logout", { method: "POST" });
    expect(res.status).toBe(204);
    expect(res.res.headers.get("set-cookie")).toMatch(/^tether_session=;.*Max-Age=0/);
    expect(browser.cookie).toBeNull();
    expect((await browser.call("/api/me")).status).toBe(401);
  });
});
