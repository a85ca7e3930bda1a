import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreatedSession } from "#protocol/sessions.ts";
import { newSeatKey } from "../helpers/handshake.ts";
import { upgrade } from "../helpers/node/room-socket.ts";
import { SERVER_NAMES, startServer, type TestServer } from "../helpers/node/servers.ts";
import { enrolTechnician, postJson, type SignedIn } from "../helpers/node/technicians.ts";

// Sign-ins the server takes back, against both hosts: the cookie stops working at once, and a room closes the
// technician's open socket at its next sign-in check. SIGN_IN_CHECK_S is 1 here so that the check comes soon; the
// tests wait for the close itself (up to the frame wait), never for a fixed time.

const VARS = {
  MAX_SESSIONS_PER_TECHNICIAN: "100",
  RATE_CREATE_PER_MIN: "10000",
  RATE_SIGNIN_PER_MIN: "10000",
  RATE_JOIN_PER_MIN: "10000",
  SIGN_IN_CHECK_S: "1",
};

describe.each(SERVER_NAMES)("%s", (name) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(name, { vars: VARS });
  });

  afterAll(async () => {
    await server?.stop();
  });

  function get(path: string, cookie: string): Promise<Response> {
    return fetch(`${server.origin}${path}`, { headers: { cookie } });
  }

  /** A session of `owner` with the owner's and the customer's sockets seated. */
  async function seatedPair(owner: SignedIn) {
    const { seatKey, customerKeyHash } = await newSeatKey();
    const res = await postJson(server, "/api/sessions", { customerKeyHash }, owner.cookie);
    expect(res.status).toBe(201);
    const { code } = (await res.json()) as CreatedSession;
    const url = (role: string) => `${server.origin.replace(/^http/, "ws")}/api/sessions/${code}/ws?role=${role}`;
    const techUp = await upgrade(url("technician"), { Origin: server.origin, Cookie: owner.cookie });
    const customerUp = await upgrade(url("customer"), { Origin: server.origin });
    if (!techUp.ok || !customerUp.ok) throw new Error("upgrade refused");
    const tech = techUp.socket;
    const customer = customerUp.socket;
    tech.send({ type: "hello", version: 1 });
    const techWelcome = await tech.next("welcome");
    customer.send({ type: "hello", version: 1, seatKey });
    await customer.next("welcome");
    return { code, tech, techWelcome, customer };
  }

  it("signing out ends the sign-in on the server, answered no-store", async () => {
    const owner = await enrolTechnician(server, "Sam Signout");
    const me = await get("/api/me", owner.cookie);
    expect(me.status).toBe(200);
    expect(me.headers.get("cache-control")).toBe("no-store");

    const out = await postJson(server, "/api/auth/logout", {}, owner.cookie);
    expect(out.status).toBe(204);

    const after = await get("/api/me", owner.cookie);
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: { code: "SIGN_IN_REVOKED" } });
    const created = await postJson(server, "/api/sessions", { customerKeyHash: "h".repeat(43) }, owner.cookie);
    expect(created.status).toBe(401);
  });

  it("closes a signed-out technician's open socket at the room's next check; the customer stays", async () => {
    const owner = await enrolTechnician(server, "Olivia Owner");
    const { tech, techWelcome, customer } = await seatedPair(owner);

    expect((await postJson(server, "/api/auth/logout", {}, owner.cookie)).status).toBe(204);

    expect(await tech.next("error")).toMatchObject({ code: "SIGN_IN_REVOKED" });
    expect((await tech.waitClosed()).code).toBe(1008);
    expect(await customer.next("peerGone")).toEqual({ type: "peerGone", id: techWelcome.participantId });
    await customer.sync();
    expect(customer.isClosed).toBe(false);
  });

  it("removing a technician ends their sign-ins and closes their open socket", async () => {
    const admin = await enrolTechnician(server, "Ada Admin");
    const tech = await enrolTechnician(server, "Tim Removed", false);
    const { tech: socket, techWelcome, customer } = await seatedPair(tech);

    const removed = await fetch(`${server.origin}/api/technicians/${tech.id}`, {
      method: "DELETE",
      headers: { origin: server.origin, cookie: admin.cookie },
    });
    expect(removed.status).toBe(204);

    const me = await get("/api/me", tech.cookie);
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ error: { code: "SIGN_IN_REVOKED" } });
    expect(await socket.next("error")).toMatchObject({ code: "SIGN_IN_REVOKED" });
    expect((await socket.waitClosed()).code).toBe(1008);
    expect(await customer.next("peerGone")).toEqual({ type: "peerGone", id: techWelcome.participantId });

    const list = await get("/api/technicians", admin.cookie);
    expect(list.headers.get("cache-control")).toBe("no-store");
    const { technicians } = (await list.json()) as { technicians: { id: string; isAdmin: boolean }[] };
    expect(technicians.map((t) => t.id)).not.toContain(tech.id);
  });
});
