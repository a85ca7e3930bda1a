import { env } from "cloudflare:workers";
import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import { describe, expect, it } from "vitest";
import type { InviteResponse, MeResponse, SignedInResponse } from "#protocol/auth.ts";
import { Browser, enrolledBrowser, insertInvite } from "../helpers/workers/passkey-api.ts";

describe("enrolment with an invite", () => {
  it("registers a passkey, signs the technician in, and the cookie works on /api/me", async () => {
    const browser = new Browser();
    const invite = await insertInvite({ isAdmin: true });

    const options = await browser.call<PublicKeyCredentialCreationOptionsJSON>("/api/auth/register/options", {
      body: { invite, displayName: "  Grace Admin " },
    });
    expect(options.status).toBe(200);
    expect(options.body.rp).toEqual({ id: "localhost", name: "Tether" });
    expect(options.body.user.name).toBe("Grace Admin");
    expect(options.body.authenticatorSelection).toMatchObject({
      residentKey: "required",
      userVerification: "required",
    });
    expect(options.body.attestation).toBe("none");

    const response = await browser.authenticator.register(options.body);
    const verified = await browser.call<SignedInResponse>("/api/auth/register/verify", { body: { response } });
    expect(verified.status).toBe(200);
    expect(verified.body.technician).toMatchObject({ name: "Grace Admin", isAdmin: true });
    const setCookie = verified.res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^tether_session=[^;]+;/);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("Secure");
    expect(setCookie).toContain("SameSite=Strict");

    const me = await browser.call<MeResponse>("/api/me");
    expect(me.status).toBe(200);
    expect(me.body.technician).toEqual(verified.body.technician);
    expect(me.body.organisation).toBe("Tether");
    expect(me.body.passkeys).toEqual([
      { id: response.id, name: null, createdAt: expect.any(Number), lastUsedAt: null },
    ]);

    const stored = await env.DB.prepare("SELECT used_at, used_by FROM invites").first<{
      used_at: number;
      used_by: string;
    }>();
    expect(stored?.used_at).toEqual(expect.any(Number));
    expect(stored?.used_by).toBe(verified.body.technician.id);
    // The challenge is gone once used.
    expect(await env.DB.prepare("SELECT count(*) AS n FROM challenges").first("n")).toBe(0);
  });

  it("without a cookie, /api/me is UNAUTHENTICATED", async () => {
    const me = await new Browser().call("/api/me");
    expect(me.status).toBe(401);
    expect(me.body).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
  });

  it("refuses an invite a second time, both at options and when two enrolments race to verify", async () => {
    const invite = await insertInvite();
    const first = new Browser();
    const second = new Browser();
    // Both fetch options while the invite is still unused...
    const optionsA = await first.call<PublicKeyCredentialCreationOptionsJSON>("/api/auth/register/options", {
      body: { invite, displayName: "First" },
    });
    const optionsB = await second.call<PublicKeyCredentialCreationOptionsJSON>("/api/auth/register/options", {
      body: { invite, displayName: "Second" },
    });
    expect([optionsA.status, optionsB.status]).toEqual([200, 200]);
    // ...but only the first to verify enrols.
    const a = await first.call("/api/auth/register/verify", {
      body: { response: await first.authenticator.register(optionsA.body) },
    });
    const b = await second.call("/api/auth/register/verify", {
      body: { response: await second.authenticator.register(optionsB.body) },
    });
    expect(a.status).toBe(200);
    expect(b.status).toBe(410);
    expect(b.body).toMatchObject({ error: { code: "INVITE_INVALID" } });
    expect(second.cookie).toBeNull();
    expect(await env.DB.prepare("SELECT count(*) AS n FROM technicians WHERE display_name = 'Second'").first("n")).toBe(
      0,
    );

    const again = await new Browser().enrol(invite, "Third");
    expect(again.status).toBe(410);
    expect(again.body).toMatchObject({
      error: { code: "INVITE_INVALID", message: expect.stringContaining("already been used") },
    });
  });

  it("refuses an expired invite and an unknown one", async () => {
    const expired = await insertInvite({ expiresAt: Date.now() - 1 });
    const a = await new Browser().enrol(expired);
    expect(a.status).toBe(410);
    expect(a.body).toMatchObject({ error: { code: "INVITE_INVALID", message: expect.stringContaining("expired") } });

    const b = await new Browser().enrol("not-a-real-invite-token");
    expect(b.status).toBe(400);
    expect(b.body).toMatchObject({ error: { code: "INVITE_INVALID" } });
  });

  it("refuses a registration whose challenge has expired", async () => {
    const browser = new Browser();
    const options = await browser.call<PublicKeyCredentialCreationOptionsJSON>("/api/auth/register/options", {
      body: { invite: await insertInvite(), displayName: "Slow" },
    });
    await env.DB.prepare("UPDATE challenges SET expires_at = ? WHERE challenge = ?")
      .bind(Date.now() - 1, options.body.challenge)
      .run();
    const res = await browser.call("/api/auth/register/verify", {
      body: { response: await browser.authenticator.register(options.body) },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "CHALLENGE_INVALID" } });
  });

  it("refuses a registration made on another origin, or without user verification", async () => {
    const evil = await new Browser().enrol(await insertInvite(), "Ada", { origin: "https://evil.example" });
    expect(evil.status).toBe(400);
    expect(evil.body).toMatchObject({
      error: { code: "PASSKEY_INVALID", message: expect.stringContaining("evil.example") },
    });

    const noUv = await new Browser().enrol(await insertInvite(), "Ada", { flags: 0x01 | 0x40 });
    expect(noUv.status).toBe(400);
    expect(noUv.body).toMatchObject({ error: { code: "PASSKEY_INVALID" } });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM invites WHERE used_at IS NULL").first("n")).toBeGreaterThan(
      1,
    );
  });
});

describe("invites", () => {
  it("only admins can create them; an invite URL enrols a second, non-admin technician", async () => {
    const admin = await enrolledBrowser({ isAdmin: true, name: "Admin" });

    const before = Date.now();
    const created = await admin.call<InviteResponse>("/api/invites", { body: {} });
    expect(created.status).toBe(201);
    expect(created.body.url).toMatch(/^http:\/\/localhost\/enrol#[A-Za-z0-9_-]{43}$/);
    const ttlMs = Number(env.INVITE_TTL_S) * 1000;
    expect(created.body.expiresAt).toBeGreaterThanOrEqual(before + ttlMs);
    expect(created.body.expiresAt).toBeLessThanOrEqual(Date.now() + ttlMs);
    const token = created.body.url.split("#")[1] ?? "";
    // Only the hash is stored.
    const rows = await env.DB.prepare("SELECT token_hash FROM invites").all<{ token_hash: string }>();
    expect(rows.results.map((r) => r.token_hash)).not.toContain(token);

    const newcomer = new Browser();
    const enrolled = await newcomer.enrol(token, "Newcomer");
    expect(enrolled.status).toBe(200);
    expect(enrolled.body).toMatchObject({ technician: { name: "Newcomer", isAdmin: false } });

    const refused = await newcomer.call("/api/invites", { body: { isAdmin: true } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: "FORBIDDEN" } });

    const anonymous = await new Browser().call("/api/invites", { body: {} });
    expect(anonymous.status).toBe(401);
  });

  it("an admin invite makes an admin", async () => {
    const admin = await enrolledBrowser({ isAdmin: true });
    const created = await admin.call<InviteResponse>("/api/invites", { body: { isAdmin: true } });
    const enrolled = await new Browser().enrol(created.body.url.split("#")[1] ?? "", "Second Admin");
    expect(enrolled.body).toMatchObject({ technician: { isAdmin: true } });
  });
});
