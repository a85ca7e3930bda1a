import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { toBase64url } from "../client/core/base64url.ts";
import { newLinkSecret, seatKeyHash, seatKeyOf } from "../client/core/link-secret.ts";
import { createSession } from "./clients.ts";
import type { BenchTechnician } from "./servers.ts";

// How the WebRTC bench drives a share, on Tether and on the floor alike: a viewer page that is already in the room,
// a customer in a fresh browser context who is told the other side is there and clicks Allow (Share on the floor).
// Every page carries page-scripts/marks.js, so each phase has a wall-clock time in window.__benchMarks.

const SCRIPTS = path.join(import.meta.dirname, "page-scripts");
export const MARKS_SCRIPT = path.join(SCRIPTS, "marks.js");
export const GLASS_SOURCE_SCRIPT = path.join(SCRIPTS, "glass-source.js");
export const GLASS_PROBE_SCRIPT = path.join(SCRIPTS, "glass-probe.js");

/** How long one step (a page load, a connection, the first frame) may take: a loaded machine (load 40) needs long. */
const STEP_TIMEOUT_MS = 45_000;

/** The phases page-scripts/marks.js records, each a wall-clock time in ms. */
export type Marks = Partial<
  Record<
    | "shareGranted"
    | "pcCreated"
    | "firstCandidate"
    | "offerSent"
    | "offerReceived"
    | "answerSent"
    | "answerReceived"
    | "iceConnected"
    | "dtlsConnected"
    | "track"
    | "firstFrameReceived"
    | "firstFrame"
    | "handshakeStart"
    | "handshakeConfirmed",
    number
  >
>;

/** One share, up to the moment before Allow. */
export type Share = {
  customer: Page;
  viewer: Page;
  /** Clicks Allow (or Share) and waits for the viewer's first decoded frame; returns both pages' marks. */
  allow(): Promise<{ customer: Marks; viewer: Marks }>;
  close(): Promise<void>;
};

/**
 * What to share: the fake screen (--use-fake-device-for-media-stream), or glass-source.js's timestamp canvas; with
 * `hasFiles`, the floor's pages also open their file channel.
 */
export type ShareOptions = { isGlass: boolean; hasFiles?: boolean };

/** Where a share happens: Tether through its real pages and server, or the floor's bare pages. */
export type ShareTarget = {
  name: string;
  open(options: ShareOptions): Promise<Share>;
  close(): Promise<void>;
};

export function readMarks(page: Page): Promise<Marks> {
  return page.evaluate(() => ({ ...(globalThis as unknown as { __benchMarks: Marks }).__benchMarks }));
}

async function customerContext(browser: Browser, baseURL: string, options: ShareOptions): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  // The canvas first, so that marks.js wraps it as it wraps the real picker.
  if (options.isGlass) await context.addInitScript({ path: GLASS_SOURCE_SCRIPT });
  await context.addInitScript({ path: MARKS_SCRIPT });
  return context;
}

async function viewerPage(context: BrowserContext, options: ShareOptions): Promise<Page> {
  const page = await context.newPage();
  if (options.isGlass) await page.addInitScript({ path: GLASS_PROBE_SCRIPT });
  return page;
}

async function finish(customer: Page, viewer: Page, click: () => Promise<void>) {
  await click();
  await viewer.waitForFunction(
    () => (globalThis as unknown as { __benchMarks: Marks }).__benchMarks.firstFrame !== undefined,
    undefined,
    { polling: 20, timeout: STEP_TIMEOUT_MS },
  );
  return { customer: await readMarks(customer), viewer: await readMarks(viewer) };
}

/**
 * Tether: one technician, signed in once (their cookie in one browser context), opens each new session's viewer
 * (/console#view=CODE, the link's secret in that tab's sessionStorage as the console keeps it) in a new page of that
 * context; each customer opens /j/CODE#SECRET in a fresh context, waits until the page says the technician is
 * connected, and clicks Allow. The handshake runs between the two pages meanwhile; an Allow before it has confirmed
 * waits for it, so connect_ms includes whatever of it is left.
 */
export async function tetherTarget(
  name: string,
  browser: Browser,
  origin: string,
  technician: BenchTechnician,
  customerBrowser: Browser = browser,
): Promise<ShareTarget> {
  const technicianContext = await browser.newContext({ baseURL: origin, viewport: { width: 1440, height: 900 } });
  technicianContext.setDefaultTimeout(STEP_TIMEOUT_MS);
  const [cookieName = "", value = ""] = technician.cookie.split(/=(.*)/s);
  await technicianContext.addCookies([{ name: cookieName, value, url: origin, httpOnly: true, sameSite: "Strict" }]);
  await technicianContext.addInitScript({ path: MARKS_SCRIPT });
  return {
    name,
    async open(options) {
      const secret = newLinkSecret();
      const seatKey = seatKeyOf(secret);
      if (!seatKey) throw new Error("a fresh link secret gave no seat key");
      const keys = { seatKey: toBase64url(seatKey), customerKeyHash: seatKeyHash(seatKey) };
      const { code } = await createSession(origin, technician, keys);
      const viewer = await viewerPage(technicianContext, options);
      await viewer.addInitScript(({ key, value }) => sessionStorage.setItem(key, value), {
        key: `tether.link.${code}`,
        value: secret,
      });
      await viewer.goto(`/console#view=${code}`);
      await viewer.getByText("The customer has not opened the session yet.").waitFor();
      const context = await customerContext(customerBrowser, origin, options);
      const customer = await context.newPage();
      await customer.goto(`/j/${code}#${secret}`);
      await customer
        .getByText(/ is connected\.$/)
        .first()
        .waitFor();
      const allow = customer.getByRole("button", { name: "Allow and choose what to share" });
      return {
        customer,
        viewer,
        allow: () => finish(customer, viewer, () => allow.click()),
        async close() {
          await context.close();
          await viewer.close();
        },
      };
    },
    close: () => technicianContext.close(),
  };
}

/**
 * The floor: bench/floor/viewer.html in one context, customer.html in a fresh one per share (in `customerBrowser`),
 * a new room each time.
 */
export async function floorTarget(
  name: string,
  browser: Browser,
  origin: string,
  customerBrowser: Browser = browser,
): Promise<ShareTarget> {
  const viewerContext = await browser.newContext({ baseURL: origin, viewport: { width: 1440, height: 900 } });
  viewerContext.setDefaultTimeout(STEP_TIMEOUT_MS);
  await viewerContext.addInitScript({ path: MARKS_SCRIPT });
  let rooms = 0;
  return {
    name,
    async open(options) {
      const room = `room-${++rooms}`;
      const viewer = await viewerPage(viewerContext, options);
      const files = options.hasFiles ? "&files=1" : "";
      await viewer.goto(`/viewer.html#room=${room}${files}`);
      const context = await customerContext(customerBrowser, origin, options);
      const customer = await context.newPage();
      await customer.goto(`/customer.html#room=${room}${files}`);
      await customer.getByText("ready", { exact: true }).waitFor();
      return {
        customer,
        viewer,
        allow: () => finish(customer, viewer, () => customer.getByRole("button", { name: "Share" }).click()),
        async close() {
          await context.close();
          await viewer.close();
        },
      };
    },
    close: () => viewerContext.close(),
  };
}
