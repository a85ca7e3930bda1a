import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { auditTypesOf, textOf } from "../helpers/node/people.ts";
import { audioReceived, keepPeerConnections } from "../helpers/node/rtc-stats.ts";
import { startSharing, useStage } from "../helpers/node/stage.ts";

// Chat between the customer's page and the technician's viewer, over the control data channel (peer to peer): both
// ways, text only, with read receipts; a page that is hidden counts what is unread, flashes its title and clears
// both once its person looks again; text pushed for the other person's clipboard is copied only at their click.

const stage = useStage("Chad Chat");

/** What a chat log shows, one line per message. */
function chatLines(page: Page, name: RegExp): Promise<string[]> {
  return page
    .getByRole("list", { name })
    .locator("li")
    .evaluateAll((items) => items.map((item) => item.textContent?.replace(/\s+/g, " ").trim() ?? ""));
}

/** Pretends the page went to the background, or came back, as a browser tells it when a tab is switched. */
async function setHidden(page: Page, isHidden: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, "visibilityState", {
      configurable: true,
      get: () => (hidden ? "hidden" : "visible"),
    });
    document.dispatchEvent(new Event("visibilitychange"));
  }, isHidden);
}

describe("chat", () => {
  it("carries messages both ways as text, with read receipts, and flags what arrives while the page is hidden", async () => {
    const { tech, customer } = await startSharing(stage);

    const techChat = tech.getByRole("region", { name: /^Chat with the customer/ });
    await techChat.getByLabel("Your message").fill("Can you see the red X in the corner?");
    await techChat.getByLabel("Your message").press("Enter");
    await expect
      .poll(() => chatLines(customer.page, /^Chat with your technician/))
      .toEqual([expect.stringMatching(/^Technician \d.* Can you see the red X in the corner\?$/)]);
    // The customer's page is in front: the message counts as read, and the technician's viewer says so.
    await expect
      .poll(() => chatLines(tech, /^Chat with the customer/))
      .toEqual([expect.stringMatching(/^You .* Can you see the red X in the corner\? Read$/)]);

    await setHidden(tech, true);
    const title = await tech.title();
    const customerChat = customer.page.getByRole("region", { name: /^Chat with your technician/ });
    await customerChat.getByLabel("Your message").fill("<b>Yes</b>, top right");
    await customerChat.getByRole("button", { name: "Send", exact: true }).click();
    await expect.poll(() => tech.title()).toBe(`(1) New message · ${title}`);
    await expect.poll(() => textOf(techChat.getByText("1 new"))).toBe("1 new");
    // Markup arrives as the characters typed.
    expect(await techChat.locator("b").count()).toBe(0);
    expect((await chatLines(tech, /^Chat with the customer/)).at(-1)).toMatch(/^Customer .* <b>Yes<\/b>, top right$/);
    expect((await chatLines(customer.page, /^Chat with your technician/)).at(-1)).not.toMatch(/Read$/);

    await setHidden(tech, false);
    await expect.poll(() => tech.title()).toBe(title);
    await expect.poll(() => techChat.getByText("1 new").count()).toBe(0);
    await expect
      .poll(async () => (await chatLines(customer.page, /^Chat with your technician/)).at(-1))
      .toMatch(/Read$/);

    // Nothing empty goes out.
    await customerChat.getByRole("button", { name: "Send", exact: true }).click();
    await customer.page.getByText("Write something first.").waitFor();
    expect(await chatLines(tech, /^Chat with the customer/)).toHaveLength(2);

    // Text for the customer's clipboard: their page offers it, and copies it only at their click.
    await customer.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stage.server.origin });
    await techChat.getByLabel("Your message").fill("ipconfig /flushdns");
    await techChat.getByRole("button", { name: "Send to the customer's clipboard" }).click();
    const pushed = customerChat.getByRole("listitem").filter({ hasText: "(for the clipboard)" });
    await pushed.getByText("ipconfig /flushdns").waitFor();
    expect(await customer.page.evaluate(() => navigator.clipboard.readText())).not.toBe("ipconfig /flushdns");
    await pushed.getByRole("button", { name: "Copy" }).click();
    await customer.page.getByText("Copied to your clipboard.").waitFor();
    expect(await customer.page.evaluate(() => navigator.clipboard.readText())).toBe("ipconfig /flushdns");
  });

  it("carries voice both ways once each person turns their microphone on, a consent of the customer's own", async () => {
    await keepPeerConnections(stage.technician.context);
    const { tech, customer } = await startSharing(stage, (person) => keepPeerConnections(person.context));
    // The audio is on the connection from the start, silent: no microphone, no sound.
    expect((await audioReceived(customer.page)).energy).toBe(0);

    // Chromium's fake microphone plays a tone: the other side receives it, with energy.
    const techChat = tech.getByRole("region", { name: /^Chat with the customer/ });
    await techChat.getByRole("button", { name: "Turn on my microphone" }).click();
    await techChat.getByRole("button", { name: "Turn off my microphone" }).waitFor();
    await expect.poll(async () => (await audioReceived(customer.page)).energy).toBeGreaterThan(0);

    const customerChat = customer.page.getByRole("region", { name: /^Chat with your technician/ });
    await customerChat.getByRole("button", { name: "Turn on my microphone" }).click();
    await customerChat.getByRole("button", { name: "Turn off my microphone" }).waitFor();
    await expect.poll(async () => (await audioReceived(tech)).energy).toBeGreaterThan(0);
    // The customer's microphone is a consent of its own, in the audit log.
    const code = new URL(customer.page.url()).pathname.split("/").at(-1) ?? "";
    await expect
      .poll(async () => (await auditTypesOf(tech, code)).filter((t) => t === "consent_given"))
      .toHaveLength(2);
    // The session bar says what the technician may do now; turning the microphone off takes that back.
    const bar = customer.page.getByRole("region", { name: "Your support session" });
    await bar.getByText("Right now your technician can see what you share and hear you.").waitFor();
    await customerChat.getByRole("button", { name: "Turn off my microphone" }).click();
    await bar.getByText("Right now your technician can see what you share.").waitFor();
    await expect.poll(async () => (await auditTypesOf(tech, code)).at(-1)).toBe("consent_withdrawn");
  });
});
