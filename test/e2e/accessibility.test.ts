import { describe, expect, it } from "vitest";
import {
  expectAccessible,
  isFocused,
  recordLiveRegions,
  repeats,
  spoken,
  tabTo,
} from "../helpers/node/accessibility.ts";
import { addVirtualAuthenticator } from "../helpers/node/browser.ts";
import { framesArrive, open, textOf } from "../helpers/node/people.ts";
import { newStagePerson, useStage, viewNewSession } from "../helpers/node/stage.ts";

// Every page and state a person can reach, checked by axe-core against WCAG 2.2 AA in both the light and the dark
// colour scheme and for reflow at 200 % and 400 % zoom; the customer's flow driven with the keyboard alone, focus
// following what appears; and what the live regions say, each change once. accessibility-states.test.ts has the
// states further in.

const stage = useStage("Ally Access", {
  vars: { MAX_SESSIONS_PER_TECHNICIAN: "50", RATE_HANDSHAKE_PER_MIN: "1000", HANDSHAKE_BACKOFF_BASE_S: "1" },
});

describe("accessibility (axe-core, WCAG 2.2 AA)", () => {
  it("home, Get help, and the pages of a broken link", async () => {
    const { page } = await newStagePerson(stage);
    await open(page, "/");
    await expectAccessible(page, "home");
    await page.getByRole("button", { name: "Get help" }).click();
    await page
      .getByRole("region", { name: "Read these to your technician" })
      .getByText("Waiting", { exact: false })
      .waitFor();
    await expectAccessible(page, "Get help");

    await open(page, "/j/123456789");
    await page.getByRole("status").waitFor();
    await expectAccessible(page, "a link without its secret");
  });

  it("a session link: consent, sharing with chat, files and voice, paused, ended; and the viewer beside it", async () => {
    const tech = stage.technician.page;
    const link = await viewNewSession(stage);
    await expectAccessible(tech, "viewer, waiting for the customer");
    const { page } = await newStagePerson(stage);
    await open(page, link);
    await page
      .getByRole("region", { name: "Who is asking to see your screen" })
      .getByText("Ally Access", { exact: true })
      .waitFor();
    await expectAccessible(page, "consent");
    await expectAccessible(tech, "viewer, customer deciding");

    await page.getByRole("button", { name: "Allow and choose what to share" }).click();
    await framesArrive(tech.getByLabel("Customer's screen"));
    const bar = page.getByRole("region", { name: "Your support session" });
    await bar.getByRole("button", { name: "Pause" }).waitFor();
    await page
      .getByRole("region", { name: /^Chat with your technician/ })
      .getByLabel("Your message")
      .fill("Hello");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await tech
      .getByRole("list", { name: /^Chat with the customer/ })
      .getByText("Hello")
      .waitFor();
    await expectAccessible(page, "sharing, with the bar, chat and files");
    await expectAccessible(tech, "viewer, sharing");

    await page.getByRole("button", { name: "Turn on my microphone" }).click();
    await page.getByRole("button", { name: "Turn off my microphone" }).waitFor();
    await expectAccessible(page, "sharing, microphone on");

    await bar.getByRole("button", { name: "Pause" }).click();
    await bar.getByRole("button", { name: "Resume" }).waitFor();
    await expectAccessible(page, "paused");
    await expectAccessible(tech, "viewer, paused");

    await bar.getByRole("button", { name: "End session" }).click();
    await page.getByRole("heading", { name: "Session ended" }).waitFor();
    await expectAccessible(page, "ended");
    await tech.getByText("The customer ended the session.").waitFor();
    await expectAccessible(tech, "viewer, ended");
  });

  it("a help request: the viewer refusing a wrong password, the consent with its verification code, Don't allow", async () => {
    const { page } = await newStagePerson(stage);
    await open(page, "/");
    await page.getByRole("button", { name: "Get help" }).click();
    const card = page.getByRole("region", { name: "Read these to your technician" });
    await card.getByText("Waiting", { exact: false }).waitFor();
    const id = await textOf(card.getByLabel("Session ID", { exact: true }));
    const password = await textOf(card.getByLabel("Password", { exact: true }));

    const tech = stage.technician.page;
    await open(tech, "/console");
    const join = tech.getByRole("region", { name: "Join a customer's session" });
    await join.getByLabel("Session ID").fill(id);
    await join
      .getByLabel("Password")
      .fill(password === "apple apple apple" ? "banjo banjo banjo" : "apple apple apple");
    await join.getByRole("button", { name: "Join" }).click();
    const form = tech.getByRole("form", { name: "Connect to the customer" });
    await tech.getByText("The password did not match.", { exact: false }).waitFor();
    await expectAccessible(tech, "viewer, password refused");
    await form.getByLabel("Customer's password").fill(password);
    await form.getByRole("button", { name: "Connect" }).click();

    const code = page.getByRole("region", { name: "Check the verification code" }).getByLabel("Verification code");
    await expect.poll(() => textOf(code)).toMatch(/^[a-z]+( [a-z]+){3}$/);
    await page
      .getByRole("region", { name: "Who is asking to see your screen" })
      .getByText("Ally Access", { exact: true })
      .waitFor();
    await expectAccessible(page, "consent after Get help, with the verification code");
    await expectAccessible(tech, "viewer, verification code");

    await page.getByRole("button", { name: "Don't allow" }).click();
    await page.getByRole("heading", { name: "Session ended" }).waitFor();
    await expectAccessible(page, "declined");
    await tech.getByText("The customer did not allow you to see their screen", { exact: false }).waitFor();
    await expectAccessible(tech, "viewer, the customer refused");
  });

  it("the edges: a damaged link, Get help cancelled, a second browser on a live link, a reload after Allow", async () => {
    const { page } = await newStagePerson(stage);
    expect((await page.goto("/j/ABC"))?.status()).toBe(404);
    await page.getByText("This link is damaged", { exact: false }).waitFor();
    await expectAccessible(page, "a damaged link");

    await open(page, "/");
    await page.getByRole("button", { name: "Get help" }).click();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("link", { name: "Get help again" }).waitFor();
    await expectAccessible(page, "Get help cancelled");

    const link = await viewNewSession(stage);
    const first = await newStagePerson(stage);
    await open(first.page, link);
    const second = await newStagePerson(stage);
    await open(second.page, link);
    await second.page.getByRole("heading", { name: "This session is open somewhere else" }).waitFor();
    await expectAccessible(second.page, "a second browser on a live link");

    await first.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    await framesArrive(stage.technician.page.getByLabel("Customer's screen"));
    await first.page.reload();
    await first.page.getByText("The page was reloaded and your session goes on", { exact: false }).waitFor();
    await first.page.getByRole("button", { name: "Share again" }).waitFor();
    await expectAccessible(first.page, "resumed after a reload");
  });

  it("enrol, sign-in, and the console with its admin panels", async () => {
    const { page } = await newStagePerson(stage);
    await open(page, "/enrol");
    await page.getByRole("status").getByText("incomplete", { exact: false }).waitFor();
    await expectAccessible(page, "enrol, incomplete link");
    await open(page, "/sign-in");
    await expectAccessible(page, "sign-in");
    await open(page, await stage.server.mintEnrolment({ isAdmin: false }));
    await page.getByLabel("Your name").waitFor();
    await expectAccessible(page, "enrol");
    // A technician who is not an admin: their console has no admin panels, and the admin's list offers Make admin.
    await addVirtualAuthenticator(page);
    await page.getByLabel("Your name").fill("Nia Newcomer");
    await page.getByRole("button", { name: "Create passkey" }).click();
    await page.waitForURL("/console");
    await page.getByText("Signed in as Nia Newcomer", { exact: false }).waitFor();
    await expectAccessible(page, "console of a technician who is not an admin");

    const tech = stage.technician.page;
    await open(tech, "/console");
    await tech.getByRole("region", { name: "Technicians" }).waitFor();
    await tech.getByRole("region", { name: "Audit log" }).getByRole("listitem").first().waitFor();
    tech.once("dialog", (dialog) => void dialog.accept("Helpdesk app"));
    await tech.getByRole("button", { name: "Create a token" }).click();
    await tech.getByLabel("New token (shown only now)").waitFor();
    await expectAccessible(tech, "console, with technicians, audit log, helpdesk webhooks and API tokens");
  });
});

describe("the keyboard alone", () => {
  it("takes the customer through the flow: focus goes to what appears; Matches, Allow, Pause, End with Tab and Enter", async () => {
    const link = await viewNewSession(stage);
    const { page } = await newStagePerson(stage);
    await open(page, link);
    const heard = await recordLiveRegions(page);
    // The verification code appears above the consent once the technician's handshake is confirmed; the focus is there.
    const check = page.getByRole("heading", { name: "Check the verification code" });
    await check.waitFor();
    await expect.poll(() => isFocused(check)).toBe(true);
    await tabTo(page, page.getByRole("button", { name: "Matches" }));
    await page.keyboard.press("Enter");
    await page.getByText("You checked: your technician sees the same four words.").waitFor();
    // The Matches button went away with the check: the focus is on the next step, Allow.
    const allow = page.getByRole("button", { name: "Allow and choose what to share" });
    await expect.poll(() => isFocused(allow)).toBe(true);
    await page.keyboard.press("Enter");
    const bar = page.getByRole("region", { name: "Your support session" });
    await framesArrive(stage.technician.page.getByLabel("Customer's screen"));
    await expect.poll(() => isFocused(bar)).toBe(true);

    await tabTo(page, bar.getByRole("button", { name: "Pause" }));
    await page.keyboard.press("Enter");
    const resume = bar.getByRole("button", { name: "Resume" });
    await resume.waitFor();
    expect(await isFocused(resume)).toBe(true);
    await page.keyboard.press("Enter");
    await bar.getByRole("button", { name: "Pause" }).waitFor();

    await tabTo(page, bar.getByRole("button", { name: "End session" }));
    const beforeEnd = (await heard()).length;
    await page.keyboard.press("Enter");
    const ended = page.getByRole("heading", { name: "Session ended" });
    await ended.waitFor();
    await expect.poll(() => isFocused(ended)).toBe(true);

    // Each change was given to the screen reader once: pausing and resuming were heard, the figures' redraws were not.
    const lines = await heard();
    expect(repeats(lines), lines.join("\n")).toEqual([]);
    expect(lines).toContainEqual(
      expect.stringMatching(/^sharing-summary: Paused: .* sees nothing until you resume\.$/),
    );
    // The end, named by the heading that took the focus, is told once, with its reason, by the end screen's status.
    expect(spoken(lines, beforeEnd)).toEqual(["ended-reason: You ended the session. Nothing more is shared."]);
  });

  it("tells the technician each change of the customer's once, and the end once, in the viewer's live regions", async () => {
    const tech = stage.technician.page;
    const link = await viewNewSession(stage);
    const heard = await recordLiveRegions(tech);
    const { page } = await newStagePerson(stage);
    await open(page, link);
    await page.getByRole("button", { name: "Allow and choose what to share" }).click();
    await framesArrive(tech.getByLabel("Customer's screen"));
    const bar = page.getByRole("region", { name: "Your support session" });
    await bar.getByRole("button", { name: "Pause" }).click();
    await tech.locator("#viewer-customer").getByText("paused", { exact: false }).waitFor();
    await bar.getByRole("button", { name: "Resume" }).click();
    await framesArrive(tech.getByLabel("Customer's screen"));
    const beforeEnd = (await heard()).length;
    await bar.getByRole("button", { name: "End session" }).click();
    await tech.locator("#viewer-customer").getByText("The customer ended the session.").waitFor();

    const lines = await heard();
    expect(repeats(lines), lines.join("\n")).toEqual([]);
    expect(spoken(lines)).toContainEqual("viewer-customer: The customer paused sharing.");
    // The overlay over the picture shows the end too, but only the customer line speaks it.
    const overlay = tech.locator("#overlay");
    expect([await textOf(overlay), await overlay.getAttribute("aria-live")]).toEqual(["Session ended.", "off"]);
    expect(spoken(lines, beforeEnd)).toEqual(["viewer-customer: The customer ended the session."]);
  });

  it("takes the customer from Get help to what to read out, and on to the consent once the technician joins", async () => {
    const { page } = await newStagePerson(stage);
    await open(page, "/");
    await tabTo(page, page.getByRole("button", { name: "Get help" }));
    await page.keyboard.press("Enter");
    const readThese = page.getByRole("heading", { name: "Read these to your technician" });
    await readThese.waitFor();
    await expect.poll(() => isFocused(readThese)).toBe(true);
    // Cancel is reached with Tab; the ending it leads to takes the focus, and its reason is told once.
    await tabTo(page, page.getByRole("button", { name: "Cancel" }));
    const heard = await recordLiveRegions(page);
    await page.keyboard.press("Enter");
    const ended = page.getByRole("heading", { name: "Session ended" });
    await expect.poll(() => isFocused(ended)).toBe(true);
    expect(spoken(await heard())).toEqual([
      expect.stringMatching(/^ended-reason: You cancelled your request for help\./),
    ]);
    await tabTo(page, page.getByRole("link", { name: "Get help again" }));
  });

  it("lets the technician create a session and open its viewer with Tab and Enter", async () => {
    const tech = stage.technician.page;
    await open(tech, "/console");
    await tabTo(tech, tech.getByRole("button", { name: "New session" }));
    await tech.keyboard.press("Enter");
    const view = tech.getByRole("link", { name: "View this session" });
    await view.waitFor();
    await tabTo(tech, view);
    await tech.keyboard.press("Enter");
    await tech.getByRole("heading", { name: /^Session \d{3} \d{3} \d{3}$/ }).waitFor();
  });
});
