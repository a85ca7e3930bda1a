import type { Browser, Page, WebSocketRoute } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../helpers/node/browser.ts";
import { type DevServer, startDevServer } from "../helpers/node/dev-server.ts";
import {
  dismiss,
  enrolTechnician,
  framesArrive,
  newPerson,
  open,
  type Person,
  textOf,
} from "../helpers/node/people.ts";

// The quick-support flow: the customer clicks "Get help" on the home page and reads a session ID and a password to
// the technician, who types them into the console; the customer then sees who joined, allows, and is seen. Each test
// starts its own help request (one technician serves them all), so each verdict stands alone.

let server: DevServer;
let browser: Browser;
let technician: Person;
/** The people a test opened, closed and checked for CSP violations after it. */
const people: Person[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer(), launchBrowser()]);
  technician = await enrolTechnician(browser, server, "Tess Tech");
});

afterEach(() => dismiss(people, [technician]));

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

type Received = { type?: string; participantId?: string };

/** Everything a page sent to any server (request URLs and bodies, WebSocket frames), and the JSON frames it got. */
function recordTraffic(page: Page): { sent: string[]; received: Received[] } {
  const sent: string[] = [];
  const received: Received[] = [];
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

/** The customer at the home page, and what their page says and hears. */
type Customer = {
  person: Person;
  traffic: { sent: string[]; received: Received[] };
  /** The customer's newest room socket, both halves, when it runs through Playwright: a test can cut it as a network would. */
  socket(): { page: WebSocketRoute; server: WebSocketRoute } | undefined;
};

/** A customer at a fresh browser profile; with `canCut`, their room socket runs through Playwright. */
async function newCustomer({ canCut = false } = {}): Promise<Customer> {
  const person = await newPerson(browser, server);
  people.push(person);
  const traffic = recordTraffic(person.page);
  let socket: { page: WebSocketRoute; server: WebSocketRoute } | undefined;
  if (canCut) {
    await person.context.routeWebSocket(/\/ws\?role=customer$/, (page) => {
      socket = { page, server: page.connectToServer() };
    });
  }
  return { person, traffic, socket: () => socket };
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
async function joinAsTechnician(id: string, password: string): Promise<void> {
  const { page } = technician;
  await open(page, "/console");
  const form = page.getByRole("region", { name: "Join a customer's session" });
  await form.getByLabel("Session ID").fill(id);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Join" }).click();
  await page.getByRole("heading", { name: `Session ${id}` }).waitFor();
}

/** A new help request, joined by the technician and allowed by the customer, whose frames reach the viewer. */
async function sharing(options: { canCut?: boolean } = {}): Promise<Customer & { password: string }> {
  const customer = await newCustomer(options);
  const { id, password } = await getHelp(customer.person);
  await joinAsTechnician(id, password);
  await customer.person.page.getByRole("button", { name: "Allow and choose what to share" }).click();
  await framesArrive(technician.page.getByLabel("Customer's screen"));
  return { ...customer, password };
}

/** Cuts the customer's room socket as a network drop would, and waits for the page to reconnect and be welcomed. */
async function dropSocket(customer: Customer): Promise<Received[]> {
  const welcomes = () => customer.traffic.received.filter((msg) => msg.type === "welcome");
  expect(welcomes()).toHaveLength(1);
  const socket = customer.socket();
  if (!socket) throw new Error("the customer's room socket never opened (or was not made with canCut)");
  await socket.server.close({ code: 1001, reason: "Network drop" });
  await socket.page.close({ code: 1006, reason: "Network drop" });
  await expect.poll(() => welcomes().length).toBe(2);
  return welcomes();
}

describe("a customer's help request, joined with a session ID and password", () => {
  it("gives the customer a nine-digit session ID and a three-word password to read aloud", async () => {
    const { person } = await newCustomer();
    const { id, password } = await getHelp(person);
    expect(id).toMatch(/^\d{3} \d{3} \d{3}$/);
    expect(password).toMatch(/^[a-z]+ [a-z]+ [a-z]+$/);
    // Nothing to consent to yet: no technician has joined.
    expect(await person.page.getByRole("button", { name: "Allow and choose what to share" }).count()).toBe(0);
  });

  it("lets the technician join with what the customer read, and shows the customer who joined before Allow", async () => {
    const { person } = await newCustomer();
    const { id, password } = await getHelp(person);
    await joinAsTechnician(id, password);
    const consent = person.page.getByRole("region", { name: "Who is asking to see your screen" });
    await consent.getByText("Tess Tech", { exact: true }).waitFor();
    expect(await textOf(consent)).toContain("from Tether");
    expect(await textOf(consent)).toContain("Only continue if you contacted this organisation yourself.");
    await consent.getByText("Tess Tech is connected.").waitFor();
    expect(await person.page.getByRole("region", { name: "Read these to your technician" }).count()).toBe(0);
  });

  it("shares the screen once the customer allows", async () => {
    const { person } = await newCustomer();
    const { id, password } = await getHelp(person);
    await joinAsTechnician(id, password);
    await person.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    const figures = await framesArrive(technician.page.getByLabel("Customer's screen"));
    expect(figures.width).toBeGreaterThan(0);
    expect(figures.height).toBeGreaterThan(0);
  });

  it("switches what is shared in place: a new capture, the same connection and track, frames all along", async () => {
    const { person } = await sharing();
    const screen = technician.page.getByLabel("Customer's screen");
    const sharedTrack = () =>
      person.page
        .getByLabel("Preview of what you are sharing")
        .evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]?.id);
    const receivedTrack = () =>
      screen.evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]?.id);
    const [before, receivedBefore] = [await sharedTrack(), await receivedTrack()];
    await person.page.getByRole("button", { name: "Share something else" }).click();
    await expect.poll(sharedTrack).not.toBe(before);
    await framesArrive(screen);
    expect(await receivedTrack()).toBe(receivedBefore);
  });

  it("keeps the customer's seat through a dropped WebSocket, and the picture never stops", async () => {
    const customer = await sharing({ canCut: true });
    const { page } = technician;
    const restarts = await textOf(page.getByLabel("ICE restarts", { exact: true }));
    // The page reconnects by itself and reclaims its seat with the stored token (a new seat would be SEAT_TAKEN).
    const [first, second] = await dropSocket(customer);
    expect(second?.participantId).toBe(first?.participantId);
    await framesArrive(page.getByLabel("Customer's screen"));
    expect(await textOf(page.getByLabel("ICE restarts", { exact: true }))).toBe(restarts);
    await page.getByText("The customer is sharing", { exact: false }).waitFor();
    const customerPage = customer.person.page;
    expect(await customerPage.getByRole("region", { name: "Your support session" }).isVisible()).toBe(true);
    // No message at all: an empty status line is not shown.
    expect(await customerPage.getByRole("status").count()).toBe(0);
  });

  it("never sends the password to any server, not even in a URL, through sharing and a reconnect", async () => {
    const customer = await sharing({ canCut: true });
    await dropSocket(customer);
    const { sent } = customer.traffic;
    expect(sent.filter((text) => text.includes('"type":"hello"')).length).toBeGreaterThanOrEqual(2);
    const words = customer.password.split(" ");
    expect(sent.filter((text) => text.includes(customer.password) || words.every((w) => text.includes(w)))).toEqual([]);
  });

  it("ends the session on both sides when the technician clicks End", async () => {
    const { person } = await sharing();
    await technician.page.getByRole("button", { name: "End session" }).click();
    await technician.page.getByText("You ended the session.").waitFor();
    await person.page.getByRole("heading", { name: "Session ended" }).waitFor();
    await person.page.getByText("The technician ended the session.", { exact: false }).waitFor();
  });

  it("ends the session when the customer closes the tab after sharing", async () => {
    const { person } = await sharing();
    await person.page.close();
    await technician.page.getByText("The customer ended the session.").waitFor();
  });

  it("ends a help request whose page is closed before anyone joined: nobody could find it again", async () => {
    const { person, traffic } = await newCustomer();
    const heard = await getHelp(person);
    const code = heard.id.replace(/ /g, "");
    await expect.poll(() => traffic.received.some((msg) => msg.type === "welcome")).toBe(true);
    expect((await fetch(`${server.origin}/api/sessions/${code}`)).status).toBe(200);
    await person.page.close();
    await expect.poll(async () => (await fetch(`${server.origin}/api/sessions/${code}`)).status).toBe(410);
  });
});
