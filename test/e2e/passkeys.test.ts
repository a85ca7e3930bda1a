import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addVirtualAuthenticator,
  launchBrowser,
  type PageWatch,
  type VirtualAuthenticator,
  watchPage,
} from "../helpers/node/browser.ts";
import { type DevServer, startDevServer } from "../helpers/node/dev-server.ts";

// One story, in order: the first admin enrols, signs out and in, manages passkeys and invites a
// technician, who enrols in their own browser and creates a session a customer can open.

type Person = { context: BrowserContext; page: Page; watch: PageWatch; authenticator: VirtualAuthenticator };

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

/** A person with their own browser profile and their own passkey device. */
async function newPerson(options: { canUseClipboard?: boolean } = {}): Promise<Person> {
  const context = await browser.newContext({
    baseURL: server.origin,
    permissions: options.canUseClipboard ? ["clipboard-read", "clipboard-write"] : [],
  });
  // Every step here takes a second or two; a stuck one should fail well before the test's own timeout.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const person = { context, page, watch: watchPage(page), authenticator: await addVirtualAuthenticator(page) };
  people.push(person);
  return person;
}

/** Navigates and checks the server answered with the page, so a broken route fails here and says so. */
async function open(page: Page, url: string): Promise<void> {
  const response = await page.goto(url);
  // Without the fragment: an enrolment token has no business in test output.
  expect(response?.status(), `GET ${url.split("#")[0]}`).toBe(200);
}

async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent())?.trim() ?? "";
}

/** Waits for the page's live region to report an error and returns its text. */
async function errorShown(page: Page): Promise<string> {
  const status = page.getByRole("status");
  await expect.poll(() => status.getAttribute("class")).toContain("error");
  return textOf(status);
}

async function enrol(page: Page, link: string, name: string): Promise<void> {
  await open(page, link);
  await page.getByLabel("Your name").fill(name);
  await page.getByRole("button", { name: "Create passkey" }).click();
  await page.waitForURL("/console");
}

function passkeyItems(page: Page): Locator {
  return page.getByRole("list", { name: "Your passkeys" }).getByRole("listitem");
}

describe("passkeys, invites and sessions in a real browser", () => {
  let admin: Person;
  let adminLink: string;
  let technician: Person;
  let sessionLink: string;

  it("home page names the product, says how to get help and links to technician sign-in", async () => {
    const visitor = await newPerson();
    await open(visitor.page, "/");
    expect(await textOf(visitor.page.getByRole("heading", { level: 1 }))).toBe("Tether");
    await visitor.page.getByRole("heading", { name: "Get help" }).waitFor();
    await visitor.page.getByRole("link", { name: "Technician sign-in" }).click();
    await visitor.page.waitForURL("/sign-in");
    await visitor.page.getByRole("button", { name: "Sign in with a passkey" }).waitFor();
  });

  it("sends a visitor who is not signed in from the console to sign-in", async () => {
    const visitor = await newPerson();
    await open(visitor.page, "/console");
    await visitor.page.waitForURL("/sign-in");
  });

  it("enrols the first admin from the one-time link and opens the console with their name", async () => {
    admin = await newPerson({ canUseClipboard: true });
    adminLink = await server.mintEnrolment({ isAdmin: true });
    await enrol(admin.page, adminLink, "Ada Admin");
    await admin.page.getByText("Signed in as Ada Admin (admin)").waitFor();
    expect(await passkeyItems(admin.page).count()).toBe(1);
    const credentials = await admin.authenticator.credentials();
    expect(credentials).toHaveLength(1);
    expect(credentials[0]?.isResidentCredential).toBe(true);
    // The token left the history entry: going back lands on /enrol without it.
    await admin.page.goBack();
    expect(admin.page.url()).toBe(`${server.origin}/enrol`);
    await admin.page.getByText("This enrolment link is incomplete", { exact: false }).waitFor();
  });

  it("refuses the same enrolment link a second time and says so", async () => {
    const intruder = await newPerson();
    await open(intruder.page, adminLink);
    await intruder.page.getByLabel("Your name").fill("Mallory");
    await intruder.page.getByRole("button", { name: "Create passkey" }).click();
    expect(await errorShown(intruder.page)).toMatch(/already been used/i);
    expect(new URL(intruder.page.url()).pathname).toBe("/enrol");
    expect(await intruder.authenticator.credentials()).toHaveLength(0);
  });

  it("signs out, then signs back in with the discoverable passkey", async () => {
    const { page } = admin;
    await open(page, "/console");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("/sign-in");
    await open(page, "/console");
    await page.waitForURL("/sign-in");
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.waitForURL("/console");
    await page.getByText("Signed in as Ada Admin (admin)").waitFor();
  });

  it("adds a passkey from a second device, removes the first, and cannot remove the last", async () => {
    const { page } = admin;
    // The laptop's authenticator already holds a passkey for this account and would refuse a
    // second; a security key is a second device.
    await admin.authenticator.remove();
    admin.authenticator = await addVirtualAuthenticator(page);
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await expect.poll(() => passkeyItems(page).count()).toBe(2);
    expect(await admin.authenticator.credentials()).toHaveLength(1);

    await page.getByRole("button", { name: "Remove passkey 1" }).click();
    await expect.poll(() => passkeyItems(page).count()).toBe(1);

    await page.getByRole("button", { name: "Remove passkey 1" }).click();
    expect(await errorShown(page)).toMatch(/only passkey/i);
    expect(await passkeyItems(page).count()).toBe(1);

    // The passkey that is left is the second device's: signing in with it still works.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("/sign-in");
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.waitForURL("/console");
  });

  it("lets the admin invite a technician, who enrols in their own browser", async () => {
    const { page } = admin;
    await page.getByRole("button", { name: "Invite a technician" }).click();
    const linkField = page.getByLabel("Invite link", { exact: true });
    await expect.poll(() => linkField.inputValue()).toMatch(/^http:\/\/localhost:\d+\/enrol#[\w-]{43}$/);
    const inviteLink = await linkField.inputValue();
    await page.getByRole("button", { name: "Copy invite link" }).click();
    await expect.poll(() => textOf(page.getByRole("status"))).toBe("Copied.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(inviteLink);

    technician = await newPerson();
    await enrol(technician.page, inviteLink, "Tom Tech");
    await technician.page.getByText("Signed in as Tom Tech", { exact: true }).waitFor();
    expect(await technician.page.getByRole("button", { name: "Invite a technician" }).count()).toBe(0);
  });

  it("lets the technician create a session with a 9-digit code and a customer link", async () => {
    const { page } = technician;
    await page.getByLabel("Case number (optional)").fill("CASE-42");
    await page.getByRole("button", { name: "New session" }).click();
    const linkField = page.getByLabel("Session link", { exact: true });
    await expect.poll(() => linkField.inputValue()).toMatch(/\/j\/\d{9}/);
    sessionLink = await linkField.inputValue();
    const code = /\/j\/(\d{9})/.exec(sessionLink)?.[1] ?? "";
    const grouped = `${code.slice(0, 3)} ${code.slice(3, 6)} ${code.slice(6)}`;
    await page.getByText(grouped, { exact: true }).first().waitFor();
    const live = page.getByRole("list", { name: "Your live sessions" });
    await expect.poll(() => textOf(live)).toContain(grouped);
    expect(await textOf(live)).toContain("CASE-42");
  });

  it("shows the customer who opens the link the technician's name", async () => {
    const customer = await newPerson();
    await open(customer.page, sessionLink);
    await customer.page.getByText("Tom Tech", { exact: true }).waitFor();
    expect(await textOf(customer.page.getByRole("definition").filter({ hasText: "CASE-42" }))).toBe("CASE-42");
  });

  it("served every page with a Content-Security-Policy that no page violated", () => {
    const documents = people.flatMap((p) => p.watch.documents);
    const paths = new Set(documents.map((d) => new URL(d.url).pathname.replace(/\d{9}/, "CODE")));
    expect([...paths].sort()).toEqual(["/", "/console", "/enrol", "/j/CODE", "/sign-in"]);
    for (const { url, csp } of documents) {
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain("style-src 'self'");
    }
    const errors = people.flatMap((p) => p.watch.consoleErrors);
    expect(errors.filter((e) => /content security policy/i.test(e))).toEqual([]);
    expect(errors.filter((e) => e.startsWith("uncaught:"))).toEqual([]);
  });
});
