import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { InviteList, InviteResponse, MeResponse, TechnicianList } from "#protocol/auth.ts";
import { enrolledBrowser } from "../helpers/workers/passkey-api.ts";
import { createSession, openPair } from "../helpers/workers/ws.ts";

// The admin console's API: technicians (list, remove, promote and demote) and open invites (list, revoke).

async function idOf(browser: Awaited<ReturnType<typeof enrolledBrowser>>): Promise<string> {
  return (await browser.call<MeResponse>("/api/me")).body.technician.id;
}

describe("admin: technicians", () => {
  it("lists technicians with their role, passkeys, last sign-in and live sessions", async () => {
    const admin = await enrolledBrowser({ isAdmin: true, name: "Ada Admin" });
    const tech = await enrolledBrowser({ name: "Lister Tech" });
    const techId = await idOf(tech);
    expect((await createSession(`tether_session=${tech.cookie}`)).status).toBe(201);
    expect((await tech.signIn()).status).toBe(200);

    const list = await admin.call<TechnicianList>("/api/technicians");
    expect(list.status).toBe(200);
    expect(list.res.headers.get("cache-control")).toBe("no-store");
    const row = list.body.technicians.find((t) => t.id === techId);
    expect(row).toEqual({
      id: techId,
      name: "Lister Tech",
      isAdmin: false,
      nameLocked: false,
      passkeys: 1,
      lastSignInAt: expect.any(Number),
      liveSessions: 1,
      createdAt: expect.any(Number),
    });
  });

  it("is for admins only", async () => {
    const tech = await enrolledBrowser({ name: "Nosy Tech" });
    for (const [path, method] of [
      ["/api/technicians", "GET"],
      ["/api/technicians/x", "DELETE"],
      ["/api/technicians/x", "PATCH"],
      ["/api/invites", "GET"],
      ["/api/invites/x", "DELETE"],
    ] as const) {
      const res = await tech.call(path, { method, ...(method === "PATCH" ? { body: { isAdmin: true } } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
  });

  it("removes a technician: their sign-ins end at once and their open socket at the room's next check", async () => {
    const admin = await enrolledBrowser({ isAdmin: true, name: "Rita Remover" });
    const { owner, tech } = await openPair();
    const res = await admin.call(`/api/technicians/${owner.technician.id}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM sign_ins WHERE technician_id = ?")
        .bind(owner.technician.id)
        .first("n"),
    ).toBe(0);
    const me = await createSession(owner.cookie);
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ error: { code: "SIGN_IN_REVOKED" } });
    const list = await admin.call<TechnicianList>("/api/technicians");
    expect(list.body.technicians.map((t) => t.id)).not.toContain(owner.technician.id);
    // The room closes the socket at its next sign-in check (auth-revocation.test.ts runs that check).
    await tech.client.sync();

    const again = await admin.call(`/api/technicians/${owner.technician.id}`, { method: "DELETE" });
    expect(again.status).toBe(404);
  });

  it("promotes and demotes, effective on the next request, and never leaves no admin", async () => {
    const admin = await enrolledBrowser({ isAdmin: true, name: "Pia Promoter" });
    const adminId = await idOf(admin);
    const tech = await enrolledBrowser({ name: "Tom Promoted" });
    const techId = await idOf(tech);
    // Only admins on the table: make sure this test's admin is the only one, so LAST_ADMIN can be reached.
    await env.DB.prepare("UPDATE technicians SET is_admin = 0 WHERE id != ?").bind(adminId).run();

    const lastDemote = await admin.call(`/api/technicians/${adminId}`, { method: "PATCH", body: { isAdmin: false } });
    expect(lastDemote.status).toBe(409);
    expect(lastDemote.body).toMatchObject({ error: { code: "LAST_ADMIN" } });
    const lastRemove = await admin.call(`/api/technicians/${adminId}`, { method: "DELETE" });
    expect(lastRemove.status).toBe(409);
    expect(lastRemove.body).toMatchObject({ error: { code: "LAST_ADMIN" } });

    const promoted = await admin.call(`/api/technicians/${techId}`, { method: "PATCH", body: { isAdmin: true } });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ technician: { id: techId, isAdmin: true } });
    expect((await tech.call("/api/technicians")).status).toBe(200);

    const demoted = await tech.call(`/api/technicians/${adminId}`, { method: "PATCH", body: { isAdmin: false } });
    expect(demoted.status).toBe(200);
    expect((await admin.call("/api/technicians")).status).toBe(403);

    const bad = await tech.call(`/api/technicians/${adminId}`, { method: "PATCH", body: { isAdmin: "yes" } });
    expect(bad.status).toBe(400);
  });
});

describe("admin: invites", () => {
  it("lists open invites and revokes one, which then cannot enrol anyone", async () => {
    const admin = await enrolledBrowser({ isAdmin: true, name: "Ivy Inviter" });
    const created = await admin.call<InviteResponse>("/api/invites", { body: { isAdmin: false } });
    expect(created.status).toBe(201);
    const token = new URL(created.body.url).hash.slice(1);

    const list = await admin.call<InviteList>("/api/invites");
    expect(list.status).toBe(200);
    const mine = list.body.invites.find((i) => i.expiresAt === created.body.expiresAt && i.createdBy === "Ivy Inviter");
    expect(mine).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
      isAdmin: false,
      createdAt: expect.any(Number),
      expiresAt: created.body.expiresAt,
      createdBy: "Ivy Inviter",
    });
    expect(JSON.stringify(list.body)).not.toContain(token);

    const revoked = await admin.call(`/api/invites/${mine?.id}`, { method: "DELETE" });
    expect(revoked.status).toBe(204);
    const after = await admin.call<InviteList>("/api/invites");
    expect(after.body.invites.map((i) => i.id)).not.toContain(mine?.id);
    const enrol = await admin.call("/api/auth/register/options", { body: { invite: token, displayName: "Late" } });
    expect(enrol.status).toBe(400);
    expect(enrol.body).toMatchObject({ error: { code: "INVITE_INVALID" } });

    expect((await admin.call(`/api/invites/${mine?.id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("leaves used and expired invites out of the list", async () => {
    const admin = await enrolledBrowser({ isAdmin: true });
    const list = await admin.call<InviteList>("/api/invites");
    const now = Date.now();
    for (const invite of list.body.invites) expect(invite.expiresAt).toBeGreaterThan(now);
    const used = await env.DB.prepare("SELECT token_hash FROM invites WHERE used_at IS NOT NULL LIMIT 1").first<{
      token_hash: string;
    }>();
    expect(list.body.invites.map((i) => i.id)).not.toContain(used?.token_hash);
  });
});
