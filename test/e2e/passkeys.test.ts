import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  addVirtualAuthenticator,
  launchBrowser,
  type PageWatch,
  type VirtualAuthenticator,
  watchPage,
} from "../helpers/node/browser.ts";
import { type DevServer, startDevServer } from "../helpers/node/dev-server.ts";
import { createSession, SESSION_LINK, STEP_TIMEOUT_MS, textOf } from "../helpers/node/people.ts";

// Passkeys, invites and sessions as people meet them: the first admin enrols, signs out and in, manages passkeys and
// invites a technician, who enrols in their own browser and creates a session a customer can open. Each test enrols
// the people it needs, so each verdict stands alone; after each, every page it opened must have come with a
// Content-Security-Policy that no page violated.

type Person = { context: BrowserContext; page: Page; watch: PageWatch; authenticator: VirtualAuthenticator };

let server: DevServer;
let browser: Browser;
/** The people a test opened, checked and closed after it. */
const people: Person[] = [];

beforeAll(async () => {
  // Every test enrols and signs in its own people, more than the per-address sign-in limit allows in a minute.
  [server, browser] = await Promise.all([startDevServer({ vars: { RATE_SIGNIN_PER_MIN: "1000" } }), launchBrowser()]);
});

afterEach(async () => {
  const opened = people.splice(0);
  await Promise.all(opened.map((p) => p.context.close()));
  for (const { url, csp } of opened.flatMap((p) => p.watch.documents)) {
    expect(csp, url).toContain("default-src 'self'");
    expect(csp, url).toContain("script-src 'self'");
    expect(csp, url).toContain("style-src 'self'");
  }
  const errors = opened.flatMap((p) => p.watch.consoleErrors);
  expect(errors.filter((e) => /content security policy/i.test(e))).toEqual([]);
  expect(errors.filter((e) => e.startsWith("uncaught:"))).toEqual([]);
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
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
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

/** Someone enrolled from a freshly minted link, signed in and at the console. */
async function enrolled(name: string, options: { isAdmin: boolean; canUseClipboard?: boolean }): Promise<Person> {
  const person = await newPerson(options);
  await enrol(person.page, await server.mintEnrolment(options), name);
  await person.page.getByText(`Signed in as ${name}`, { exact: false }).waitFor();
  return person;
}

function passkeyItems(page: Page): Locator {
  return page.getByRole("list", { name: "Your passkeys" }).getByRole("listitem");
}

describe("passkeys, invites and sessions in a real browser", () => {
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
    const admin = await newPerson();
    await enrol(admin.page, await server.mintEnrolment({ isAdmin: true }), "Ada Admin");
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
    const link = await server.mintEnrolment({ isAdmin: true });
    await enrol((await newPerson()).page, link, "Ada Admin");
    const intruder = await newPerson();
    await open(intruder.page, link);
    await intruder.page.getByLabel("Your name").fill("Mallory");
    await intruder.page.getByRole("button", { name: "Create passkey" }).click();
    expect(await errorShown(intruder.page)).toMatch(/already been used/i);
    expect(new URL(intruder.page.url()).pathname).toBe("/enrol");
    expect(await intruder.authenticator.credentials()).toHaveLength(0);
  });

  it("signs out, then signs back in with the discoverable passkey", async () => {
    const { page } = await enrolled("Ada Admin", { isAdmin: true });
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("/sign-in");
    await open(page, "/console");
    await page.waitForURL("/sign-in");
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.waitForURL("/console");
    await page.getByText("Signed in as Ada Admin (admin)").waitFor();
  });

  it("adds a passkey from a second device, removes the first, and cannot remove the last", async () => {
    const admin = await enrolled("Ada Admin", { isAdmin: true });
    const { page } = admin;
    // The laptop's authenticator already holds a passkey for this account and would refuse a
    // second; a security key is a second device.
    await admin.authenticator.remove();
    admin.authenticator = await addVirtualAuthenticator(page);
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await expect.poll(() => passkeyItems(page).count()).toBe(2);
    expect(await admin.authenticator.credentials()).toHaveLength(1);

    page.once("dialog", (dialog) => void dialog.accept("Security key"));
    await page.getByRole("button", { name: "Rename passkey 2" }).click();
    await expect.poll(() => textOf(passkeyItems(page).nth(1))).toContain("Security key");

    // This browser signed in with the first passkey: removing it ends this sign-in too.
    await page.getByRole("button", { name: "Remove passkey 1" }).click();
    await page.waitForURL("/sign-in");

    // The passkey that is left is the second device's: signing in with it still works, and it cannot be removed.
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.waitForURL("/console");
    await expect.poll(() => passkeyItems(page).count()).toBe(1);
    await page.getByRole("button", { name: "Remove security key" }).click();
    expect(await errorShown(page)).toMatch(/only passkey/i);
    expect(await passkeyItems(page).count()).toBe(1);
  });

  it("signs out everywhere: a copy of the sign-in in another browser stops working too", async () => {
    const laptop = await enrolled("Eve Everywhere", { isAdmin: false });
    const other = await newPerson();
    await other.context.addCookies(await laptop.context.cookies());
    await open(other.page, "/console");
    await other.page.getByText("Signed in as Eve Everywhere", { exact: false }).waitFor();

    laptop.page.once("dialog", (dialog) => void dialog.accept());
    await laptop.page.getByRole("button", { name: "Sign me out everywhere" }).click();
    await laptop.page.waitForURL("/sign-in");
    await other.page.reload();
    await other.page.waitForURL("/sign-in");
  });

  it("lets an admin list and revoke open invites, and promote and remove a technician", async () => {
    const admin = await enrolled("Ada Admin", { isAdmin: true });
    const { page } = admin;
    const invites = page.getByRole("list", { name: "Open invites" });
    await page.getByRole("button", { name: "Invite a technician" }).click();
    await expect.poll(() => invites.getByRole("listitem").count()).toBe(1);
    expect(await textOf(invites)).toContain("Invite by Ada Admin");
    await invites.getByRole("button", { name: /^Revoke the invite/ }).click();
    await expect.poll(() => invites.getByRole("listitem").count()).toBe(0);

    const tom = await enrolled("Tom Tech", { isAdmin: false });
    await page.reload();
    const technicians = page.getByRole("list", { name: "Technicians" });
    await expect.poll(() => textOf(technicians)).toContain("Tom Tech: 1 passkey");
    await page.getByRole("button", { name: "Make admin: Tom Tech" }).click();
    await expect.poll(() => textOf(technicians)).toContain("Tom Tech (admin)");

    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Remove Tom Tech" }).click();
    await expect.poll(() => textOf(technicians)).not.toContain("Tom Tech");
    await tom.page.reload();
    await tom.page.waitForURL("/sign-in");
  });

  it("shows an admin the audit log, newest first, filtered by event", async () => {
    const { page } = await enrolled("Ada Auditor", { isAdmin: true });
    await page.getByRole("button", { name: "Invite a technician" }).click();
    const log = page.getByRole("list", { name: "Audit log" });
    const filter = page.getByRole("form", { name: "Filter the audit log" });
    await filter.getByRole("button", { name: "Show" }).click();
    await expect.poll(() => textOf(log.getByRole("listitem").first())).toContain("technician invited");
    expect(await textOf(log)).toContain("technician enrolled");
    await filter.getByLabel("Event").selectOption("session_created");
    await filter.getByLabel("Session code").fill("000000001");
    await filter.getByRole("button", { name: "Show" }).click();
    await page.getByText("No entries match.").waitFor();
  });

  it("lets the admin invite a technician, who enrols in their own browser", async () => {
    const { page } = await enrolled("Ada Admin", { isAdmin: true, canUseClipboard: true });
    await page.getByRole("button", { name: "Invite a technician" }).click();
    const linkField = page.getByLabel("Invite link", { exact: true });
    await expect.poll(() => linkField.inputValue()).toMatch(/^http:\/\/localhost:\d+\/enrol#[\w-]{43}$/);
    const inviteLink = await linkField.inputValue();
    await page.getByRole("button", { name: "Copy invite link" }).click();
    await expect.poll(() => textOf(page.getByRole("status"))).toBe("Copied.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(inviteLink);

    const technician = await newPerson();
    await enrol(technician.page, inviteLink, "Tom Tech");
    await technician.page.getByText("Signed in as Tom Tech", { exact: true }).waitFor();
    expect(await technician.page.getByRole("button", { name: "Invite a technician" }).count()).toBe(0);
  });

  it("lets the technician create a session with a 9-digit code and a customer link", async () => {
    const { page } = await enrolled("Tom Tech", { isAdmin: false });
    const sessionLink = await createSession(page, "CASE-42");
    const code = SESSION_LINK.exec(sessionLink)?.[1] ?? "";
    const grouped = `${code.slice(0, 3)} ${code.slice(3, 6)} ${code.slice(6)}`;
    await page.getByText(grouped, { exact: true }).first().waitFor();
    const live = page.getByRole("list", { name: "Your live sessions" });
    await expect.poll(() => textOf(live)).toContain(grouped);
    expect(await textOf(live)).toContain("CASE-42");
  });

  it("shows the customer who opens the link the technician's name", async () => {
    const { page } = await enrolled("Tom Tech", { isAdmin: false });
    const sessionLink = await createSession(page, "CASE-42");
    const customer = await newPerson();
    await open(customer.page, sessionLink);
    await customer.page.getByText("Tom Tech", { exact: true }).waitFor();
    expect(await textOf(customer.page.getByRole("definition").filter({ hasText: "CASE-42" }))).toBe("CASE-42");
  });
});
