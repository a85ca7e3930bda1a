import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../helpers/node/browser.ts";
import {
  createSession,
  dismiss,
  enrolTechnician,
  framesArrive,
  newPerson,
  open,
  type Person,
} from "../helpers/node/people.ts";
import { startServer, type TestServer } from "../helpers/node/servers.ts";

// The same product on the Deno host: a technician signs in with a passkey and creates a session, the customer
// opens the link, allows, and the technician's viewer decodes frames.

let server: TestServer;
let browser: Browser;
const people: Person[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer("deno"), launchBrowser()]);
});

afterEach(() => dismiss(people));

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("screen sharing on the Deno host", () => {
  it("connects a customer's screen to the technician's viewer", async () => {
    const technician = await enrolTechnician(browser, server, "Dina Deno");
    people.push(technician);
    const link = await createSession(technician.page);
    expect(new URL(link).origin).toBe(server.origin);
    await technician.page.getByRole("link", { name: "View this session" }).click();

    const customer = await newPerson(browser, server);
    people.push(customer);
    await open(customer.page, link);
    const consent = customer.page.getByRole("region", { name: "Who is asking to see your screen" });
    await consent.getByText("Dina Deno", { exact: true }).waitFor();
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();

    const figures = await framesArrive(technician.page.getByLabel("Customer's screen"));
    expect(figures.frames).toBeGreaterThan(0);
    expect(figures.width).toBeGreaterThan(0);
    expect(figures.height).toBeGreaterThan(0);
  });
});
