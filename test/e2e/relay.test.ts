import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../helpers/node/browser.ts";
import { type Coturn, startCoturn } from "../helpers/node/coturn.ts";
import { type DevServer, startDevServer } from "../helpers/node/dev-server.ts";
import {
  enrolTechnician,
  framesArrive,
  newPerson,
  open,
  type Person,
  pageFaults,
  textOf,
} from "../helpers/node/people.ts";
import { keepPeerConnections, selectedRoute } from "../helpers/node/rtc-stats.ts";

// The screen through a real coturn with a relay-only policy, once per transport: each dev server hands out only
// one TURN URL (UDP, TCP or TLS), so the browsers can only use that one. getStats on the technician's side shows
// the relay and its protocol; the viewer and the customer's bar say so too. A dev server whose secret is not
// coturn's shows that the relay cannot be reached instead of "Connecting…" forever. The UDP server's credentials
// live 60 s, so the pages must fetch new ones while the other cases run.

const SECRET = "relay-e2e-shared-secret-0123456789";
const TTL_S = 60;

type Transport = "udp" | "tcp" | "tls";

let coturn: Coturn;
const servers = {} as Record<Transport | "wrongSecret", DevServer>;
let browser: Browser;
/** TURN over TLS only: coturn's certificate is self-signed, so this one browser is told to accept it. */
let tlsBrowser: Browser;
const people: Person[] = [];

function relayServer(url: string, secret: string, extra: Record<string, string> = {}): Promise<DevServer> {
  return startDevServer({
    vars: { TURN_PROVIDER: "coturn", TURN_URLS: url, TURN_SECRET: secret, ICE_POLICY: "relay", ...extra },
  });
}

beforeAll(async () => {
  // Ports of its own, so this file never meets the coturn suite's relay.
  coturn = await startCoturn(SECRET, { plain: 23578, tls: 25449 });
  [servers.udp, servers.tcp, servers.tls, servers.wrongSecret, browser, tlsBrowser] = await Promise.all([
    relayServer(coturn.urls.udp, SECRET, { TURN_TTL_S: String(TTL_S) }),
    relayServer(coturn.urls.tcp, SECRET),
    relayServer(coturn.urls.tls, SECRET),
    relayServer(coturn.urls.udp, "not-coturns-secret-0123456789"),
    launchBrowser(),
    launchBrowser(["--ignore-certificate-errors"]),
  ]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), tlsBrowser?.close()]);
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  await coturn?.stop();
});

/** Every GET /api/sessions/CODE/ice a page makes: when, and until when its answer's credentials work. */
type IceFetch = { at: number; expiresAt: number };

function recordIceFetches(page: Page): IceFetch[] {
  const fetches: IceFetch[] = [];
  page.on("response", async (response) => {
    if (!/\/api\/sessions\/\d+\/ice$/.test(new URL(response.url()).pathname)) return;
    const at = Date.now();
    const body = (await response.json().catch(() => null)) as { expiresAt?: number } | null;
    fetches.push({ at, expiresAt: body?.expiresAt ?? 0 });
  });
  return fetches;
}

/** A technician opens a new session's viewer and a customer allows sharing; both pages keep their connections. */
async function share(server: DevServer, on: Browser, name: string) {
  const technician = await enrolTechnician(on, server, name);
  const customer = await newPerson(on, server);
  people.push(technician, customer);
  // The console was open before the init script: load it again so the viewer's connection is kept too.
  await keepPeerConnections(technician.context);
  await technician.page.reload();
  const technicianIce = recordIceFetches(technician.page);
  const customerIce = recordIceFetches(customer.page);

  await technician.page.getByRole("button", { name: "New session" }).click();
  const linkField = technician.page.getByLabel("Session link", { exact: true });
  await expect.poll(() => linkField.inputValue(), { timeout: 5_000 }).toMatch(/\/j\/\d{9}$/);
  const link = await linkField.inputValue();
  await technician.page.getByRole("link", { name: "View this session" }).click();

  await open(customer.page, link);
  await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
  const details = technician.page.getByRole("region", { name: "Connection details" });
  const bar = customer.page.getByRole("region", { name: "Your support session" });
  return { technician, customer, technicianIce, customerIce, details, bar };
}

describe("screen sharing through a TURN relay", () => {
  let udpIce: { technician: IceFetch[]; customer: IceFetch[] };

  it.each([
    ["udp", "UDP"],
    ["tcp", "TCP"],
    ["tls", "TLS"],
  ] as const)("relays the screen over TURN/%s only, and both sides say so", async (transport, label) => {
    const on = transport === "tls" ? tlsBrowser : browser;
    const { technician, technicianIce, customerIce, details, bar } = await share(
      servers[transport],
      on,
      `Rita ${label}`,
    );
    if (transport === "udp") udpIce = { technician: technicianIce, customer: customerIce };

    const figures = await framesArrive(technician.page.getByLabel("Customer's screen"));
    expect(figures.width).toBeGreaterThan(0);
    const route = await selectedRoute(technician.page);
    expect(route.localType).toBe("relay");
    expect(route.relayProtocol).toBe(transport);
    expect(route.framesDecoded).toBeGreaterThan(0);

    await expect
      .poll(() => textOf(details.getByLabel("Connection", { exact: true })), { timeout: 5_000 })
      .toBe(`Relayed (${label})`);
    expect(await textOf(details.getByLabel("Relay", { exact: true }))).toBe("coturn, for every connection");
    await expect.poll(() => textOf(bar), { timeout: 5_000 }).toContain("Connection: relayed");
  });

  it("says the relay cannot be reached, on both sides, when coturn refuses the credentials", async () => {
    const { technician, details, bar } = await share(servers.wrongSecret, browser, "Rita Refused");
    await expect
      .poll(() => textOf(bar), { timeout: 15_000 })
      .toContain("Could not reach the relay server, so your technician cannot see your screen.");
    await expect
      .poll(() => textOf(technician.page.locator("#overlay")), { timeout: 15_000 })
      .toBe("Could not reach the relay server: it refused this session's credentials. Check TURN_SECRET.");
    expect(await textOf(details.getByLabel("Connection", { exact: true }))).toBe("Failed: no relay");
  });

  it("fetches fresh relay credentials on both pages before the 60 s ones expire", async () => {
    // refreshDelayMs: 80% of the remaining life, at least 30 s and at least 60 s before expiry → 30 s here.
    for (const fetches of [udpIce.technician, udpIce.customer]) {
      await expect.poll(() => fetches.length, { timeout: 45_000, interval: 500 }).toBeGreaterThanOrEqual(2);
      const [first, second] = fetches as [IceFetch, IceFetch];
      expect(first.expiresAt - first.at).toBeLessThanOrEqual(TTL_S * 1000 + 1_000);
      expect(second.at - first.at).toBeGreaterThanOrEqual(29_000);
      expect(second.at).toBeLessThan(first.expiresAt);
      expect(second.expiresAt).toBeGreaterThan(first.expiresAt);
    }
  });

  it("violated no Content-Security-Policy and threw nothing", () => {
    expect(pageFaults(people)).toEqual([]);
  });
});
