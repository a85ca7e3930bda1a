import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { refreshDelayMs } from "../../client/core/ice-refresh.ts";
import { launchBrowser } from "../helpers/node/browser.ts";
import { type Coturn, startCoturn } from "../helpers/node/coturn.ts";
import { type DevServer, startDevServer } from "../helpers/node/dev-server.ts";
import {
  createSession,
  dismiss,
  enrolTechnician,
  framesArrive,
  newPerson,
  open,
  type Person,
  textOf,
} from "../helpers/node/people.ts";
import { keepPeerConnections, selectedRoute } from "../helpers/node/rtc-stats.ts";
import { reportServersOnFailure } from "../helpers/node/server-report.ts";

// The screen through a real coturn with a relay-only policy, once per transport: each dev server hands out only
// one TURN URL (UDP, TCP or TLS), so the browsers can only use that one. getStats on the technician's side shows
// the relay and its protocol; the viewer and the customer's bar say so too. A dev server whose secret is not
// coturn's shows that the relay cannot be reached instead of "Connecting…" forever. The UDP server's credentials
// live 60 s; the pages' clocks are moved on, not waited for, to show they fetch new ones in time.

const SECRET = "relay-e2e-shared-secret-0123456789";
const TTL_S = 60;

type Transport = "udp" | "tcp" | "tls";

let coturn: Coturn;
const servers = {} as Record<Transport | "wrongSecret", DevServer>;
let browser: Browser;
/** TURN over TLS only: coturn's certificate is self-signed, so this one browser is told to accept it. */
let tlsBrowser: Browser;
/** The people a test opened, closed and checked for CSP violations after it. */
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

reportServersOnFailure(() => Object.values(servers));

afterEach(() => dismiss(people));

afterAll(async () => {
  await Promise.all([browser?.close(), tlsBrowser?.close()]);
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  await coturn?.stop();
});

const ICE_PATH = /\/api\/sessions\/\d+\/ice$/;

/** Every GET /api/sessions/CODE/ice a page makes: until when its answer's credentials work. */
type IceFetch = { expiresAt: number };

function recordIceFetches(page: Page): IceFetch[] {
  const fetches: IceFetch[] = [];
  page.on("response", async (response) => {
    if (!ICE_PATH.test(new URL(response.url()).pathname)) return;
    const body = (await response.json().catch(() => null)) as { expiresAt?: number } | null;
    fetches.push({ expiresAt: body?.expiresAt ?? 0 });
  });
  return fetches;
}

/** Has the context's pages note when, on their own clock, each GET .../ice starts; read with `iceFetchTimes`. */
async function noteIceFetchTimes(context: BrowserContext): Promise<void> {
  await context.addInitScript((pattern) => {
    const times: number[] = [];
    Object.assign(window, { iceFetchTimes: times });
    const nativeFetch = window.fetch.bind(window);
    window.fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (new RegExp(pattern).test(new URL(url, location.href).pathname)) times.push(Date.now());
      return nativeFetch(input, init);
    };
  }, ICE_PATH.source);
}

function iceFetchTimes(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { iceFetchTimes: number[] }).iceFetchTimes);
}

/**
 * A technician opens a new session's viewer and a customer allows sharing; both pages keep their connections. With
 * `hasClock`, both pages run on Playwright's clock, which the test moves on (it flows by itself until then).
 */
async function share(server: DevServer, on: Browser, name: string, { hasClock = false } = {}) {
  const technician = await enrolTechnician(on, server, name);
  const customer = await newPerson(on, server);
  people.push(technician, customer);
  for (const { context } of hasClock ? [technician, customer] : []) {
    await context.clock.install();
    await noteIceFetchTimes(context);
  }
  // Init scripts run from the next document on: createSession opens the console again, and then the viewer.
  await keepPeerConnections(technician.context);
  const technicianIce = recordIceFetches(technician.page);
  const customerIce = recordIceFetches(customer.page);

  const link = await createSession(technician.page);
  await technician.page.getByRole("link", { name: "View this session" }).click();

  await open(customer.page, link);
  await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
  const details = technician.page.getByRole("region", { name: "Connection details" });
  const bar = customer.page.getByRole("region", { name: "Your support session" });
  return { technician, customer, technicianIce, customerIce, details, bar };
}

describe("screen sharing through a TURN relay", () => {
  it.each([
    ["udp", "UDP"],
    ["tcp", "TCP"],
    ["tls", "TLS"],
  ] as const)("relays the screen over TURN/%s only, and both sides say so", async (transport, label) => {
    const on = transport === "tls" ? tlsBrowser : browser;
    const { technician, details, bar } = await share(servers[transport], on, `Rita ${label}`);

    const figures = await framesArrive(technician.page.getByLabel("Customer's screen"));
    expect(figures.width).toBeGreaterThan(0);
    const route = await selectedRoute(technician.page);
    expect(route.localType).toBe("relay");
    expect(route.relayProtocol).toBe(transport);
    expect(route.framesDecoded).toBeGreaterThan(0);

    await expect.poll(() => textOf(details.getByLabel("Connection", { exact: true }))).toBe(`Relayed (${label})`);
    expect(await textOf(details.getByLabel("Relay", { exact: true }))).toBe("coturn, for every connection");
    await expect.poll(() => textOf(bar)).toContain("Connection: relayed");
  });

  it("says the relay cannot be reached, on both sides, when coturn refuses the credentials", async () => {
    const { technician, details, bar } = await share(servers.wrongSecret, browser, "Rita Refused");
    await expect
      .poll(() => textOf(bar))
      .toContain("Could not reach the relay server, so your technician cannot see your screen.");
    await expect
      .poll(() => textOf(technician.page.locator("#overlay")))
      .toBe("Could not reach the relay server: it refused this session's credentials. Check TURN_SECRET.");
    expect(await textOf(details.getByLabel("Connection", { exact: true }))).toBe("Failed: no relay");
  });

  it("fetches fresh relay credentials on both pages when the 60 s ones are due for renewal", async () => {
    const shared = await share(servers.udp, browser, "Rita Renew", { hasClock: true });
    const { details, bar } = shared;
    // Relayed on both sides: both pages have their first credentials, and their renewal is scheduled.
    await expect.poll(() => textOf(details.getByLabel("Connection", { exact: true }))).toBe("Relayed (UDP)");
    await expect.poll(() => textOf(bar)).toContain("Connection: relayed");
    const pages = [
      { page: shared.technician.page, fetches: shared.technicianIce },
      { page: shared.customer.page, fetches: shared.customerIce },
    ];
    const counts: number[] = [];
    for (const { page, fetches } of pages) {
      counts.push((await iceFetchTimes(page)).length);
      // Every answer so far has been read here too.
      await expect.poll(() => fetches.length).toBe(counts.at(-1));
    }
    // When to renew is refreshDelayMs's rule (a share of the remaining life, with a floor). The pages' clocks jump
    // as far as it says for credentials with their whole life left, which must bring the renewal due.
    const renewal = refreshDelayMs(TTL_S * 1000);
    await Promise.all(pages.map(({ page }) => page.clock.fastForward(renewal)));
    for (const [i, { page, fetches }] of pages.entries()) {
      const count = counts[i] ?? 0;
      await expect.poll(() => fetches.length).toBeGreaterThan(count);
      expect(fetches[count]?.expiresAt).toBeGreaterThan(fetches[count - 1]?.expiresAt ?? Number.POSITIVE_INFINITY);
      // On the page's own clock no renewal came sooner than the rule allows, however slowly the test ran.
      const times = await iceFetchTimes(page);
      const gaps = times.slice(1).map((time, j) => time - (times[j] ?? 0));
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(renewal);
    }
  });
});
