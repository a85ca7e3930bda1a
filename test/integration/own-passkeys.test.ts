import { describe, expect, it } from "vitest";
import type { MeResponse, PasskeyAddedResponse } from "#protocol/auth.ts";
import { SoftAuthenticator } from "../helpers/workers/authenticator.ts";
import { type Browser, enrolledBrowser } from "../helpers/workers/passkey-api.ts";

// A technician names their passkeys, removes one (which ends the sign-ins made with it) and signs out everywhere.

function copyOf(browser: Browser): Browser {
  return Object.assign(Object.create(Object.getPrototypeOf(browser)) as Browser, browser);
}

describe("own passkeys and sign-ins", () => {
  it("names a passkey, shown in /api/me", async () => {
    const browser = await enrolledBrowser();
    const id = browser.authenticator.credentials[0]?.id;
    const renamed = await browser.call<PasskeyAddedResponse>(`/api/me/passkeys/${id}`, {
      method: "PATCH",
      body: { name: "  Work laptop " },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.passkey).toMatchObject({ id, name: "Work laptop" });
    const me = await browser.call<MeResponse>("/api/me");
    expect(me.body.passkeys).toEqual([{ id, name: "Work laptop", createdAt: expect.any(Number), lastUsedAt: null }]);

    for (const name of ["", "x".repeat(65), "bell\u0007"]) {
      const bad = await browser.call(`/api/me/passkeys/${id}`, { method: "PATCH", body: { name } });
      expect(bad.status, JSON.stringify(name)).toBe(400);
    }
    const other = await enrolledBrowser();
    const theirs = await other.call(`/api/me/passkeys/${id}`, { method: "PATCH", body: { name: "Mine now" } });
    expect(theirs.status).toBe(404);
  });

  it("removing the passkey this sign-in was made with ends it and clears the cookie", async () => {
    const browser = await enrolledBrowser();
    const options = await browser.call<Parameters<SoftAuthenticator["register"]>[0]>("/api/me/passkeys/options", {
      method: "POST",
    });
    await browser.call("/api/me/passkeys/verify", {
      body: { response: await new SoftAuthenticator().register(options.body) },
    });
    const current = browser.authenticator.credentials[0]?.id;
    const res = await browser.call(`/api/me/passkeys/${current}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect(browser.cookie).toBeNull();
  });

  it("signs out everywhere: every sign-in of this technician ends, this one included", async () => {
    const laptop = await enrolledBrowser({ name: "Eve Everywhere" });
    const tablet = copyOf(laptop);
    expect((await tablet.signIn()).status).toBe(200);
    const other = await enrolledBrowser({ name: "Bystander" });

    const res = await laptop.call("/api/me/sign-ins", { method: "DELETE" });
    expect(res.status).toBe(204);
    expect(laptop.cookie).toBeNull();
    const refused = await tablet.call("/api/me");
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: { code: "SIGN_IN_REVOKED" } });
    expect((await other.call("/api/me")).status).toBe(200);
  });
});
