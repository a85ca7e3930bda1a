import type { Browser } from "playwright-core";
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

// The screen through a real coturn: the Worker hands out relay credentials with a relay-only policy, both pages
// use them, and the viewer and the customer's bar say the connection is relayed.

const SECRET = "relay-e2e-shared-secret-0123456789";

let coturn: Coturn;
let server: DevServer;
let browser: Browser;
const people: Person[] = [];

beforeAll(async () => {
  // Ports of its own, so this file never meets the coturn suite's relay.
  coturn = await startCoturn(SECRET, { plain: 23578, tls: 25449 });
  [server, browser] = await Promise.all([
    startDevServer({
      vars: {
        TURN_PROVIDER: "coturn",
        TURN_URLS: [coturn.urls.udp, coturn.urls.tcp].join(","),
        TURN_SECRET: SECRET,
        ICE_POLICY: "relay",
      },
    }),
    launchBrowser(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await coturn?.stop();
});

describe("screen sharing through a TURN relay", () => {
  it("shows the customer's screen over coturn and says it is relayed on both sides", async () => {
    const technician = await enrolTechnician(browser, server, "Rita Relay");
    const customer = await newPerson(browser, server);
    people.push(technician, customer);

    await technician.page.getByRole("button", { name: "New session" }).click();
    const linkField = technician.page.getByLabel("Session link", { exact: true });
    await expect.poll(() => linkField.inputValue(), { timeout: 5_000 }).toMatch(/\/j\/\d{9}$/);
    const link = await linkField.inputValue();
    await technician.page.getByRole("link", { name: "View this session" }).click();

    await open(customer.page, link);
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    const figures = await framesArrive(technician.page.getByLabel("Customer's screen"));
    expect(figures.width).toBeGreaterThan(0);

    const details = technician.page.getByRole("region", { name: "Connection details" });
    await expect
      .poll(() => textOf(details.getByLabel("Connection", { exact: true })), { timeout: 5_000 })
      .toBe("Relayed (TURN)");
    const bar = customer.page.getByRole("region", { name: "Your support session" });
    await expect.poll(() => textOf(bar), { timeout: 5_000 }).toContain("Connection: relayed");
  });

  it("violated no Content-Security-Policy and threw nothing", () => {
    expect(pageFaults(people)).toEqual([]);
  });
});
