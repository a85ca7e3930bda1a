import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { addVirtualAuthenticator, type PageWatch, watchPage } from "./browser.ts";
import type { DevServer } from "./dev-server.ts";

/**
 * The longest any one browser step (a navigation, a click, an element appearing) may take before it fails: an upper
 * bound for a stuck step on a slow, loaded machine, never an expectation. `expect.poll` has the same default (see the
 * e2e project in vitest.config.ts).
 */
export const STEP_TIMEOUT_MS = 60_000;

/** One person at one browser profile: a customer, or a technician with their own passkey device. */
export type Person = { context: BrowserContext; page: Page; watch: PageWatch };

/**
 * A fresh browser profile whose page reports CSP violations as console errors (which watchPage records); `locale`
 * sets the browser's language (navigator.languages, Accept-Language), Chromium's en-US when not given.
 */
export async function newPerson(browser: Browser, server: DevServer, locale?: string): Promise<Person> {
  const context = await browser.newContext({ baseURL: server.origin, ...(locale ? { locale } : {}) });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  await context.addInitScript(() => {
    addEventListener("securitypolicyviolation", (event) => {
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const page = await context.newPage();
  return { context, page, watch: watchPage(page) };
}

/** Navigates and checks the server answered with the page. */
/** A JSON request from the console's page (its cookie, its origin): the status and the body. */
export async function pageApi(page: Page, method: string, url: string): Promise<{ status: number; body: unknown }> {
  return page.evaluate(
    async ({ method, url }) => {
      const response = await fetch(url, {
        method,
        headers: { "content-type": "application/json" },
        body: method === "GET" ? undefined : "{}",
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    },
    { method, url },
  );
}

export async function open(page: Page, url: string): Promise<void> {
  const response = await page.goto(url);
  expect(response?.status(), `GET ${url.split("#")[0]}`).toBe(200);
}

/** A technician (an admin unless `isAdmin` says not) enrolled through a minted one-time link, at the console. */
export async function enrolTechnician(
  browser: Browser,
  server: DevServer,
  name: string,
  isAdmin = true,
): Promise<Person> {
  const person = await newPerson(browser, server);
  await addVirtualAuthenticator(person.page);
  await open(person.page, await server.mintEnrolment({ isAdmin }));
  await person.page.getByLabel("Your name").fill(name);
  await person.page.getByRole("button", { name: "Create passkey" }).click();
  await person.page.waitForURL("/console");
  await person.page.getByText(`Signed in as ${name}`, { exact: false }).waitFor();
  return person;
}

/** A session link as the console shows it: the code in the path, the secret (128 bits, base64url) in the fragment. */
export const SESSION_LINK = /\/j\/(\d{9})#([\w-]{22,})$/;

/**
 * A signed-in technician creates a session from the console (with a case number and a helpdesk reference, if given);
 * returns its link, whose fragment holds the secret the console made (the customer's page needs the whole link).
 */
export async function createSession(page: Page, caseNumber?: string, reference?: string): Promise<string> {
  await open(page, "/console");
  if (caseNumber !== undefined) await page.getByLabel("Case number (optional)").fill(caseNumber);
  if (reference !== undefined) await page.getByLabel("Helpdesk reference (optional)").fill(reference);
  await page.getByRole("button", { name: "New session" }).click();
  const linkField = page.getByLabel("Session link", { exact: true });
  await expect.poll(() => linkField.inputValue()).toMatch(SESSION_LINK);
  return linkField.inputValue();
}

export async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent())?.trim() ?? "";
}

/** What a <video> has shown: frames composited so far and the picture's size. */
export type VideoFigures = { frames: number; width: number; height: number };

export function videoFigures(video: Locator): Promise<VideoFigures> {
  return video.evaluate((element) => {
    const v = element as HTMLVideoElement;
    return { frames: v.getVideoPlaybackQuality().totalVideoFrames, width: v.videoWidth, height: v.videoHeight };
  });
}

/** Waits until `video` shows at least `more` frames beyond what it had shown when called; returns the figures. */
export async function framesArrive(video: Locator, more = 10): Promise<VideoFigures> {
  const start = (await videoFigures(video)).frames;
  try {
    await expect.poll(async () => (await videoFigures(video)).frames - start).toBeGreaterThan(more);
  } catch (err) {
    // What the page showed (its visible text) while no frames came, to tell a stuck step from a slow one.
    const body = video.page().locator("body");
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a person would have seen
    const visible = await body.innerText().catch(() => "(unreadable)");
    const shown = visible.replace(/\s+/g, " ").slice(0, 2_000);
    throw new Error(`no frames on ${video.page().url()}; the page showed: ${shown}`, { cause: err });
  }
  return videoFigures(video);
}

/** Every console error that is a CSP violation or an uncaught exception, across `people`. */
export function pageFaults(people: Person[]): string[] {
  return people
    .flatMap((p) => p.watch.consoleErrors)
    .filter((e) => /content security policy/i.test(e) || e.startsWith("uncaught:"));
}

/**
 * For a failed test, before its people are dismissed: what every page of `people` showed (address and visible text),
 * printed, so that a failure on a CI machine says where each side stood and not only the side the test waited on.
 */
export async function reportPages(people: (Person | undefined)[]): Promise<void> {
  for (const person of people) {
    for (const page of person?.context.pages() ?? []) {
      const body = page.locator("body");
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a person would have seen
      const visible = await body.innerText({ timeout: 5_000 }).catch(() => "(unreadable)");
      console.error(`--- ${page.url()} showed ---\n${visible.replace(/\s+/g, " ").slice(0, 2_000)}`);
    }
  }
}

/**
 * For afterEach: closes the browser profiles a test opened (emptying `people`) and fails the test if any of their
 * pages, or those of `kept` (people who stay for the next test), violated the CSP or threw. Each test is checked on
 * its own, so the verdict holds for a test run alone too.
 */
export async function dismiss(people: Person[], kept: (Person | undefined)[] = []): Promise<void> {
  const staying = kept.filter((person) => person !== undefined);
  const faults = pageFaults([...staying, ...people]);
  for (const person of staying) person.watch.consoleErrors.length = 0;
  await Promise.all(people.splice(0).map((person) => person.context.close()));
  expect(faults, "CSP violations and uncaught exceptions").toEqual([]);
}

/** The types of session `code`'s audit entries, oldest first, as `page`'s signed-in admin reads them. */
export function auditTypesOf(page: Page, code: string): Promise<string[]> {
  return page.evaluate(async (session) => {
    const res = await fetch(`/api/audit/entries?session=${session}`);
    const { entries } = (await res.json()) as { entries: string[] };
    return entries.map((line) => (JSON.parse(line) as { type: string }).type);
  }, code);
}
