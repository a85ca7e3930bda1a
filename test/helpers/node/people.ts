import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { addVirtualAuthenticator, type PageWatch, watchPage } from "./browser.ts";
import type { DevServer } from "./dev-server.ts";

/** One person at one browser profile: a customer, or a technician with their own passkey device. */
export type Person = { context: BrowserContext; page: Page; watch: PageWatch };

/** A fresh browser profile whose page reports CSP violations as console errors (which watchPage records). */
export async function newPerson(browser: Browser, server: DevServer): Promise<Person> {
  const context = await browser.newContext({ baseURL: server.origin });
  context.setDefaultTimeout(15_000);
  await context.addInitScript(() => {
    addEventListener("securitypolicyviolation", (event) => {
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const page = await context.newPage();
  return { context, page, watch: watchPage(page) };
}

/** Navigates and checks the server answered with the page. */
export async function open(page: Page, url: string): Promise<void> {
  const response = await page.goto(url);
  expect(response?.status(), `GET ${url.split("#")[0]}`).toBe(200);
}

/** A technician enrolled through a minted one-time link, signed in and looking at the console. */
export async function enrolTechnician(browser: Browser, server: DevServer, name: string): Promise<Person> {
  const person = await newPerson(browser, server);
  await addVirtualAuthenticator(person.page);
  await open(person.page, await server.mintEnrolment({ isAdmin: true }));
  await person.page.getByLabel("Your name").fill(name);
  await person.page.getByRole("button", { name: "Create passkey" }).click();
  await person.page.waitForURL("/console");
  await person.page.getByText(`Signed in as ${name}`, { exact: false }).waitFor();
  return person;
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
  await expect.poll(async () => (await videoFigures(video)).frames - start, { timeout: 20_000 }).toBeGreaterThan(more);
  return videoFigures(video);
}

/** Whether `video` shows no new frame for `ms`. */
export async function isStill(video: Locator, ms: number): Promise<boolean> {
  const before = (await videoFigures(video)).frames;
  await new Promise((resolve) => setTimeout(resolve, ms));
  return (await videoFigures(video)).frames === before;
}

/** Every console error that is a CSP violation or an uncaught exception, across `people`. */
export function pageFaults(people: Person[]): string[] {
  return people
    .flatMap((p) => p.watch.consoleErrors)
    .filter((e) => /content security policy/i.test(e) || e.startsWith("uncaught:"));
}
