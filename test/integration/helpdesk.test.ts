import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { MeResponse } from "#protocol/auth.ts";
import type { ErrorBody } from "#protocol/errors.ts";
import type { OwnSessions } from "#protocol/sessions.ts";
import type { CreatedToken, TokenList } from "#protocol/tokens.ts";
import type { CreatedWebhook, WebhookAttempts, WebhookList } from "#protocol/webhooks.ts";
import { newSeatKey } from "../helpers/handshake.ts";
import { enrolledBrowser } from "../helpers/workers/passkey-api.ts";
import { createSession, ORIGIN, randomIp } from "../helpers/workers/ws.ts";

// The helpdesk integration's routes on workerd: the admin's webhook endpoints with this repository's [vars] (private targets refused): who may call them,
// what they refuse and why, and what they store. Delivery itself runs in test/unit/audit/webhooks.test.ts (on a
// moved clock) and test/servers/webhooks.test.ts (to a real receiver, on both hosts). And a technician's API tokens,
// with which a helpdesk's server creates sessions.

const PUBLIC_URL = "https://helpdesk.example.com/hooks/tether";

describe("webhook endpoints", () => {
  it("are added by an admin, who sees the secret once, listed without it, and removed", async () => {
    const admin = await enrolledBrowser({ isAdmin: true, name: "Wendy Webhook" });
    const created = await admin.call<CreatedWebhook>("/api/webhooks", {
      body: { url: PUBLIC_URL, events: ["session.created", "session.ended", "session.created"], description: " HD " },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.body.endpoint).toMatchObject({
      url: PUBLIC_URL,
      events: ["session.created", "session.ended"],
      description: "HD",
      failures: 0,
      disabledAt: null,
    });
    const id = created.body.endpoint.id;

    const list = await admin.call<WebhookList>("/api/webhooks");
    expect(list.body.endpoints.map((e) => e.id)).toContain(id);
    expect(JSON.stringify(list.body)).not.toContain(created.body.secret);
    expect((await admin.call<WebhookAttempts>(`/api/webhooks/${id}/attempts`)).status).toBe(200);

    const stored = await env.DB.prepare("SELECT type FROM audit_entries WHERE type LIKE 'webhook_%' ORDER BY seq")
      .all<{ type: string }>()
      .then((r) => r.results.map((row) => row.type));
    expect(stored).toContain("webhook_added");

    expect((await admin.call(`/api/webhooks/${id}`, { method: "DELETE" })).status).toBe(204);
    const again = await admin.call<ErrorBody>(`/api/webhooks/${id}`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe("NOT_FOUND");
  });

  it("refuse targets inside the server's network, and plain HTTP, saying why", async () => {
    const admin = await enrolledBrowser({ isAdmin: true, name: "Sam Ssrf" });
    for (const [url, message] of [
      ["http://127.0.0.1:8080/hook", "The URL must start with https://."],
      ["https://127.0.0.1/hook", "private or loopback address"],
      ["https://169.254.169.254/latest/meta-data/", "private or loopback address"],
      ["https://[::ffff:10.0.0.1]/hook", "private or loopback address"],
      ["https://localhost/hook", "private network"],
    ] as const) {
      const res = await admin.call<ErrorBody>("/api/webhooks", { body: { url, events: ["session.created"] } });
      expect(res.status, url).toBe(400);
      expect(res.body.error.code).toBe("WEBHOOK_TARGET_NOT_ALLOWED");
      expect(res.body.error.message).toContain(message);
    }
  });

  it("refuse malformed bodies with a specific error, and everyone but a signed-in admin", async () => {
    const admin = await enrolledBrowser({ isAdmin: true, name: "Bea Bodies" });
    for (const body of [
      { url: PUBLIC_URL, events: [] },
      { url: PUBLIC_URL, events: ["session.exploded"] },
      { url: PUBLIC_URL, events: ["session.created"], secret: "mine" },
      { url: "x".repeat(3000), events: ["session.created"] },
    ]) {
      const res = await admin.call<ErrorBody>("/api/webhooks", { body });
      expect([400, 413]).toContain(res.status);
      expect(["BAD_REQUEST", "PAYLOAD_TOO_LARGE"]).toContain(res.body.error.code);
    }
    const unknown = `ep_${"x".repeat(22)}`;
    expect((await admin.call<ErrorBody>(`/api/webhooks/${unknown}/enable`, { method: "POST" })).status).toBe(404);
    const redeliver = await admin.call<ErrorBody>(`/api/webhooks/${unknown}/redeliver`, {
      body: { messageId: "msg_1" },
    });
    expect(redeliver.body.error.code).toBe("NOT_FOUND");
    expect((await admin.call<ErrorBody>("/api/webhooks/not-an-id", { method: "DELETE" })).status).toBe(400);

    const tech = await enrolledBrowser({ name: "Tom Notadmin" });
    expect((await tech.call<ErrorBody>("/api/webhooks")).body.error.code).toBe("FORBIDDEN");
    tech.cookie = null;
    expect((await tech.call<ErrorBody>("/api/webhooks")).body.error.code).toBe("UNAUTHENTICATED");
  });
});

describe("a session's external reference", () => {
  it("is stored, listed for its technician and written to the audit log; a malformed one is refused", async () => {
    const tech = await enrolledBrowser({ name: "Rita Reference" });
    const cookie = `tether_session=${tech.cookie}`;
    const res = await createSession(cookie, { reference: "zendesk:12345" });
    expect(res.status).toBe(201);
    const { code } = (await res.json()) as { code: string };
    const own = await tech.call<OwnSessions>("/api/sessions");
    expect(own.body.sessions.find((s) => s.code === code)?.reference).toBe("zendesk:12345");
    const row = await env.DB.prepare("SELECT entry FROM audit_entries WHERE session = ? AND type = 'session_created'")
      .bind(code)
      .first<{ entry: string }>();
    expect(JSON.parse(row?.entry ?? "{}").data.reference).toBe("zendesk:12345");

    for (const reference of ["has space", "x".repeat(101), ":leading", ""]) {
      const bad = await createSession(cookie, { reference });
      expect(bad.status, reference).toBe(400);
    }
  });
});

describe("API tokens", () => {
  /** POST /api/sessions as a helpdesk's server: the token, no cookie, no Origin. */
  async function createWithToken(token: string, body: Record<string, unknown>) {
    const { customerKeyHash } = await newSeatKey();
    return SELF.fetch(`${ORIGIN}/api/sessions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", "CF-Connecting-IP": randomIp() },
      body: JSON.stringify({ customerKeyHash, ...body }),
    });
  }

  it("let a helpdesk create sessions for their technician until revoked, and are audited", async () => {
    const tech = await enrolledBrowser({ name: "Tia Token" });
    const made = await tech.call<CreatedToken>("/api/tokens", {
      body: { name: "Zendesk app", scopes: ["sessions:create"] },
    });
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^tth_[A-Za-z0-9_-]{43}$/);
    const listed = await tech.call<TokenList>("/api/tokens");
    expect(listed.body.tokens).toEqual([
      {
        id: made.body.apiToken.id,
        name: "Zendesk app",
        scopes: ["sessions:create"],
        createdAt: expect.any(Number),
        lastUsedAt: null,
      },
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(made.body.token);

    const res = await createWithToken(made.body.token, { reference: "zendesk:777" });
    expect(res.status).toBe(201);
    const { code } = (await res.json()) as { code: string };
    const own = await tech.call<OwnSessions>("/api/sessions");
    expect(own.body.sessions.find((s) => s.code === code)?.reference).toBe("zendesk:777");
    const entry = await env.DB.prepare("SELECT entry FROM audit_entries WHERE session = ? AND type = 'session_created'")
      .bind(code)
      .first<{ entry: string }>();
    const me = await tech.call<MeResponse>("/api/me");
    expect(JSON.parse(entry?.entry ?? "{}")).toMatchObject({
      actor: `technician:${me.body.technician.id}`,
      data: { apiToken: made.body.apiToken.id, reference: "zendesk:777" },
    });
    expect((await tech.call<TokenList>("/api/tokens")).body.tokens[0]?.lastUsedAt).toEqual(expect.any(Number));

    expect((await tech.call(`/api/tokens/${made.body.apiToken.id}`, { method: "DELETE" })).status).toBe(204);
    const revoked = await createWithToken(made.body.token, {});
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as ErrorBody).error.code).toBe("TOKEN_INVALID");
    const types = await env.DB.prepare("SELECT type FROM audit_entries WHERE type LIKE 'api_token_%' ORDER BY seq")
      .all<{ type: string }>()
      .then((r) => r.results.map((row) => row.type));
    expect(types).toEqual(expect.arrayContaining(["api_token_created", "api_token_revoked"]));
  });

  it("refuse unknown tokens, and cannot make tokens, sign in or act from a browser's cookie without Origin", async () => {
    const unknown = await createWithToken(`tth_${"A".repeat(43)}`, {});
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as ErrorBody).error.code).toBe("TOKEN_INVALID");

    const tech = await enrolledBrowser({ name: "Ned Nested" });
    const { body } = await tech.call<CreatedToken>("/api/tokens", {
      body: { name: "App", scopes: ["sessions:create"] },
    });
    const nested = await SELF.fetch(`${ORIGIN}/api/tokens`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${body.token}`,
        "Content-Type": "application/json",
        "CF-Connecting-IP": randomIp(),
      },
      body: JSON.stringify({ name: "More", scopes: ["sessions:create"] }),
    });
    expect(nested.status).toBe(401);
    // A browser's request carries the cookie: then the Origin check stands, token or not.
    const withCookie = await SELF.fetch(`${ORIGIN}/api/sessions`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${body.token}`,
        Cookie: `tether_session=${tech.cookie}`,
        "Content-Type": "application/json",
        "CF-Connecting-IP": randomIp(),
      },
      body: JSON.stringify({ customerKeyHash: "A".repeat(43) }),
    });
    expect(withCookie.status).toBe(403);
    expect(((await withCookie.json()) as ErrorBody).error.code).toBe("ORIGIN_NOT_ALLOWED");
    for (const bad of [{ name: "", scopes: ["sessions:create"] }, { name: "X", scopes: ["admin"] }, { name: "X" }]) {
      expect((await tech.call("/api/tokens", { body: bad })).status).toBe(400);
    }
    expect((await tech.call(`/api/tokens/tok_${"z".repeat(22)}`, { method: "DELETE" })).status).toBe(404);
  });
});
