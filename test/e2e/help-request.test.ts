import type { Browser, Locator, Page, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../helpers/node/browser.ts";
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

// The quick-support flow: the customer clicks "Get help" on the home page and reads a session ID and a password to
// the technician, who types them into the console; the customer then sees who joined, allows, and is seen.

let server: DevServer;
let browser: Browser;
const people: Person[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Everything a page sent to any server (request URLs and bodies, WebSocket frames), and the JSON frames it got. */
function recordTraffic(page: Page): { sent: string[]; received: { type?: string; participantId?: string }[] } {
  const sent: string[] = [];
  const received: { type?: string; participantId?: string }[] = [];
  page.on("request", (request) => sent.push(request.url(), request.postData() ?? ""));
  page.on("websocket", (ws) => {
    sent.push(ws.url());
    ws.on("framesent", (frame) => sent.push(String(frame.payload)));
    ws.on("framereceived", (frame) => {
      if (String(frame.payload).startsWith("{")) received.push(JSON.parse(String(frame.payload)));
    });
  });
  return { sent, received };
}

/** The customer clicks Get help and reads out what the page shows. */
async function getHelp(customer: Person): Promise<{ id: string; password: string }> {
  const { page } = customer;
  await open(page, "/");
  await page.getByRole("button", { name: "Get help" }).click();
  const card = page.getByRole("region", { name: "Read these to your technician" });
  await card.getByText("Waiting for your technician to join.", { exact: false }).waitFor();
  const id = await textOf(card.getByLabel("Session ID", { exact: true }));
  const password = await textOf(card.getByLabel("Password", { exact: true }));
  return { id, password };
}

/** The technician types what they heard into the console's join form. */
async function joinAsTechnician(page: Page, id: string, password: string): Promise<void> {
  await open(page, "/console");
  const form = page.getByRole("region", { name: "Join a customer's session" });
  await form.getByLabel("Session ID").fill(id);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Join" }).click();
  await page.getByRole("heading", { name: `Session ${id}` }).waitFor();
}

describe("a customer's help request, joined with a session ID and password", () => {
  let technician: Person;
  let customer: Person;
  let outgoing: string[];
  let incoming: { type?: string; participantId?: string }[];
  let id: string;
  let password: string;
  let screen: Locator;
  let customerSocket: { page: WebSocketRoute; server: WebSocketRoute } | undefined;

  it("gives the customer a nine-digit session ID and a three-word password to read aloud", async () => {
    technician = await enrolTechnician(browser, server, "Tess Tech");
    customer = await newPerson(browser, server);
    people.push(technician, customer);
    ({ sent: outgoing, received: incoming } = recordTraffic(customer.page));
    // The customer's room socket runs through Playwright, so a test can cut it as a network would.
    await customer.context.routeWebSocket(/\/ws\?role=customer$/, (page) => {
      customerSocket = { page, server: page.connectToServer() };
    });
    ({ id, password } = await getHelp(customer));
    expect(id).toMatch(/^\d{3} \d{3} \d{3}$/);
    expect(password).toMatch(/^[a-z]+ [a-z]+ [a-z]+$/);
    // Nothing to consent to yet: no technician has joined.
    expect(await customer.page.getByRole("button", { name: "Allow and choose what to share" }).count()).toBe(0);
  });

  it("lets the technician join with what the customer read, and shows the customer who joined before Allow", async () => {
    await joinAsTechnician(technician.page, id, password);
    screen = technician.page.getByLabel("Customer's screen");
    const consent = customer.page.getByRole("region", { name: "Who is asking to see your screen" });
    await consent.getByText("Tess Tech", { exact: true }).waitFor();
    expect(await textOf(consent)).toContain("from Tether");
    expect(await textOf(consent)).toContain("Only continue if you contacted this organisation yourself.");
    await consent.getByText("Tess Tech is connected.").waitFor();
    expect(await customer.page.getByRole("region", { name: "Read these to your technician" }).count()).toBe(0);
  });

  it("shares the screen once the customer allows", async () => {
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    const figures = await framesArrive(screen);
    expect(figures.width).toBeGreaterThan(0);
    expect(figures.height).toBeGreaterThan(0);
  });

  it("switches what is shared in place: a new capture, the same connection and track, frames all along", async () => {
    const sharedTrack = () =>
      customer.page
        .getByLabel("Preview of what you are sharing")
        .evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]?.id);
    const receivedTrack = () =>
      screen.evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]?.id);
    const [before, receivedBefore] = [await sharedTrack(), await receivedTrack()];
    await customer.page.getByRole("button", { name: "Share something else" }).click();
    await expect.poll(sharedTrack, { timeout: 5_000 }).not.toBe(before);
    await framesArrive(screen);
    expect(await receivedTrack()).toBe(receivedBefore);
  });

  it("keeps the customer's seat through a dropped WebSocket, and the picture never stops", async () => {
    const { page } = technician;
    const welcomes = () => incoming.filter((msg) => msg.type === "welcome");
    expect(welcomes()).toHaveLength(1);
    const restarts = await textOf(page.getByLabel("ICE restarts", { exact: true }));
    await customerSocket?.server.close({ code: 1001, reason: "Network drop" });
    await customerSocket?.page.close({ code: 1006, reason: "Network drop" });
    // The page reconnects by itself and reclaims its seat with the stored token (a new seat would be SEAT_TAKEN).
    await expect.poll(() => welcomes().length, { timeout: 10_000 }).toBe(2);
    expect(welcomes()[1]?.participantId).toBe(welcomes()[0]?.participantId);
    await framesArrive(screen);
    expect(await textOf(page.getByLabel("ICE restarts", { exact: true }))).toBe(restarts);
    await page.getByText("The customer is sharing", { exact: false }).waitFor();
    expect(await customer.page.getByRole("region", { name: "Your support session" }).isVisible()).toBe(true);
    // No message at all: an empty status line is not shown.
    expect(await customer.page.getByRole("status").count()).toBe(0);
  });

  it("never sent the password to any server, not even in a URL", () => {
    expect(outgoing.filter((text) => text.includes('"type":"hello"')).length).toBeGreaterThanOrEqual(2);
    const words = password.split(" ");
    expect(outgoing.filter((text) => text.includes(password) || words.every((w) => text.includes(w)))).toEqual([]);
  });

  it("ends the session on both sides when the technician clicks End", async () => {
    await technician.page.getByRole("button", { name: "End session" }).click();
    await technician.page.getByText("You ended the session.").waitFor();
    await customer.page.getByRole("heading", { name: "Session ended" }).waitFor();
    await customer.page.getByText("The technician ended the session.", { exact: false }).waitFor();
  });

  it("ends the session when the customer closes the tab after sharing", async () => {
    const other = await newPerson(browser, server);
    people.push(other);
    const heard = await getHelp(other);
    await joinAsTechnician(technician.page, heard.id, heard.password);
    await other.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    await framesArrive(technician.page.getByLabel("Customer's screen"));
    await other.page.close();
    await technician.page.getByText("The customer ended the session.").waitFor();
  });

  it("ends a help request whose page is closed before anyone joined: nobody could find it again", async () => {
    const other = await newPerson(browser, server);
    people.push(other);
    const traffic = recordTraffic(other.page);
    const heard = await getHelp(other);
    const code = heard.id.replace(/ /g, "");
    await expect.poll(() => traffic.received.some((msg) => msg.type === "welcome")).toBe(true);
    expect((await fetch(`${server.origin}/api/sessions/${code}`)).status).toBe(200);
    await other.page.close();
    await expect.poll(async () => (await fetch(`${server.origin}/api/sessions/${code}`)).status).toBe(410);
  });

  it("violated no Content-Security-Policy and threw nothing", () => {
    expect(pageFaults(people)).toEqual([]);
  });
});
