import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AuditEntriesPage, AuditEntry } from "#protocol/audit.ts";
import { newSeatKey } from "../helpers/handshake.ts";
import { enrolledBrowser } from "../helpers/workers/passkey-api.ts";
import { createTechnician } from "../helpers/workers/technician.ts";
import { connect, openPair, verify } from "../helpers/workers/ws.ts";

// Colleagues on workerd: real sockets, the real room object and its storage, the audit log. The rules themselves are
// the core's (test/unit/room-colleagues.test.ts); this shows them through the Worker and the Durable Object.

/** The owner and customer of a verified session, the owner's invite registered, and the colleague seated by it. */
async function openWithColleague() {
  const pair = await openPair();
  const invite = await newSeatKey();
  pair.tech.client.send({ type: "invite", keyHash: invite.customerKeyHash });
  const carla = await createTechnician("Carla Colleague");
  const client = await connect(pair.code, "technician", carla.cookie);
  client.send({ type: "hello", version: 1, inviteKey: invite.seatKey });
  const colleague = { client, welcome: await client.next("welcome") };
  return { ...pair, invite, carla, colleague };
}

describe("room: colleagues", () => {
  it("seats an invited colleague, who receives nothing until the customer lets them in", async () => {
    const { customer, tech, colleague } = await openWithColleague();
    const colleagueId = colleague.welcome.participantId;
    expect(await customer.client.next("peerJoined")).toEqual({
      type: "peerJoined",
      peer: { id: colleagueId, role: "technician", name: "Carla Colleague", isOwner: false, connected: true },
    });
    await verify(colleague, customer);
    customer.client.send({ type: "offer", to: colleagueId, sdp: "v=0 too early" });
    expect(await customer.client.next("error")).toMatchObject({ code: "HANDSHAKE_REQUIRED" });

    customer.client.send({ type: "admit", id: colleagueId });
    expect(await tech.client.take("peerJoined", 2)).toMatchObject([
      { peer: { id: colleagueId, connected: true } },
      { peer: { id: colleagueId, isAdmitted: true } },
    ]);
    customer.client.send({ type: "offer", to: colleagueId, sdp: "v=0 let in" });
    expect(await colleague.client.next("offer")).toEqual({
      type: "offer",
      from: customer.welcome.participantId,
      sdp: "v=0 let in",
    });
    await colleague.client.sync();
    expect(colleague.client.received.filter((m) => m.type === "offer")).toHaveLength(1);
  });

  it("refuses a technician without the invite's key, even after the owner invited", async () => {
    const { code, invite } = await openWithColleague();
    const other = await createTechnician("Sid Stranger");
    const stranger = await connect(code, "technician", other.cookie);
    const wrong = await newSeatKey();
    stranger.send({ type: "hello", version: 1, inviteKey: wrong.seatKey });
    expect(await stranger.next("error")).toMatchObject({ code: "NOT_OWNER" });
    expect((await stranger.waitClosed()).code).toBe(1008);
    expect(invite.seatKey).not.toBe(wrong.seatKey);
  });

  it("cuts off a colleague the customer takes out, and never seats them again", async () => {
    const { code, customer, tech, colleague, carla, invite } = await openWithColleague();
    const colleagueId = colleague.welcome.participantId;
    await verify(colleague, customer);
    customer.client.send({ type: "admit", id: colleagueId });
    await tech.client.take("peerJoined", 2);
    customer.client.send({ type: "remove", id: colleagueId });
    expect(await colleague.client.next("error")).toMatchObject({ code: "REMOVED_BY_CUSTOMER" });
    expect((await colleague.client.waitClosed()).code).toBe(1008);
    expect(await tech.client.next("peerGone")).toEqual({ type: "peerGone", id: colleagueId });

    const again = await connect(code, "technician", carla.cookie);
    again.send({ type: "hello", version: 1, inviteKey: invite.seatKey });
    expect(await again.next("error")).toMatchObject({ code: "REMOVED_BY_CUSTOMER" });
    expect((await again.waitClosed()).code).toBe(1008);
    customer.client.send({ type: "offer", to: colleagueId, sdp: "v=0" });
    expect(await customer.client.next("error")).toMatchObject({ code: "PEER_NOT_FOUND" });
  });

  it("writes the invite, the customer's admission and removal to the audit log", async () => {
    const admin = await enrolledBrowser({ isAdmin: true, name: "Audra Colleagues" });
    const { code, customer, tech, colleague, carla, owner } = await openWithColleague();
    const colleagueId = colleague.welcome.participantId;
    await verify(colleague, customer);
    customer.client.send({ type: "admit", id: colleagueId });
    await tech.client.take("peerJoined", 2);
    customer.client.send({ type: "remove", id: colleagueId });
    await tech.client.next("peerGone");
    let found: AuditEntry[] = [];
    const colleagueEntries = async () => {
      const page = await admin.call<AuditEntriesPage>(`/api/audit/entries?session=${code}`);
      found = page.body.entries.map((line) => JSON.parse(line) as AuditEntry).filter((e) => /^colleague_/.test(e.type));
      return found.length;
    };
    await expect.poll(colleagueEntries, { timeout: 30_000 }).toBe(3);
    expect(found.map((e) => [e.type, e.actor, e.data])).toEqual([
      ["colleague_invited", `technician:${owner.technician.id}`, {}],
      ["colleague_admitted", "customer", { technician: carla.technician.id }],
      ["colleague_removed", "customer", { technician: carla.technician.id }],
    ]);
  });

  it("hands the session to a colleague the customer let in: everyone hears it, the sessions table follows", async () => {
    const { code, customer, tech, colleague, carla } = await openWithColleague();
    const colleagueId = colleague.welcome.participantId;
    await verify(colleague, customer);
    customer.client.send({ type: "admit", id: colleagueId });
    await tech.client.take("peerJoined", 2);
    tech.client.send({ type: "handOver", id: colleagueId });
    for (const seat of [tech, customer, colleague]) {
      expect(await seat.client.next("ownerChanged")).toEqual({ type: "ownerChanged", id: colleagueId });
    }
    const ownerOf = async () =>
      (
        await env.DB.prepare("SELECT technician_id FROM sessions WHERE code = ?")
          .bind(code)
          .first<{ technician_id: string }>()
      )?.technician_id;
    await expect.poll(ownerOf, { timeout: 30_000 }).toBe(carla.technician.id);
    // The former owner can no longer end it; the new owner can.
    tech.client.send({ type: "end" });
    expect(await tech.client.next("error")).toMatchObject({ code: "WRONG_ROLE" });
    colleague.client.send({ type: "end" });
    expect(await customer.client.next("ended")).toMatchObject({ reason: "ended_by_technician" });
  });
});
