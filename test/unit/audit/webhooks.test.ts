import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import type { AuditInput } from "#protocol/audit.ts";
import { type WebhookEventType, WebhookPayload } from "#protocol/webhooks.ts";
import { findEndpoint, insertEndpoint, listAttempts } from "../../../worker/db/webhooks.ts";
import { WebhookDispatcher } from "../../../worker/webhooks/dispatcher.ts";
import { DEFAULT_RETRY_S, webhookSettings } from "../../../worker/webhooks/settings.ts";
import { isPrivateAddress, targetProblem } from "../../../worker/webhooks/targets.ts";
import { testLog } from "../../helpers/audit-log.ts";

// Webhook delivery over a real audit log (the migrations in SQLite, the real writer), on a clock the test moves.
// The receiver is a function standing in for the network: it records each request and answers with the status
// the test chose.

const SECRET = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
const URL_OK = "https://helpdesk.example.com/hooks/tether";
const ALL_EVENTS: WebhookEventType[] = ["session.created", "session.started", "session.ended"];

type Received = { id: string; timestamp: string; signature: string; body: string };

function setUp({ retryDelaysMs = [1_000, 5_000], allowPrivate = false } = {}) {
  const log = testLog();
  const received: Received[] = [];
  /** Statuses to answer, in order; 200 once they run out. */
  const answers: (number | "unreachable")[] = [];
  const dispatcher = new WebhookDispatcher({
    db: log.db,
    now: () => log.clock.now,
    settings: { retryDelaysMs, timeoutMs: 15_000, allowPrivate },
    fetch: async (_url, init) => {
      const headers = init.headers as Record<string, string>;
      received.push({
        id: headers["webhook-id"] ?? "",
        timestamp: headers["webhook-timestamp"] ?? "",
        signature: headers["webhook-signature"] ?? "",
        body: String(init.body),
      });
      const answer = answers.shift() ?? 200;
      if (answer === "unreachable") throw new TypeError("fetch failed");
      return new Response(null, { status: answer });
    },
  });
  async function addEndpoint(url = URL_OK, events = ALL_EVENTS) {
    return insertEndpoint(log.db, {
      id: `ep_${"a".repeat(22)}`,
      url,
      events,
      secret: SECRET,
      description: "",
      createdBy: "tech-1",
      createdAt: log.clock.now,
    });
  }
  const append = (input: AuditInput) => log.writer.append(input);
  return { log, received, answers, dispatcher, addEndpoint, append };
}

const CODE = "123456789";

function sessionEvents(code = CODE): AuditInput[] {
  return [
    {
      actor: "technician:tech-1",
      session: code,
      type: "session_created",
      data: { caseNumber: "C-1", reference: "zendesk:12345", expiresAt: 1_700_003_600_000, isHelpRequest: false },
    },
    { actor: "technician:tech-1", session: code, type: "technician_admitted", data: { technician: "tech-1" } },
    { actor: "customer", session: code, type: "handshake_succeeded", data: { technician: "tech-1" } },
    { actor: "customer", session: code, type: "session_ended", data: { reason: "ended_by_customer" } },
  ];
}

function payloads(received: Received[]): WebhookPayload[] {
  return received.map((r) => WebhookPayload.parse(JSON.parse(r.body)));
}

describe("webhook delivery", () => {
  it("sends a session's events in the log's order, signed per Standard Webhooks, with the helpdesk's reference", async () => {
    const { log, received, dispatcher, addEndpoint, append } = setUp();
    await addEndpoint();
    await append({ actor: "technician:tech-1", session: null, type: "sign_in_succeeded", data: {} });
    for (const [i, input] of sessionEvents().entries()) {
      log.clock.now += i * 60_000;
      await append(input);
    }
    expect(await dispatcher.run()).toBeNull();

    expect(payloads(received).map((p) => p.type)).toEqual(["session.created", "session.started", "session.ended"]);
    // Signed with the endpoint's secret over id, sending time and body (the receivers' check is in the servers suite).
    for (const r of received) {
      expect(r.signature).toBe(new Webhook(SECRET).sign(r.id, new Date(Number(r.timestamp) * 1000), r.body));
    }
    // Message ids are the entries' seqs: entry 0 is the sign-in, which is no event.
    expect(received.map((r) => r.id)).toEqual(["msg_1", "msg_3", "msg_4"]);
    const [created, started, ended] = payloads(received);
    expect(created?.data).toEqual({
      session: CODE,
      reference: "zendesk:12345",
      isHelpRequest: false,
      expiresAt: new Date(1_700_003_600_000).toISOString(),
    });
    expect(started?.data).toEqual({
      session: CODE,
      reference: "zendesk:12345",
      technician: "tech-1",
      verifiedBy: "link",
    });
    expect(ended?.data).toEqual({
      session: CODE,
      reference: "zendesk:12345",
      reason: "ended_by_customer",
      durationS: 360,
      verifiedBy: "link",
      isRecorded: false,
    });
    // Nothing is sent twice.
    expect(await dispatcher.run()).toBeNull();
    expect(received).toHaveLength(3);
  });

  it("sends only the events an endpoint chose, and a failed handshake as session.verification_failed", async () => {
    const { received, dispatcher, addEndpoint, append } = setUp();
    await addEndpoint(URL_OK, ["session.verification_failed"]);
    const [created] = sessionEvents();
    await append(created as AuditInput);
    await append({ actor: "customer", session: CODE, type: "handshake_failed", data: { technician: "tech-2" } });
    await append({ actor: "customer", session: CODE, type: "verification_mismatch", data: {} });
    await dispatcher.run();
    expect(payloads(received)).toEqual([
      expect.objectContaining({
        type: "session.verification_failed",
        data: { session: CODE, reference: "zendesk:12345", reason: "handshake_failed" },
      }),
      expect.objectContaining({
        type: "session.verification_failed",
        data: { session: CODE, reference: "zendesk:12345", reason: "code_mismatch" },
      }),
    ]);
  });

  it("gives an endpoint only what is logged after it was added", async () => {
    const { received, dispatcher, addEndpoint, append } = setUp();
    for (const input of sessionEvents("111111111")) await append(input);
    await addEndpoint();
    for (const input of sessionEvents("222222222")) await append(input);
    await dispatcher.run();
    expect(new Set(payloads(received).map((p) => p.data.session))).toEqual(new Set(["222222222"]));
  });

  it("holds later messages behind a failed one and retries it on the schedule, each delivered once", async () => {
    const { log, received, answers, dispatcher, addEndpoint, append } = setUp({ retryDelaysMs: [1_000, 5_000] });
    const endpoint = await addEndpoint();
    for (const input of sessionEvents()) await append(input);
    answers.push(500, "unreachable");

    const t0 = log.clock.now;
    expect(await dispatcher.run()).toBe(t0 + 1_000);
    expect(received.map((r) => r.id)).toEqual(["msg_0"]);
    // Not yet due: nothing is sent.
    log.clock.now = t0 + 999;
    expect(await dispatcher.run()).toBe(t0 + 1_000);
    expect(received).toHaveLength(1);

    log.clock.now = t0 + 1_000;
    expect(await dispatcher.run()).toBe(t0 + 6_000);
    log.clock.now = t0 + 6_000;
    expect(await dispatcher.run()).toBeNull();

    expect(received.map((r) => r.id)).toEqual(["msg_0", "msg_0", "msg_0", "msg_2", "msg_3"]);
    const attempts = (await listAttempts(log.db, endpoint.id, 10)).reverse();
    expect(attempts.map((a) => [a.messageId, a.attempt, a.status])).toEqual([
      ["msg_0", 1, 500],
      ["msg_0", 2, null],
      ["msg_0", 3, 200],
      ["msg_2", 1, 200],
      ["msg_3", 1, 200],
    ]);
    expect(attempts[1]?.error).toBe("The receiver could not be reached.");
  });

  it("disables an endpoint whose message failed every retry, and resumes at that message once enabled", async () => {
    const { log, received, answers, dispatcher, addEndpoint, append } = setUp({ retryDelaysMs: [1_000] });
    const endpoint = await addEndpoint();
    for (const input of sessionEvents()) await append(input);
    answers.push(503, 503);
    const t0 = log.clock.now;
    expect(await dispatcher.run()).toBe(t0 + 1_000);
    log.clock.now = t0 + 1_000;
    expect(await dispatcher.run()).toBeNull();
    const disabled = await findEndpoint(log.db, endpoint.id);
    expect(disabled?.disabled_at).toBe(t0 + 1_000);
    expect(disabled?.disabled_reason).toBe(
      "Every attempt to deliver msg_0 (session.created) failed; the last: HTTP 503",
    );
    // Disabled: later runs send nothing.
    log.clock.now += 3_600_000;
    expect(await dispatcher.run()).toBeNull();
    expect(received).toHaveLength(2);

    log.sqlite
      .prepare("UPDATE webhook_endpoints SET disabled_at = NULL, failures = 0, next_attempt_at = 0 WHERE id = ?")
      .run(endpoint.id);
    expect(await dispatcher.run()).toBeNull();
    expect(received.map((r) => r.id)).toEqual(["msg_0", "msg_0", "msg_0", "msg_2", "msg_3"]);
  });

  it("say whether the log's growth needs them: not after a run found no enabled endpoint, until one is added", async () => {
    const { dispatcher, addEndpoint } = setUp();
    expect(dispatcher.isNeeded).toBe(true);
    await dispatcher.run();
    expect(dispatcher.isNeeded).toBe(false);
    dispatcher.expectEndpoints();
    expect(dispatcher.isNeeded).toBe(true);
    await addEndpoint();
    await dispatcher.run();
    expect(dispatcher.isNeeded).toBe(true);
  });

  it("redelivers an earlier message with its own id, logged as manual; not one it never sent", async () => {
    const { log, received, dispatcher, addEndpoint, append } = setUp();
    const endpoint = await addEndpoint();
    for (const input of sessionEvents()) await append(input);
    await dispatcher.run();
    expect(await dispatcher.redeliver(endpoint.id, "msg_2")).toBe("sent");
    expect(received.at(-1)?.id).toBe("msg_2");
    expect(received.at(-1)?.body).toBe(received[1]?.body);
    expect((await listAttempts(log.db, endpoint.id, 1))[0]).toMatchObject({ messageId: "msg_2", isManual: true });
    // Entry 1 is no event; entry 9 is not logged yet; another endpoint is not this one.
    expect(await dispatcher.redeliver(endpoint.id, "msg_1")).toBe("not_found");
    expect(await dispatcher.redeliver(endpoint.id, "msg_9")).toBe("not_found");
    expect(await dispatcher.redeliver(`ep_${"b".repeat(22)}`, "msg_2")).toBe("not_found");
  });

  it("refuses at delivery a target that became private, and a name that resolves inside", async () => {
    const { log, received, dispatcher, addEndpoint, append } = setUp({ retryDelaysMs: [] });
    const endpoint = await addEndpoint("https://10.1.2.3/hook");
    await append(sessionEvents()[0] as AuditInput);
    expect(await dispatcher.run()).toBeNull();
    expect(received).toEqual([]);
    expect((await listAttempts(log.db, endpoint.id, 1))[0]).toMatchObject({
      status: null,
      error: "The URL points to a private or loopback address; webhooks go to public addresses only.",
    });

    const resolving = new WebhookDispatcher({
      db: log.db,
      now: () => log.clock.now,
      settings: { retryDelaysMs: [], timeoutMs: 1_000, allowPrivate: false },
      fetch: async () => {
        throw new Error("must not be called");
      },
      resolve: async () => ["203.0.113.9", "::ffff:127.0.0.1"],
    });
    const other = await insertEndpoint(log.db, {
      id: `ep_${"c".repeat(22)}`,
      url: URL_OK,
      events: ALL_EVENTS,
      secret: SECRET,
      description: "",
      createdBy: "tech-1",
      createdAt: log.clock.now,
    });
    await append(sessionEvents()[3] as AuditInput);
    await resolving.run();
    expect((await listAttempts(log.db, other.id, 1))[0]?.error).toBe(
      "The receiver's name resolves to a private or loopback address; webhooks go to public addresses only.",
    );
  });
});

describe("webhook targets", () => {
  it.each([
    ["http://helpdesk.example.com/h", "The URL must start with https://."],
    ["https://user:pw@helpdesk.example.com/h", "The URL must not contain a user name or password."],
    ["https://127.0.0.1/h", "private or loopback address"],
    ["https://[::1]/h", "private or loopback address"],
    ["https://[::ffff:10.0.0.1]/h", "private or loopback address"],
    ["https://169.254.169.254/latest/meta-data", "private or loopback address"],
    ["https://192.168.1.10/h", "private or loopback address"],
    ["https://[fd00::1]/h", "private or loopback address"],
    ["https://localhost/h", "private network"],
    ["https://printer.local/h", "private network"],
    ["https://intranet/h", "private network"],
    ["not a url", "not a valid absolute URL"],
  ])("refuses %s", (url, problem) => {
    expect(targetProblem(url, false)).toContain(problem);
  });

  it("accepts public HTTPS, and private or plain HTTP targets only where an admin allowed them", () => {
    expect(targetProblem("https://helpdesk.example.com/hooks?token=x", false)).toBeNull();
    expect(targetProblem("https://203.0.113.7/h", false)).toBeNull();
    expect(targetProblem("http://127.0.0.1:9000/h", true)).toBeNull();
    expect(targetProblem("ftp://127.0.0.1/h", true)).toBe("The URL must start with https://.");
  });

  it("knows private addresses of both families", () => {
    for (const ip of ["10.0.0.1", "172.16.0.1", "100.64.0.1", "0.0.0.0", "224.0.0.1", "::", "fe80::1", "ff02::1"]) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
    for (const ip of ["8.8.8.8", "172.32.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"]) {
      expect(isPrivateAddress(ip), ip).toBe(false);
    }
  });
});

describe("webhook settings", () => {
  it("default to Standard Webhooks' schedule, 15 s and public targets only", () => {
    expect(webhookSettings({})).toEqual({
      ok: true,
      settings: { retryDelaysMs: DEFAULT_RETRY_S.map((s) => s * 1000), timeoutMs: 15_000, allowPrivate: false },
    });
    expect(webhookSettings({ WEBHOOK_RETRY_S: "1, 2", WEBHOOK_ALLOW_PRIVATE: "on" })).toMatchObject({
      settings: { retryDelaysMs: [1_000, 2_000], allowPrivate: true },
    });
  });

  it("name the variable that is wrong", () => {
    const result = webhookSettings({ WEBHOOK_RETRY_S: "5,soon", WEBHOOK_TIMEOUT_S: "0", WEBHOOK_ALLOW_PRIVATE: "yes" });
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    expect(issues.map((issue) => issue.split(" ")[0])).toEqual([
      "WEBHOOK_RETRY_S",
      "WEBHOOK_TIMEOUT_S",
      "WEBHOOK_ALLOW_PRIVATE",
    ]);
  });
});
