import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "#protocol/audit.ts";
import { axeViolations } from "../helpers/node/axe.ts";
import { launchBrowser } from "../helpers/node/browser.ts";
import { createSession, framesArrive, newPerson, open, SESSION_LINK } from "../helpers/node/people.ts";
import { startSharing, useStage } from "../helpers/node/stage.ts";

// The technician zooms a browser tab the customer shares (Chromium's Captured Surface Control), behind the customer's
// own consent. The customer's Chromium shares a real tab: the fake picker only offers a fake screen, so this browser
// has none and picks the tab by its title (--auto-select-tab-capture-source-by-title), and answers the browser's own
// "scroll and zoom" prompt with yes (--auto-grant-captured-surface-control-prompt). The zoom is read in the shared tab
// itself: its devicePixelRatio follows the browser zoom.

const stage = useStage("Zora Zeller");

const TARGET_TITLE = "Shared tab for zooming";
const TARGET_URL = "http://zoom-target.test/";

/** A Chromium without the fake picker, which shares the tab titled TARGET_TITLE when a page asks for a screen. */
let tabBrowser: Browser;
beforeAll(async () => {
  await keepControlChannel(stage.technician.context);
  tabBrowser = await launchBrowser(
    [`--auto-select-tab-capture-source-by-title=${TARGET_TITLE}`, "--auto-grant-captured-surface-control-prompt"],
    { fakeUi: false, fakeDevices: false },
  );
});
afterAll(async () => {
  await tabBrowser?.close();
});

/** Keeps the control channel the context's pages open, and the pongs that come back on it, on `window`. */
async function keepControlChannel(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const pongs: string[] = [];
    Object.assign(window, { zoomPongs: pongs });
    const create = RTCPeerConnection.prototype.createDataChannel;
    RTCPeerConnection.prototype.createDataChannel = function (label: string, init?: RTCDataChannelInit) {
      const channel = create.call(this, label, init);
      if (label === "control") {
        Object.assign(window, { zoomControl: channel });
        channel.addEventListener("message", (event: MessageEvent) => {
          const msg = typeof event.data === "string" ? JSON.parse(event.data) : null;
          if (msg?.type === "pong") pongs.push(msg.nonce);
        });
      }
      return channel;
    };
  });
}

/**
 * Sends a zoom step straight on the technician's control channel (as a page that ignores its own buttons would),
 * then a ping behind it on the same ordered channel: once the pong is back, the customer's page has handled the step.
 */
async function sendStepAndSettle(tech: Page, nonce: string, step = true): Promise<void> {
  await tech.evaluate(
    ([n, isStep]) => {
      const channel = (window as unknown as { zoomControl: RTCDataChannel }).zoomControl;
      if (isStep) channel.send(JSON.stringify({ type: "tabZoomStep", step: "in" }));
      channel.send(JSON.stringify({ type: "ping", nonce: n }));
    },
    [nonce, step] as const,
  );
  await expect
    .poll(() => tech.evaluate((n) => (window as unknown as { zoomPongs: string[] }).zoomPongs.includes(n), nonce))
    .toBe(true);
}

/** The zoom consents of session `code` in its audit log, oldest first. */
async function zoomConsents(page: Page, code: string): Promise<string[]> {
  const entries = await page.evaluate(async (session) => {
    const res = await fetch(`/api/audit/entries?session=${session}`);
    const { entries } = (await res.json()) as { entries: string[] };
    return entries.map((line) => JSON.parse(line) as AuditEntry);
  }, code);
  return entries.filter((entry) => entry.data.permission === "zoom").map((entry) => entry.type);
}

describe("the technician's zoom of a shared tab", () => {
  it("changes the tab's zoom only while the customer allows it", async () => {
    const tech = stage.technician.page;
    const link = await createSession(tech);
    const code = SESSION_LINK.exec(link)?.[1] ?? "";
    await tech.getByRole("link", { name: "View this session" }).click();

    // The tab the customer will share: another site, open in their browser.
    const targetContext = await tabBrowser.newContext();
    await targetContext.route(TARGET_URL, (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<!doctype html><html lang="en"><title>${TARGET_TITLE}</title><p>Settings page of something</p></html>`,
      }),
    );
    const target = await targetContext.newPage();
    await target.goto(TARGET_URL);
    const ratio = () => target.evaluate(() => window.devicePixelRatio);
    expect(await ratio()).toBe(1);

    const customer = await newPerson(tabBrowser, stage.server);
    stage.people.push(customer);
    // What the fake picker's browser has by its flag: with media permission, WebRTC offers loopback host addresses
    // rather than mDNS names, which nothing resolves here.
    await customer.context.grantPermissions(["camera", "microphone"]);
    try {
      await open(customer.page, link);
      await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
      await framesArrive(tech.getByLabel("Customer's screen"));
      await tech.getByText("The customer is sharing a browser tab.").waitFor();

      // Shared, not yet allowed: the viewer says the customer can allow it, and shows no zoom buttons.
      await tech.getByText("they can let you zoom it from their session bar").waitFor();
      const zoomIn = tech.getByRole("button", { name: "Zoom their tab in" });
      expect(await zoomIn.isVisible()).toBe(false);
      // A step sent anyway does nothing.
      await sendStepAndSettle(tech, "before-consent");
      expect(await ratio()).toBe(1);

      // The customer allows it (from the keyboard): the viewer's buttons appear, and zoom the shared tab.
      const bar = customer.page.getByRole("region", { name: "Your support session" });
      await bar.getByText("you can let your technician zoom it").waitFor();
      await bar.getByRole("button", { name: "Let my technician zoom this tab" }).focus();
      await customer.page.keyboard.press("Enter");
      await bar.getByText("Your technician can zoom the tab you share (now 100%).").waitFor();
      await zoomIn.waitFor();
      expect(await axeViolations(customer.page)).toEqual([]);
      expect(await axeViolations(tech)).toEqual([]);
      await zoomIn.click();
      await expect.poll(ratio).toBeCloseTo(1.1, 5);
      await tech.getByText("Their tab's zoom: 110%").waitFor();
      await bar.getByText("Your technician can zoom the tab you share (now 110%).").waitFor();
      await zoomIn.click();
      await expect.poll(ratio).toBeCloseTo(1.25, 5);
      await tech.getByRole("button", { name: "Reset their tab's zoom" }).click();
      await expect.poll(ratio).toBe(1);
      await tech.getByRole("button", { name: "Zoom their tab out" }).click();
      await expect.poll(ratio).toBeCloseTo(0.9, 5);

      // The customer takes it back: the buttons go, and a step sent anyway does nothing.
      await bar.getByRole("button", { name: "Stop tab zoom" }).click();
      await tech.getByText("they can let you zoom it from their session bar").waitFor();
      expect(await zoomIn.isVisible()).toBe(false);
      await sendStepAndSettle(tech, "after-withdrawal");
      expect(await ratio()).toBeCloseTo(0.9, 5);

      // Allowed again from the session bar kept on top of other windows: one step goes from where the tab was.
      const opened = customer.context.waitForEvent("page");
      await customer.page.getByRole("button", { name: "Keep on top of other windows" }).click();
      const mini = (await opened).getByRole("region", { name: "Your support session" });
      await mini.getByRole("button", { name: "Let my technician zoom this tab" }).click();
      await mini.getByText("Your technician can zoom the tab you share (now 90%).").waitFor();
      await zoomIn.click();
      await expect.poll(ratio).toBe(1);

      await expect
        .poll(() => zoomConsents(tech, code))
        .toEqual(["consent_given", "consent_withdrawn", "consent_given"]);
    } finally {
      await targetContext.close();
    }
  });

  it("is not offered for a screen: neither page says anything of it", async () => {
    const { tech, customer } = await startSharing(stage);
    await tech.getByText(/^The customer is sharing .+\. View only\.$/).waitFor();
    expect(await tech.getByText("The customer is sharing a browser tab. View only.").count()).toBe(0);
    // The customer's page said what it offers when the channel opened, before it answers this ping.
    await sendStepAndSettle(tech, "screen", false);
    expect(await tech.getByText("they can let you zoom it").count()).toBe(0);
    expect(await tech.getByRole("button", { name: "Zoom their tab in" }).isVisible()).toBe(false);
    const bar = customer.page.getByRole("region", { name: "Your support session" });
    expect(await bar.getByText("zoom").count()).toBe(0);
    expect(await bar.getByRole("button", { name: "Let my technician zoom this tab" }).isVisible()).toBe(false);
  });
});
