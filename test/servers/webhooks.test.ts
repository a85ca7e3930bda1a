import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreatedSession } from "#protocol/sessions.ts";
import type { CreatedWebhook, WebhookAttempts, WebhookEventType, WebhookList } from "#protocol/webhooks.ts";
import { completeHandshake, newSeatKey } from "../helpers/handshake.ts";
import { type RoomSocket, upgrade } from "../helpers/node/room-socket.ts";
import { SERVER_NAMES, startServer, type TestServer } from "../helpers/node/servers.ts";
import { enrolTechnician, postJson, type SignedIn } from "../helpers/node/technicians.ts";
import { type Receiver, startReceiver } from "../helpers/node/webhook-receiver.ts";

// Helpdesk webhooks on both hosts, end to end: an admin adds endpoints of a receiver on loopback (private targets
// allowed here, as in development), a real session runs through the room (a technician and a customer seated, the
// handshake's frames, the customer's End), and the receiver verifies every delivery with the standardwebhooks
// package. Retries wait 1 s each here; the schedule itself is tested on a moved clock (test/unit/webhooks.test.ts).

const VARS = {
  RATE_CREATE_PER_MIN: "10000",
  RATE_SIGNIN_PER_MIN: "10000",
  RATE_JOIN_PER_MIN: "10000",
  WEBHOOK_ALLOW_PRIVATE: "on",
  WEBHOOK_RETRY_S: "1,1,1",
};

/** Upper bound for deliveries that follow a session, retries included: a wait for an event, not an expectation. */
const DELIVERED_WITHIN_MS = 60_000;

const SESSION_EVENTS: WebhookEventType[] = [
  "session.created",
  "session.started",
  "session.verification_failed",
  "session.ended",
];

describe.each(SERVER_NAMES)("%s", (name) => {
  let server: TestServer;
  let receiver: Receiver;
  let admin: SignedIn;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(name, { vars: VARS }), startReceiver()]);
    admin = await enrolTechnician(server, "Hedda Helpdesk");
  });

  afterAll(async () => {
    await Promise.all([server?.stop(), receiver?.close()]);
  });

  async function get<T>(path: string): Promise<T> {
    const res = await fetch(`${server.origin}${path}`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  }

  /** Adds an endpoint at `path` of the receiver, which learns its secret. */
  async function addEndpoint(path: string, events = SESSION_EVENTS): Promise<CreatedWebhook> {
    const res = await postJson(
      server,
      "/api/webhooks",
      { url: `${receiver.origin}${path}`, events, description: "Helpdesk" },
      admin.cookie,
    );
    expect(res.status).toBe(201);
    const created = (await res.json()) as CreatedWebhook;
    receiver.setSecret(path, created.secret);
    return created;
  }

  async function connect(code: string, role: "customer" | "technician", cookie?: string): Promise<RoomSocket> {
    const url = `${server.origin.replace(/^http/, "ws")}/api/sessions/${code}/ws?role=${role}`;
    const result = await upgrade(url, { Origin: server.origin, ...(cookie ? { Cookie: cookie } : {}) });
    if (!result.ok) throw new Error(`upgrade refused: ${result.status} ${result.body}`);
    return result.socket;
  }

  /** A session with reference `reference`: both seated, the handshake confirmed (or refused), the customer ends it. */
  async function runSession(reference: string, isVerified = true): Promise<string> {
    const { seatKey, customerKeyHash } = await newSeatKey();
    const res = await postJson(server, "/api/sessions", { customerKeyHash, reference }, admin.cookie);
    expect(res.status).toBe(201);
    const { code } = (await res.json()) as CreatedSession;
    const tech = await connect(code, "technician", admin.cookie);
    tech.send({ type: "hello", version: 1 });
    const techWelcome = await tech.next("welcome");
    const customer = await connect(code, "customer");
    customer.send({ type: "hello", version: 1, seatKey });
    const customerWelcome = await customer.next("welcome");
    await completeHandshake(
      { side: tech, id: techWelcome.participantId },
      { side: customer, id: customerWelcome.participantId },
      isVerified,
    );
    customer.send({ type: "end" });
    await customer.next("ended");
    return code;
  }

  /** The verified payloads `path` accepted for session `code`, once `count` of them arrived. */
  async function acceptedFor(path: string, code: string, count: number) {
    let found: ReturnType<Receiver["accepted"]> = [];
    await expect
      .poll(
        () => {
          found = receiver.accepted(path).filter((d) => d.payload?.data.session === code);
          return found.length;
        },
        { timeout: DELIVERED_WITHIN_MS, interval: 100 },
      )
      .toBeGreaterThanOrEqual(count);
    return found;
  }

  it("delivers a session's events in order, signed, with the helpdesk's reference", async () => {
    const { endpoint, secret } = await addEndpoint("/helpdesk");
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const listed = await get<WebhookList>("/api/webhooks");
    expect(listed.endpoints).toContainEqual(expect.objectContaining({ id: endpoint.id, disabledAt: null }));
    expect(JSON.stringify(listed)).not.toContain(secret);

    const code = await runSession("zendesk:4711");
    const delivered = await acceptedFor("/helpdesk", code, 3);
    expect(delivered.map((d) => d.payload?.type)).toEqual(["session.created", "session.started", "session.ended"]);
    expect(delivered.every((d) => d.payload?.data.reference === "zendesk:4711")).toBe(true);
    expect(delivered[2]?.payload?.data).toMatchObject({
      reason: "ended_by_customer",
      verifiedBy: "link",
      isRecorded: false,
    });
    // Every request to this endpoint verified: none was refused by the receiver's signature check.
    expect(receiver.deliveries.filter((d) => d.path === "/helpdesk" && d.status === 400)).toEqual([]);

    const failed = await runSession("zendesk:4712", false);
    const events = await acceptedFor("/helpdesk", failed, 3);
    expect(events.map((d) => d.payload?.type)).toEqual([
      "session.created",
      "session.verification_failed",
      "session.ended",
    ]);
  });

  it("retries a receiver that fails twice, which then gets every event exactly once", async () => {
    const { endpoint } = await addEndpoint("/flaky");
    receiver.failNext("/flaky", 2);
    const code = await runSession("freshdesk:99");
    const accepted = await acceptedFor("/flaky", code, 3);
    const ids = accepted.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(accepted.map((d) => d.payload?.type)).toEqual(["session.created", "session.started", "session.ended"]);
    const { attempts } = await get<WebhookAttempts>(`/api/webhooks/${endpoint.id}/attempts`);
    expect(
      attempts
        .toReversed()
        .slice(0, 3)
        .map((a) => [a.messageId, a.attempt, a.status]),
    ).toEqual([
      [ids[0], 1, 500],
      [ids[0], 2, 500],
      [ids[0], 3, 204],
    ]);
  });

  it("disables an endpoint after every retry failed, says why, and resumes where it stopped once enabled", async () => {
    const { endpoint } = await addEndpoint("/down", ["session.created"]);
    receiver.failNext("/down", Number.POSITIVE_INFINITY);
    const code = await runSession("jira:OPS-1");
    await expect
      .poll(
        async () => (await get<WebhookList>("/api/webhooks")).endpoints.find((e) => e.id === endpoint.id)?.disabledAt,
        { timeout: DELIVERED_WITHIN_MS, interval: 200 },
      )
      .toEqual(expect.any(Number));
    const { endpoints } = await get<WebhookList>("/api/webhooks");
    expect(endpoints.find((e) => e.id === endpoint.id)?.disabledReason).toMatch(
      /^Every attempt to deliver msg_\d+ \(session\.created\) failed; the last: HTTP 500$/,
    );
    expect(receiver.deliveries.filter((d) => d.path === "/down")).toHaveLength(4);

    receiver.failNext("/down", 0);
    const enabled = await postJson(server, `/api/webhooks/${endpoint.id}/enable`, {}, admin.cookie);
    expect(enabled.status).toBe(200);
    const [created] = await acceptedFor("/down", code, 1);
    expect(created?.payload?.type).toBe("session.created");

    const again = await postJson(
      server,
      `/api/webhooks/${endpoint.id}/redeliver`,
      { messageId: created?.id },
      admin.cookie,
    );
    expect(await again.json()).toEqual({ isDelivered: true });
    expect(receiver.accepted("/down").map((d) => d.id)).toEqual([created?.id, created?.id]);
  });
});
