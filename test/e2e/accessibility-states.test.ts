import { devices, type Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  expectAccessible,
  isFocused,
  recordLiveRegions,
  repeats,
  spoken,
  tabTo,
} from "../helpers/node/accessibility.ts";
import { axeViolations } from "../helpers/node/axe.ts";
import { watchPage } from "../helpers/node/browser.ts";
import { createSession, framesArrive, open, type Person, STEP_TIMEOUT_MS, textOf } from "../helpers/node/people.ts";
import { newStagePerson, useStage } from "../helpers/node/stage.ts";
import { startReceiver } from "../helpers/node/webhook-receiver.ts";

// The states of a session that take more than a click to reach, checked as accessibility.test.ts checks the others
// (axe-core against WCAG 2.2 AA in both colour schemes, reflow at 200 % and 400 % zoom, the keyboard): the session
// panel kept on top in its mini window, sharing stopped and shared again, a verification code refused (its end told
// once on each page), a phone's camera, a recording asked for and running, an ended link opened again, the last minutes with the technician's Extend, and the console's webhook delivery log.
// A lifetime under five minutes puts every session of this file in its last minutes from the start (as in
// session-lifetime.test.ts), so each of these states is checked with the expiry warning shown as well.

const stage = useStage("Stacy States", {
  vars: {
    MAX_SESSIONS_PER_TECHNICIAN: "50",
    RATE_HANDSHAKE_PER_MIN: "1000",
    SESSION_LIFETIME_S: "290",
    SESSION_IDLE_TIMEOUT_S: "290",
    SESSION_MAX_LIFETIME_S: "3000",
    RECORDING_POLICY: "ask",
    WEBHOOK_ALLOW_PRIVATE: "on",
    WEBHOOK_RETRY_S: "1,1,1",
  },
});

/** The technician creates a session and opens its viewer; a customer opens the link and sees the consent. */
async function customerAtConsent(): Promise<{ tech: Page; page: Page; link: string }> {
  const tech = stage.technician.page;
  const link = await createSession(tech);
  await tech.getByRole("link", { name: "View this session" }).click();
  await tech.getByRole("heading", { name: /^Session \d{3} \d{3} \d{3}$/ }).waitFor();
  const { page } = await newStagePerson(stage);
  await open(page, link);
  await page
    .getByRole("region", { name: "Who is asking to see your screen" })
    .getByText("Stacy States", { exact: true })
    .waitFor();
  return { tech, page, link };
}

/** As {@link customerAtConsent}, and the customer allows: frames arrive in the viewer. */
async function sharing(): Promise<{ tech: Page; page: Page; link: string }> {
  const session = await customerAtConsent();
  await session.page.getByRole("button", { name: "Allow and choose what to share" }).click();
  await framesArrive(session.tech.getByLabel("Customer's screen"));
  return session;
}

/** A phone's browser profile, as in phone.test.ts: a Pixel 7's screen, touch and user agent, and no screen capture. */
async function phone(): Promise<Person> {
  const { defaultBrowserType: _, ...pixel } = devices["Pixel 7"];
  const context = await stage.browser.newContext({ ...pixel, baseURL: stage.server.origin });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  await context.addInitScript(() => Reflect.deleteProperty(MediaDevices.prototype, "getDisplayMedia"));
  const page = await context.newPage();
  const person = { context, page, watch: watchPage(page) };
  stage.people.push(person);
  return person;
}

/** The id of the video track the customer's preview shows: a new one after each pick. */
function sharedTrack(page: Page): Promise<string | undefined> {
  return page
    .getByLabel("Preview of what you are sharing")
    .evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream | null)?.getVideoTracks()[0]?.id);
}

describe("accessibility of the states further in (axe-core, WCAG 2.2 AA, reflow, keyboard)", () => {
  it("the session panel kept on top in its mini window and put back, with the keyboard", async () => {
    const { page } = await sharing();
    const opened = page.context().waitForEvent("page");
    await tabTo(page, page.getByRole("button", { name: "Keep on top of other windows" }));
    await page.keyboard.press("Enter");
    const mini = await opened;
    const bar = mini.getByRole("region", { name: "Your support session" });
    await bar.getByRole("button", { name: "End session" }).waitFor();
    // The focus went with the panel into its window.
    await expect.poll(() => isFocused(bar)).toBe(true);
    await mini.getByRole("region", { name: /^Chat with your technician/ }).waitFor();
    for (const colorScheme of ["light", "dark"] as const) {
      await mini.emulateMedia({ colorScheme });
      expect(await axeViolations(mini), `mini window (${colorScheme})`).toEqual([]);
    }
    // The mini window is narrow (420 CSS pixels): what it holds fits its width.
    const overflow = await mini.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, "mini window: pixels to scroll sideways").toBe(0);
    await expectAccessible(page, "the page while its panel is kept on top");

    await tabTo(mini, bar.getByRole("button", { name: "Put back in the page" }));
    // Enter's key-down puts the panel back and closes the window: there is no window left to take the key-up, and the
    // key-down itself may find its window gone before the browser answered it (a busy machine).
    await mini.keyboard.down("Enter").catch((error: unknown) => {
      if (!mini.isClosed()) throw error;
    });
    const backInPage = page.getByRole("region", { name: "Your support session" });
    await backInPage.waitFor();
    await expect.poll(() => isFocused(backInPage)).toBe(true);
    await expectAccessible(page, "the panel put back");
  });

  it("sharing stopped from the bar, with the keyboard; shared again, and something else shared", async () => {
    const { tech, page } = await sharing();
    const bar = page.getByRole("region", { name: "Your support session" });
    await tabTo(page, bar.getByRole("button", { name: "Stop sharing" }));
    await page.keyboard.press("Enter");
    await bar.getByText("You are not sharing anything.", { exact: false }).waitFor();
    // Stop sharing went away with the sharing: the focus is on what undoes it, Share again.
    const again = bar.getByRole("button", { name: "Share again" });
    await expect.poll(() => isFocused(again)).toBe(true);
    await tech.getByText("The customer stopped sharing.").first().waitFor();
    await expectAccessible(page, "sharing stopped");
    await expectAccessible(tech, "viewer, sharing stopped");

    await page.keyboard.press("Enter");
    await framesArrive(tech.getByLabel("Customer's screen"));
    const before = await sharedTrack(page);
    const somethingElse = bar.getByRole("button", { name: "Share something else" });
    await tabTo(page, somethingElse);
    await page.keyboard.press("Enter");
    await expect.poll(() => sharedTrack(page)).not.toBe(before);
    await framesArrive(tech.getByLabel("Customer's screen"));
    await expectAccessible(page, "something else shared");
  });

  it("the verification code refused with the keyboard: the end told once on each page, and accessible", async () => {
    const { tech, page } = await customerAtConsent();
    const customerHeard = await recordLiveRegions(page);
    const techHeard = await recordLiveRegions(tech);
    const check = page.getByRole("heading", { name: "Check the verification code" });
    await expect.poll(() => isFocused(check)).toBe(true);
    const [customerBefore, techBefore] = [(await customerHeard()).length, (await techHeard()).length];
    await tabTo(page, page.getByRole("button", { name: "Doesn't match" }));
    await page.keyboard.press("Enter");
    const ended = page.getByRole("heading", { name: "Session ended" });
    await expect.poll(() => isFocused(ended)).toBe(true);
    await tech.locator("#viewer-customer").getByText("The customer ended the session.").waitFor();

    const [customerLines, techLines] = [await customerHeard(), await techHeard()];
    expect(repeats(customerLines), customerLines.join("\n")).toEqual([]);
    expect(repeats(techLines), techLines.join("\n")).toEqual([]);
    expect(spoken(customerLines, customerBefore)).toEqual([
      expect.stringMatching(/^ended-reason: You said the verification code did not match, so the session has ended\./),
    ]);
    expect(spoken(techLines, techBefore)).toEqual(["viewer-customer: The customer ended the session."]);
    await expectAccessible(page, "ended: the code did not match");
    await expectAccessible(tech, "viewer, ended by the customer before Allow");
  });

  it("a phone's camera consent and its bar, down to 320 CSS pixels wide", async () => {
    const tech = stage.technician.page;
    const link = await createSession(tech);
    await tech.getByRole("link", { name: "View this session" }).click();
    const { page } = await phone();
    await open(page, link);
    const consent = page.getByRole("region", { name: "Who is asking to see through your camera" });
    await consent.getByText("Stacy States", { exact: true }).waitFor();
    await tech.getByText("The customer is on a phone: camera only.", { exact: false }).waitFor();
    await expectAccessible(page, "phone, camera consent");
    await expectAccessible(tech, "viewer, a phone deciding");

    await page.getByRole("button", { name: "Allow and turn on the camera" }).tap();
    await framesArrive(tech.getByLabel("Customer's screen"));
    await page.getByRole("region", { name: "Your support session" }).getByRole("button", { name: "Pause" }).waitFor();
    await expectAccessible(page, "phone, sharing the camera");
    await expectAccessible(tech, "viewer, a phone's camera");
  });

  it("the recording asked for at the consent, running with ● REC on both pages", async () => {
    const { tech, page } = await customerAtConsent();
    const choice = page.getByLabel(/^Allow recording/);
    await expectAccessible(page, "consent with the recording choice and the expiry warning");
    await tabTo(page, choice);
    await page.keyboard.press("Space");
    expect(await choice.isChecked()).toBe(true);
    await page.getByRole("button", { name: "Allow and choose what to share" }).click();
    await framesArrive(tech.getByLabel("Customer's screen"));
    await tech.locator("#viewer-rec").waitFor({ state: "visible" });
    await page.locator("#rec-badge").waitFor({ state: "visible" });
    await expectAccessible(page, "the bar while recording");
    await expectAccessible(tech, "the viewer while recording");
    await page.getByRole("button", { name: "Stop recording" }).click();
    await tech.locator("#viewer-rec").waitFor({ state: "hidden" });
  });

  it("the last minutes: the warning on both pages, Extend with the keyboard; an ended link opened again", async () => {
    const { tech, page, link } = await sharing();
    const bar = page.getByRole("region", { name: "Your support session" });
    await bar.getByText("in less than five minutes", { exact: false }).waitFor();
    const line = tech.locator("#viewer-expiry");
    await expect.poll(() => textOf(line)).toContain("Extend it if you need more time.");
    await expectAccessible(page, "the bar in the last minutes");
    await expectAccessible(tech, "the viewer in the last minutes, with Extend");

    const before = await textOf(line);
    const extend = tech.getByRole("button", { name: "Extend session" });
    await tabTo(tech, extend, 60);
    await tech.keyboard.press("Enter");
    await expect.poll(() => textOf(line)).not.toBe(before);
    // Extend went away with the warning: the focus is on the next of the viewer's buttons, not lost to the page.
    await expect.poll(() => isFocused(tech.getByRole("button", { name: "Actual size (1:1)" }))).toBe(true);
    await expectAccessible(tech, "the viewer, extended");

    await bar.getByRole("button", { name: "End session" }).click();
    await tech.getByText("The customer ended the session.").waitFor();
    const later = await newStagePerson(stage);
    await open(later.page, link);
    await later.page.getByRole("status").getByText("This session has ended", { exact: false }).waitFor();
    await expectAccessible(later.page, "an ended link opened again");
  });

  // After the tests above: the console's audit log then holds their sessions' long ids and hashes, which must wrap.
  it("the console's helpdesk webhooks with a delivery log opened with the keyboard", async () => {
    const receiver = await startReceiver();
    try {
      const { page } = stage.technician;
      await open(page, "/console");
      const panel = page.getByRole("region", { name: "Helpdesk webhooks" });
      await panel.getByLabel("Receiver address (https://)").fill(`${receiver.origin}/desk`);
      await panel.getByRole("button", { name: "Add endpoint" }).click();
      const secret = panel.getByLabel("Signing secret (shown only now)");
      await expect.poll(() => secret.inputValue()).toMatch(/^whsec_/);
      receiver.setSecret("/desk", await secret.inputValue());
      await createSession(page);
      await expect.poll(() => receiver.accepted("/desk").length).toBeGreaterThan(0);

      await open(page, "/console");
      const toggle = panel.getByRole("button", { name: `Delivery log of ${receiver.origin}/desk` });
      await tabTo(page, toggle, 200);
      await page.keyboard.press("Enter");
      const log = panel.getByRole("list", { name: `Delivery log of ${receiver.origin}/desk` });
      await log.getByText("HTTP 204", { exact: false }).first().waitFor();
      expect(await toggle.getAttribute("aria-expanded")).toBe("true");
      await expectAccessible(page, "console with a webhook's delivery log open");
    } finally {
      await receiver.close();
    }
  });
});
