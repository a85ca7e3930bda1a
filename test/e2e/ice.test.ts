import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { IceConfig } from "#protocol/ice.ts";
import { SEAT_PROOF_HEADER } from "#protocol/sessions.ts";
import { newSeatKey, type SeatKeyPair } from "../helpers/handshake.ts";
import { startTurnApi } from "../helpers/node/cloudflare-turn-api.ts";
import { type DevServer, startDevServer } from "../helpers/node/dev-server.ts";
import { postJson } from "../helpers/node/technicians.ts";

const KEY_ID = "key_e2e_0123456789";
const API_TOKEN = "e2e-turn-api-token-0123456789abcdef";

describe("Cloudflare's TURN service as the relay", () => {
  let api: Awaited<ReturnType<typeof startTurnApi>>;
  let server: DevServer;

  beforeAll(async () => {
    api = await startTurnApi(KEY_ID, API_TOKEN);
    server = await startDevServer({
      vars: {
        TURN_PROVIDER: "cloudflare",
        TURN_KEY_ID: KEY_ID,
        TURN_API_TOKEN: API_TOKEN,
        TURN_API_URL: api.url,
        ICE_POLICY: "relay",
      },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await api?.close();
  });

  /** A help request as the home page makes it, with the seat key its customer's page would hold. */
  async function helpSession(): Promise<{ code: string; expiresAt: number; key: SeatKeyPair }> {
    const key = await newSeatKey();
    const res = await postJson(server, "/api/help", { customerKeyHash: key.customerKeyHash });
    expect(res.status).toBe(201);
    return { ...((await res.json()) as { code: string; expiresAt: number }), key };
  }

  /** GET /api/sessions/CODE/ice as the customer's page asks it, with its seat proof. */
  function getIce(code: string, key: SeatKeyPair): Promise<Response> {
    return fetch(`${server.origin}/api/sessions/${code}/ice`, {
      headers: { [SEAT_PROOF_HEADER]: key.customerKeyHash },
    });
  }

  it("mints credentials through the key API, drops port 53 and never shows the API token", async () => {
    const { code, expiresAt, key } = await helpSession();
    const res = await getIce(code, key);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).not.toContain(API_TOKEN);
    const config = IceConfig.parse(JSON.parse(text));
    expect(config.relay).toBe("cloudflare");
    expect(config.iceTransportPolicy).toBe("relay");
    expect(config.expiresAt).toBeLessThanOrEqual(expiresAt + 60_000);
    const urls = config.iceServers.flatMap((s) => s.urls);
    expect(urls).toContain("turns:turn.cloudflare.com:443?transport=tcp");
    expect(urls.some((u) => /:53(\?|$)/.test(u))).toBe(false);
    const turn = config.iceServers.find((s) => s.username);
    expect(turn && api.issued.has(turn.username ?? "")).toBe(true);

    const call = api.calls.find((c) => c.path.endsWith("/generate-ice-servers"));
    expect(call?.authorization).toBe(`Bearer ${API_TOKEN}`);
    const ttl = (call?.body as { ttl?: number } | undefined)?.ttl;
    expect(ttl).toBeGreaterThanOrEqual(60);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  it("revokes the session's relay credentials when the session ends", async () => {
    const { code, key } = await helpSession();
    const config = IceConfig.parse(await (await getIce(code, key)).json());
    const username = config.iceServers.find((s) => s.username)?.username ?? "";
    expect(api.revoked.has(username)).toBe(false);

    const ws = new WebSocket(`${server.origin.replace("http", "ws")}/api/sessions/${code}/ws?role=customer`, {
      headers: { origin: server.origin },
    });
    const closed = new Promise<number>((resolve) => ws.on("close", (status) => resolve(status)));
    ws.on("open", () => ws.send(JSON.stringify({ type: "hello", version: 1, seatKey: key.seatKey })));
    ws.on("message", (data) => {
      if (JSON.parse(String(data)).type === "welcome") ws.send(JSON.stringify({ type: "end" }));
    });
    expect(await closed).toBe(1000);
    await expect.poll(() => api.revoked.has(username)).toBe(true);
  });

  it("says clearly when the relay service cannot be reached", async () => {
    const { code, key } = await helpSession();
    const before = api.calls.length;
    await api.close();
    const res = await getIce(code, key);
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("TURN_UNAVAILABLE");
    expect(body.error.message).not.toContain(API_TOKEN);
    expect(api.calls.length).toBe(before);
  });
});
