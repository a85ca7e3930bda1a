import { describe, expect, it } from "vitest";
import { axeViolations } from "../helpers/node/axe.ts";
import { auditTypesOf, enrolTechnician, framesArrive, type Person, textOf } from "../helpers/node/people.ts";
import { type Sharing, startSharing, useStage } from "../helpers/node/stage.ts";

// More than one technician: the owner's viewer makes a colleague's link, the colleague opens it signed in with their
// own passkey and proves the session's secret like the owner, the customer's page names them and lets them in (or
// not), the colleague's viewer decodes the same screen over a connection of its own, and the customer's Remove cuts
// them off for good.

const stage = useStage("Olga Owner", { vars: { MAX_SESSIONS_PER_TECHNICIAN: "50", RATE_HANDSHAKE_PER_MIN: "1000" } });

const INVITE_LINK = /^http:\/\/[^/]+\/console#invite=(\d{9})\.[\w-]{22,}$/;

/** The owner invites; a newly enrolled colleague opens the link in their signed-in console. */
async function inviteColleague(sharing: Sharing, name: string): Promise<Person> {
  await sharing.tech.getByRole("button", { name: "Invite a colleague" }).click();
  const field = sharing.tech.getByLabel("Link for your colleague", { exact: true });
  await expect.poll(() => field.inputValue()).toMatch(INVITE_LINK);
  const link = await field.inputValue();
  // The dialog over the picture passes axe, and Escape closes it, as a modal dialog does.
  expect(await axeViolations(sharing.tech)).toEqual([]);
  await sharing.tech.keyboard.press("Escape");
  await expect.poll(() => field.isHidden()).toBe(true);
  const colleague = await enrolTechnician(stage.browser, stage.server, name, false);
  stage.people.push(colleague);
  await colleague.page.goto(link);
  // The secret leaves the address bar at once; the viewer opens.
  await expect.poll(() => colleague.page.url()).toMatch(new RegExp(`/console#view=${sharing.code}$`));
  await colleague.page.getByRole("heading", { name: /^Session \d{3} \d{3} \d{3}$/ }).waitFor();
  return colleague;
}

/** The customer's page shows no more than the colleague's request: the section of other technicians. */
function colleaguesOf(sharing: Sharing) {
  return sharing.customer.page.getByRole("region", { name: "Other technicians" });
}

describe("a colleague", () => {
  it("sees the customer's screen once the customer allows them, and is cut off when the customer removes them", async () => {
    const sharing = await startSharing(stage);
    const colleague = await inviteColleague(sharing, "Carl Colleague");
    const screen = colleague.page.getByLabel("Customer's screen");
    await colleague.page.getByText("You joined as a colleague.", { exact: false }).waitFor();
    expect(await colleague.page.getByRole("button", { name: "End session" }).isHidden()).toBe(true);

    // The customer sees who asks, by their verified name, and decides.
    await colleaguesOf(sharing)
      .getByText(/^Carl Colleague from .+ wants to join this session/)
      .waitFor();
    expect(await screen.evaluate((v) => (v as HTMLVideoElement).srcObject)).toBeNull();
    expect(await axeViolations(sharing.customer.page)).toEqual([]);
    await sharing.customer.page.getByRole("button", { name: "Allow Carl Colleague to join", exact: true }).click();
    await framesArrive(screen);
    await colleaguesOf(sharing)
      .getByText(/^Carl Colleague from .+ also sees what you share\.$/)
      .waitFor();
    // The owner keeps their picture.
    await framesArrive(sharing.tech.getByLabel("Customer's screen"));
    // What the customer writes reaches the colleague too.
    const customerChat = sharing.customer.page.getByRole("region", { name: /^Chat with your technician/ });
    await customerChat.getByLabel("Your message").fill("The printer says offline");
    await customerChat.getByRole("button", { name: "Send", exact: true }).click();
    const colleagueChat = colleague.page.getByRole("list", { name: /^Chat with the customer/ });
    await expect.poll(() => textOf(colleagueChat)).toMatch(/The printer says offline/);
    // And what the owner writes, marked as theirs: the colleague reads the whole conversation.
    const ownerChat = sharing.tech.getByRole("region", { name: /^Chat with the customer/ });
    await ownerChat.getByLabel("Your message").fill("Open the printer queue, please");
    await ownerChat.getByRole("button", { name: "Send", exact: true }).click();
    await expect.poll(() => textOf(colleagueChat)).toMatch(/Session owner .+ Open the printer queue, please/);
    // Only the owner works with the customer: the colleague is offered nothing that would go nowhere.
    await colleague.page.getByText("You read along as a colleague", { exact: false }).waitFor();
    for (const part of ["#viewer-chat-form", "#viewer-chat-mic", "#viewer-tools", "#viewer-files-section"]) {
      expect(await colleague.page.locator(part).isHidden()).toBe(true);
      expect(await sharing.tech.locator(part).isVisible()).toBe(true);
    }
    expect(await axeViolations(colleague.page)).toEqual([]);

    await sharing.customer.page.getByRole("button", { name: "Remove Carl Colleague from the session" }).click();
    await colleague.page.getByText("The customer took you out of this session.", { exact: false }).waitFor();
    await expect.poll(() => screen.evaluate((v) => (v as HTMLVideoElement).srcObject)).toBeNull();
    await expect.poll(() => colleaguesOf(sharing).isHidden()).toBe(true);
    // Opening the link again does not bring them back.
    await colleague.page.reload();
    await colleague.page.getByText("The customer took you out of this session.", { exact: false }).waitFor();
    // The owner's picture goes on.
    await framesArrive(sharing.tech.getByLabel("Customer's screen"));
    await expect
      .poll(() => auditTypesOf(sharing.tech, sharing.code))
      .toEqual(expect.arrayContaining(["colleague_invited", "colleague_admitted", "colleague_removed"]));
  });

  it("sees nothing when the customer does not allow them", async () => {
    const sharing = await startSharing(stage);
    const colleague = await inviteColleague(sharing, "Dora Declined");
    await sharing.customer.page.getByRole("button", { name: "Don't allow Dora Declined to join" }).click();
    await colleague.page.getByText("The customer took you out of this session.", { exact: false }).waitFor();
    expect(await textOf(colleague.page.locator("#overlay"))).toBe("Session ended.");
    expect(
      await colleague.page.getByLabel("Customer's screen").evaluate((v) => (v as HTMLVideoElement).srcObject),
    ).toBeNull();
    await framesArrive(sharing.tech.getByLabel("Customer's screen"));
  });

  it("takes the session over from the owner, who then leaves without ending it", async () => {
    const sharing = await startSharing(stage);
    const colleague = await inviteColleague(sharing, "Hana Handover");
    await sharing.customer.page.getByRole("button", { name: "Allow Hana Handover to join", exact: true }).click();
    const screen = colleague.page.getByLabel("Customer's screen");
    await framesArrive(screen);
    // The owner has written to the customer before handing over.
    const customerChat = sharing.customer.page.getByRole("list", { name: /^Chat with your technician/ });
    await sharing.tech.getByLabel("Your message").fill("A colleague takes over now");
    await sharing.tech.getByRole("button", { name: "Send", exact: true }).click();
    await expect.poll(() => textOf(customerChat)).toMatch(/A colleague takes over now/);
    // No colleague but the owner may hand over, and the owner confirms with a second click.
    expect(await colleague.page.getByRole("button", { name: /^Hand the session to/ }).count()).toBe(0);
    await sharing.tech.getByRole("button", { name: "Hand the session to Hana Handover" }).click();
    expect(await axeViolations(sharing.tech)).toEqual([]);
    // The button keeps the keyboard's focus as it asks for the confirmation; Enter confirms.
    await sharing.tech.getByRole("button", { name: "Confirm: hand the session to Hana Handover" }).waitFor();
    await sharing.tech.keyboard.press("Enter");
    // The new owner may invite and end; the former owner no longer may invite.
    await colleague.page.getByRole("button", { name: "Invite a colleague" }).waitFor();
    await expect.poll(() => sharing.tech.getByRole("button", { name: "Invite a colleague" }).isHidden()).toBe(true);
    expect(await sharing.tech.getByRole("button", { name: "End session" }).isHidden()).toBe(true);
    await colleague.page.getByRole("button", { name: "End session" }).waitFor();
    // The former owner leaves; the session and the new owner's picture go on.
    await sharing.tech.getByRole("link", { name: "Back to console" }).click();
    await framesArrive(screen);
    // The customer's bar names the new owner, and what the new owner writes reaches the customer (their page's
    // messages count from 1 again: none is taken for a repeat of the former owner's).
    await expect.poll(() => textOf(sharing.customer.page.locator("#bar-presence"))).toBe("Hana Handover is connected.");
    await colleague.page.getByLabel("Your message").fill("Hana here, I will go on");
    await colleague.page.getByRole("button", { name: "Send", exact: true }).click();
    await expect.poll(() => textOf(customerChat)).toMatch(/A colleague takes over now.*Hana here, I will go on/s);
    expect(await sharing.customer.page.getByRole("heading", { name: "Session ended" }).isHidden()).toBe(true);
    await expect
      .poll(() => auditTypesOf(sharing.tech, sharing.code))
      .toEqual(expect.arrayContaining(["colleague_admitted", "session_handed_over"]));
  });
});
