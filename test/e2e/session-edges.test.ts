import { describe, expect, it } from "vitest";
import { framesArrive, open, textOf } from "../helpers/node/people.ts";
import { newStagePerson, startSharing, useStage, viewNewSession } from "../helpers/node/stage.ts";

// The edges of a session as a customer meets them: a reload after Allow resumes, Don't allow reads as a refusal on
// the technician's side, a damaged link gets a page that says what to do, a second browser on a live link gets one
// clear message, Get help can be cancelled, and the console's list follows sessions that end.

const stage = useStage("Eddie Edge", { vars: { MAX_SESSIONS_PER_TECHNICIAN: "50", RATE_HANDSHAKE_PER_MIN: "1000" } });

describe("the edges of a session", () => {
  it("resumes the session after a reload of the customer's page: pick again, and the technician sees frames again", async () => {
    const { tech, customer } = await startSharing(stage);
    const { page } = customer;
    await page.reload();
    // The same session, not its end: the page asks for a new pick (a capture does not outlive its page).
    const bar = page.getByRole("region", { name: "Your support session" });
    await page.getByRole("status").getByText("The page was reloaded and your session goes on").waitFor();
    expect(await page.getByRole("heading", { name: "Session ended" }).isVisible()).toBe(false);
    // The reloaded page has a new certificate: the handshake runs again, and both sides show a new code to check.
    const code = page.getByRole("region", { name: "Check the verification code" }).getByRole("definition");
    await expect.poll(() => textOf(code)).toMatch(/^\S+ \S+ \S+ \S+$/);
    await tech.getByText("The customer stopped sharing.").first().waitFor();
    await bar.getByRole("button", { name: "Share again" }).click();
    await framesArrive(tech.getByLabel("Customer's screen"));
    await tech.getByText("The customer is sharing their whole screen. View only.").waitFor();
    expect(await textOf(page.locator("#status"))).toBe("");

    // End still ends it, for both, and a reload after that does not bring it back.
    await bar.getByRole("button", { name: "End session" }).click();
    await tech.getByText("The customer ended the session.").waitFor();
    await page.reload();
    await page.getByRole("status").getByText("This session has ended, so this link no longer works.").waitFor();
  });

  it("shows the technician Don't allow as a refusal, not as an ending", async () => {
    const link = await viewNewSession(stage);
    const { page } = await newStagePerson(stage);
    await open(page, link);
    await page.getByRole("button", { name: "Don't allow" }).click();
    await page.getByText("You did not allow sharing, so the session has ended. Nothing was shared.").waitFor();
    const tech = stage.technician.page;
    await tech.getByText("The customer did not allow you to see their screen", { exact: false }).waitFor();
    expect(await textOf(tech.locator("#overlay"))).toBe("The customer did not allow viewing.");
  });

  it("answers a damaged link with the product's page, as a 404, saying how to get a working link", async () => {
    const { page } = await newStagePerson(stage);
    for (const path of ["/j/ABC", "/j/12345678", "/j/"]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(404);
      await page.getByRole("heading", { name: "Support session" }).waitFor();
      await expect
        .poll(() => textOf(page.getByRole("status")), { message: path })
        .toContain("Ask your technician to send it again, or open the home page and choose Get help.");
    }
  });

  it("tells a second browser on a live link, once, that the session is open elsewhere", async () => {
    const link = await viewNewSession(stage);
    const first = await newStagePerson(stage);
    await open(first.page, link);
    await first.page.getByRole("button", { name: "Allow and choose what to share" }).waitFor();
    const second = await newStagePerson(stage);
    await open(second.page, link);
    await second.page.getByRole("heading", { name: "This session is open somewhere else" }).waitFor();
    expect(await second.page.getByRole("heading", { name: "Session ended" }).count()).toBe(0);
    const message = "Someone already opened this link and is in the session, so this page cannot join it.";
    await expect.poll(() => second.page.getByText(message, { exact: false }).count()).toBe(1);
    expect(await textOf(second.page.locator("#status"))).toBe("");
    // The session goes on for the first.
    await first.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    await framesArrive(stage.technician.page.getByLabel("Customer's screen"));
  });

  it("lets the customer cancel Get help, and start again from a fresh page", async () => {
    const { page } = await newStagePerson(stage);
    await open(page, "/");
    await page.getByRole("button", { name: "Get help" }).click();
    await page.getByRole("heading", { name: "Read these to your technician" }).waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByText("You cancelled your request for help.", { exact: false }).waitFor();
    await page.getByRole("link", { name: "Get help again" }).click();
    await page.getByRole("button", { name: "Get help" }).waitFor();
  });

  it("takes an ended session off the console's list of live sessions", async () => {
    const { tech, customer, code } = await startSharing(stage);
    await customer.page.getByRole("button", { name: "End session" }).click();
    await tech.getByText("The customer ended the session.").waitFor();
    await tech.goBack();
    const grouped = `${code.slice(0, 3)} ${code.slice(3, 6)} ${code.slice(6)}`;
    await tech.getByRole("heading", { name: "Your live sessions" }).waitFor();
    const list = tech.getByRole("list", { name: "Your live sessions" });
    await expect.poll(() => list.getByText(grouped).count()).toBe(0);
  });
});
