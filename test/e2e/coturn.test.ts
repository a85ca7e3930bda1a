import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IceConfig } from "#protocol/ice.ts";
import { SEAT_PROOF_HEADER } from "#protocol/sessions.ts";
import { coturnCredentials } from "../../worker/turn/coturn.ts";
import { newSeatKey } from "../helpers/handshake.ts";
import { type Coturn, relayWorks, startCoturn } from "../helpers/node/coturn.ts";
import { type DevServer, startDevServer } from "../helpers/node/dev-server.ts";
import { postJson } from "../helpers/node/technicians.ts";

function tlsHandshake(port: number): Promise<{ protocol: string | null; subject: string | undefined }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, servername: "localhost", rejectUnauthorized: false }, () => {
      resolve({ protocol: socket.getProtocol(), subject: String(socket.getPeerCertificate().subject?.CN) });
      socket.end();
    });
    socket.on("error", reject);
  });
}

const SECRET = "coturn-e2e-shared-secret-0123456789";

describe("coturn as the relay, with credentials the Worker mints", () => {
  let coturn: Coturn;
  let server: DevServer;
  let ice: IceConfig;

  beforeAll(async () => {
    coturn = await startCoturn(SECRET);
    server = await startDevServer({
      vars: {
        TURN_PROVIDER: "coturn",
        TURN_URLS: [coturn.urls.udp, coturn.urls.tcp, coturn.urls.tls].join(","),
        TURN_SECRET: SECRET,
        ICE_POLICY: "relay",
      },
    });
    const { customerKeyHash } = await newSeatKey();
    const help = await postJson(server, "/api/help", { customerKeyHash });
    const { code } = (await help.json()) as { code: string };
    const proof = { [SEAT_PROOF_HEADER]: customerKeyHash };
    ice = IceConfig.parse(await (await fetch(`${server.origin}/api/sessions/${code}/ice`, { headers: proof })).json());
  });

  afterAll(async () => {
    await server?.stop();
    await coturn?.stop();
  });

  it("hands out the configured URLs with a forced-relay policy and a credential that expires", () => {
    expect(ice.relay).toBe("coturn");
    expect(ice.iceTransportPolicy).toBe("relay");
    expect(ice.iceServers[0]?.urls).toEqual([coturn.urls.udp, coturn.urls.tcp, coturn.urls.tls]);
    const [expiry] = (ice.iceServers[0]?.username ?? "").split(":");
    expect(Number(expiry) * 1000).toBeGreaterThan(Date.now());
    expect(Number(expiry) * 1000).toBeLessThanOrEqual(ice.expiresAt);
  });

  it.each(["udp", "tcp"] as const)("coturn accepts the credential and relays over %s", async (transport) => {
    const { username = "", credential = "" } = ice.iceServers[0] ?? {};
    const result = await relayWorks(coturn.ports.plain, username, credential, transport);
    expect(result.ok, result.output).toBe(true);
  });

  it("listens for TURN over TLS with its certificate", async () => {
    // coturn's own test client stalls in its TLS handshake; the browser suite relays over turns: for real.
    const handshake = await tlsHandshake(coturn.ports.tls);
    expect(handshake.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(handshake.subject).toBe("localhost");
  });

  it("refuses a wrong credential", async () => {
    const { username = "" } = ice.iceServers[0] ?? {};
    const result = await relayWorks(coturn.ports.plain, username, "bm90IHRoZSByaWdodCBvbmU=", "udp");
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/Cannot complete Allocation/);
  });

  it("refuses an expired credential", async () => {
    const expired = await coturnCredentials(SECRET, [coturn.urls.udp], Math.floor(Date.now() / 1000) - 60, "tag");
    const result = await relayWorks(coturn.ports.plain, expired.username ?? "", expired.credential ?? "", "udp");
    expect(result.ok).toBe(false);
  });
});
