import { env } from "cloudflare:workers";
import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import { describe, expect, it } from "vitest";
import type { MeResponse, PasskeyAddedResponse } from "#protocol/auth.ts";
import { SoftAuthenticator } from "../helpers/workers/authenticator.ts";
import { type Browser, enrolledBrowser } from "../helpers/workers/passkey-api.ts";
import { createTechnician } from "../helpers/workers/technician.ts";

async function addPasskeyOptions(browser: Browser): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const options = await browser.call<PublicKeyCredentialCreationOptionsJSON>("/api/me/passkeys/options", {
    method: "POST",
  });
  expect(options.status).toBe(200);
  return options.body;
}

describe("managing passkeys", () => {
  it("adds a second passkey from another device, signs in with it, then removes the first", async () => {
    const browser = await enrolledBrowser({ name: "Two Keys" });
    const first = browser.authenticator.credentials[0];
    const options = await addPasskeyOptions(browser);
    expect(options.excludeCredentials?.map((c) => c.id)).toEqual([first?.id]);
    expect(options.authenticatorSelection).toMatchObject({ residentKey: "required", userVerification: "required" });
    expect(options.user.id).toBe(first?.userHandle);

    // The first device refuses to make a second credential for the same account, as real ones do.
    await expect(browser.authenticator.register(options)).rejects.toThrow(/InvalidStateError/);
    const phone = new SoftAuthenticator();
    const response = await phone.register(options);
    const added = await browser.call<PasskeyAddedResponse>("/api/me/passkeys/verify", { body: { response } });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      passkey: { id: response.id, name: null, createdAt: expect.any(Number), lastUsedAt: null },
    });

    const me = await browser.call<MeResponse>("/api/me");
    expect(me.body.passkeys.map((p) => p.id).sort()).toEqual([first?.id, response.id].sort());

    // The new passkey signs in as the same technician.
    const signIn = await browser.call<{ challenge: string }>("/api/auth/login/options", { method: "POST" });
    const assertion = await phone.authenticate({ challenge: signIn.body.challenge, rpId: "localhost" });
    const verified = await browser.call<MeResponse>("/api/auth/login/verify", { body: { response: assertion } });
    expect(verified.status).toBe(200);
    expect(verified.body.technician.id).toBe(me.body.technician.id);

    const removed = await browser.call(`/api/me/passkeys/${first?.id}`, { method: "DELETE" });
    expect(removed.status).toBe(204);
    const after = await browser.call<MeResponse>("/api/me");
    expect(after.body.passkeys.map((p) => p.id)).toEqual([response.id]);
  });

  it("refuses to remove the last passkey with LAST_PASSKEY", async () => {
    const browser = await enrolledBrowser();
    const only = browser.authenticator.credentials[0]?.id;
    const res = await browser.call(`/api/me/passkeys/${only}`, { method: "DELETE" });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: "LAST_PASSKEY" } });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM passkeys WHERE id = ?").bind(only).first("n")).toBe(1);
  });

  it("answers 404 for someone else's passkey and leaves it alone", async () => {
    const owner = await enrolledBrowser({ name: "Owner" });
    await owner.call("/api/me/passkeys/verify", {
      body: { response: await new SoftAuthenticator().register(await addPasskeyOptions(owner)) },
    });
    const intruder = await enrolledBrowser({ name: "Intruder" });
    const target = owner.authenticator.credentials[0]?.id;
    const res = await intruder.call(`/api/me/passkeys/${target}`, { method: "DELETE" });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: "NOT_FOUND" } });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM passkeys WHERE id = ?").bind(target).first("n")).toBe(1);
  });

  it("refuses an add-passkey challenge answered by another technician", async () => {
    const alice = await enrolledBrowser({ name: "Alice" });
    const bob = await enrolledBrowser({ name: "Bob" });
    const options = await addPasskeyOptions(alice);
    const res = await bob.call("/api/me/passkeys/verify", {
      body: { response: await new SoftAuthenticator().register(options) },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "CHALLENGE_INVALID" } });
  });

  it("refuses to register the same credential twice with CONFLICT", async () => {
    const browser = await enrolledBrowser();
    const phone = new SoftAuthenticator();
    const response = await phone.register(await addPasskeyOptions(browser));
    expect((await browser.call("/api/me/passkeys/verify", { body: { response } })).status).toBe(201);
    // A misbehaving authenticator re-attests the same credential to a new challenge.
    const again = await phone.register(await addPasskeyOptions(browser), { credentialId: response.id });
    expect(again.id).toBe(response.id);
    const res = await browser.call("/api/me/passkeys/verify", { body: { response: again } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: "CONFLICT" } });
  });

  it("refuses a registration whose id is not the credential it attests", async () => {
    const browser = await enrolledBrowser();
    const response = await new SoftAuthenticator().register(await addPasskeyOptions(browser));
    const other = browser.authenticator.credentials[0]?.id ?? "";
    const res = await browser.call("/api/me/passkeys/verify", {
      body: { response: { ...response, id: other, rawId: other } },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "PASSKEY_INVALID" } });
    expect((await browser.call<MeResponse>("/api/me")).body.passkeys).toHaveLength(1);
  });

  it("needs a sign-in for every /api/me route", async () => {
    const anonymous = await enrolledBrowser();
    anonymous.cookie = null;
    for (const [path, method] of [
      ["/api/me", "GET"],
      ["/api/me/passkeys/options", "POST"],
      ["/api/me/passkeys/abc", "DELETE"],
    ] as const) {
      const res = await anonymous.call(path, { method });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
    }
  });

  it("lets a technician created without passkeys (by the CLI helper) add their first", async () => {
    const { cookie } = await createTechnician("Fresh");
    const browser = await enrolledBrowser();
    browser.cookie = cookie.split("=")[1] ?? null;
    const options = await addPasskeyOptions(browser);
    expect(options.excludeCredentials).toEqual([]);
    const res = await browser.call("/api/me/passkeys/verify", {
      body: { response: await new SoftAuthenticator().register(options) },
    });
    expect(res.status).toBe(201);
  });
});
