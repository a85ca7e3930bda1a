import { runDurableObjectAlarm, SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { MeResponse } from "#protocol/auth.ts";
import { SoftAuthenticator } from "../helpers/workers/authenticator.ts";
import { type Browser, enrolledBrowser } from "../helpers/workers/passkey-api.ts";
import { rewriteRoom } from "../helpers/workers/stored-room.ts";
import { createTechnician } from "../helpers/workers/technician.ts";
import { createSession, ORIGIN, openPair, randomIp, seatProofOf, upgrade } from "../helpers/workers/ws.ts";

// A sign-in is a record the server can take back: sign-out, removing the passkey it was made with and removing the
// technician end it, on the next request and, for a room's sockets, at the room's next sign-in check.

/** The same browser's cookie jar, copied: what a second tab or a thief holding the cookie would send. */
function copyOf(browser: Browser): Browser {
  const copy = Object.create(Object.getPrototypeOf(browser)) as Browser;
  Object.assign(copy, browser);
  return copy;
}

async function addPhone(browser: Browser): Promise<SoftAuthenticator> {
  const options = await browser.call<Parameters<SoftAuthenticator["register"]>[0]>("/api/me/passkeys/options", {
    method: "POST",
  });
  const phone = new SoftAuthenticator();
  const res = await browser.call("/api/me/passkeys/verify", { body: { response: await phone.register(options.body) } });
  expect(res.status).toBe(201);
  return phone;
}

describe("revoking sign-ins", () => {
  it("sign-out ends the sign-in on the server: its cookie no longer answers /api/me or creates sessions", async () => {
    const browser = await enrolledBrowser({ name: "Sam Signout" });
    const stolen = copyOf(browser);
    expect((await stolen.call("/api/me")).status).toBe(200);
    const cookie = `tether_session=${stolen.cookie}`;

    expect((await browser.call("/api/auth/logout", { method: "POST" })).status).toBe(204);

    const me = await stolen.call("/api/me");
    expect(me.status).toBe(401);
    expect(me.body).toMatchObject({ error: { code: "SIGN_IN_REVOKED" } });
    // The refusal clears the cookie in this browser; one that kept a copy is refused again.
    expect(stolen.cookie).toBeNull();
    const created = await createSession(cookie);
    expect(created.status).toBe(401);
    expect(await created.json()).toMatchObject({ error: { code: "SIGN_IN_REVOKED" } });
  });

  it("removing a passkey ends the sign-ins made with it and no others", async () => {
    const laptop = await enrolledBrowser({ name: "Pat Passkeys" });
    const phone = await addPhone(laptop);
    const phoneBrowser = copyOf(laptop);
    const options = await phoneBrowser.call<{ challenge: string }>("/api/auth/login/options", { method: "POST" });
    const assertion = await phone.authenticate({ challenge: options.body.challenge, rpId: "localhost" });
    expect((await phoneBrowser.call("/api/auth/login/verify", { body: { response: assertion } })).status).toBe(200);
    expect(phoneBrowser.cookie).not.toBe(laptop.cookie);

    const laptopKey = laptop.authenticator.credentials[0]?.id;
    const removed = await phoneBrowser.call(`/api/me/passkeys/${laptopKey}`, { method: "DELETE" });
    expect(removed.status).toBe(204);

    const revoked = await laptop.call("/api/me");
    expect(revoked.status).toBe(401);
    expect(revoked.body).toMatchObject({ error: { code: "SIGN_IN_REVOKED" } });
    const kept = await phoneBrowser.call<MeResponse>("/api/me");
    expect(kept.status).toBe(200);
    expect(kept.body.passkeys.map((p) => p.id)).toEqual([assertion.id]);
  });

  it("a removed technician's sign-in answers 401 SIGN_IN_REVOKED everywhere, creating a session included", async () => {
    const { technician, cookie } = await createTechnician("Gone Tech");
    await env.DB.prepare("DELETE FROM technicians WHERE id = ?").bind(technician.id).run();

    const me = await SELF.fetch("http://localhost/api/me", { headers: { cookie } });
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ error: { code: "SIGN_IN_REVOKED" } });
    const created = await createSession(cookie);
    expect(created.status).toBe(401);
    expect(await created.json()).toMatchObject({ error: { code: "SIGN_IN_REVOKED" } });
  });

  it("refuses a technician's WebSocket join with a revoked sign-in", async () => {
    const { code, owner } = await openPair();
    await env.DB.prepare("DELETE FROM sign_ins WHERE technician_id = ?").bind(owner.technician.id).run();
    const res = await upgrade(code, "technician", owner.cookie);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "SIGN_IN_REVOKED" } });
  });

  it("takes a technician's name and role from the database on every request, not from the cookie", async () => {
    const browser = await enrolledBrowser({ isAdmin: true, name: "Ann Admin" });
    const me = await browser.call<MeResponse>("/api/me");
    await env.DB.prepare("UPDATE technicians SET display_name = 'Ann Renamed', is_admin = 0 WHERE id = ?")
      .bind(me.body.technician.id)
      .run();
    const created = await createSession(`tether_session=${browser.cookie}`);
    expect(created.status).toBe(201);
    const { code } = (await created.json()) as { code: string };
    const session = await SELF.fetch(`${ORIGIN}/api/sessions/${code}`, {
      headers: { "CF-Connecting-IP": randomIp(), ...seatProofOf(code) },
    });
    expect(((await session.json()) as { technician: { name: string } }).technician.name).toBe("Ann Renamed");
    expect((await browser.call("/api/invites", { body: {} })).status).toBe(403);
  });
});

describe("revoking sign-ins: open sockets", () => {
  it("the room closes a revoked technician's socket at its next sign-in check; the customer stays", async () => {
    const { stub, owner, tech, customer } = await openPair();
    // Nothing is revoked yet: the check passes and the technician stays.
    await rewriteRoom(stub, (room, now) => {
      room.signInsCheckedAt = now - 60_001;
    });
    await runDurableObjectAlarm(stub);
    await tech.client.sync();
    expect(tech.client.isClosed).toBe(false);

    await env.DB.prepare("DELETE FROM technicians WHERE id = ?").bind(owner.technician.id).run();
    await rewriteRoom(stub, (room, now) => {
      room.signInsCheckedAt = now - 60_001;
    });
    await runDurableObjectAlarm(stub);
    expect(await tech.client.next("error")).toMatchObject({ code: "SIGN_IN_REVOKED" });
    expect((await tech.client.waitClosed()).code).toBe(1008);
    expect(await customer.client.next("peerGone")).toEqual({ type: "peerGone", id: tech.welcome.participantId });
    await customer.client.sync();
    expect(customer.client.isClosed).toBe(false);
  });
});
