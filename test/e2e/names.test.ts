import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { addVirtualAuthenticator } from "../helpers/node/browser.ts";
import { createSession, enrolTechnician, newPerson, open, textOf } from "../helpers/node/people.ts";
import { useScene } from "../helpers/node/stage.ts";

// The name a customer reads before Allow, end to end: an enrolment with a direction-changing character is refused
// with a message that says why; an admin corrects a technician's name and locks it from the console; the technician
// then cannot change it, and the customer's consent screen shows the corrected name and the configured organisation.

const ORGANISATION = "Acme Support GmbH";

const stage = useScene({ vars: { ORGANISATION } });

/** Answers the next prompt() on `page` with `text` (the console asks for names with one). */
function answerPrompt(page: Page, text: string): void {
  page.once("dialog", (dialog) => void dialog.accept(text));
}

describe("names customers read", () => {
  it("refuses an enrolment whose name changes the direction of text, saying which character", async () => {
    const person = await newPerson(stage.browser, stage.server);
    stage.people.push(person);
    await addVirtualAuthenticator(person.page);
    await open(person.page, await stage.server.mintEnrolment({ isAdmin: false }));
    await person.page.getByLabel("Your name").fill("Tess \u202Etroppus tfosorciM");
    await person.page.getByRole("button", { name: "Create passkey" }).click();
    const status = person.page.getByRole("status");
    await expect
      .poll(() => textOf(status))
      .toBe("The display name contains a character that changes the direction of text (U+202E); remove it.");
    expect(person.page.url()).toContain("/enrol");
  });

  it("shows the customer the name an admin corrected and locked, with the configured organisation", async () => {
    const admin = await enrolTechnician(stage.browser, stage.server, "Ada Admin");
    const tech = await enrolTechnician(stage.browser, stage.server, "Tess Microsoft support", false);
    stage.people.push(admin, tech);

    // The admin corrects the name and locks it, from the console's technician list.
    await open(admin.page, "/console");
    const technicians = admin.page.getByRole("list", { name: "Technicians" });
    answerPrompt(admin.page, "Tess Lane");
    await technicians.getByRole("button", { name: "Edit name of Tess Microsoft support" }).click();
    await expect.poll(() => textOf(admin.page.getByRole("status"))).toBe("The display name is now Tess Lane.");
    await technicians.getByRole("button", { name: "Lock name of Tess Lane" }).click();
    await technicians.getByRole("button", { name: "Unlock name of Tess Lane" }).waitFor();
    expect(await textOf(technicians.getByRole("listitem").filter({ hasText: "Tess Lane" }))).toContain(
      "Tess Lane (name locked)",
    );

    // The technician's console shows the new name, locked: no way to change it there.
    await open(tech.page, "/console");
    await tech.page.getByText("Signed in as Tess Lane").waitFor();
    await tech.page.getByText("An admin has locked your name; ask an admin to change it.").waitFor();
    expect(await tech.page.getByRole("button", { name: "Change your name" }).isHidden()).toBe(true);

    // The customer's consent screen shows the corrected name and the organisation configured on the server.
    const link = await createSession(tech.page, "INC-7");
    const customer = await newPerson(stage.browser, stage.server);
    stage.people.push(customer);
    await open(customer.page, link);
    const consent = customer.page.getByRole("region", { name: "Who is asking to see your screen" });
    await consent.waitFor();
    await expect.poll(() => textOf(consent.locator("#technician-name"))).toBe("Tess Lane");
    expect(await textOf(consent.locator("#organisation"))).toBe(ORGANISATION);
    expect(await textOf(consent)).not.toContain("Microsoft");
  });

  it("lets a technician change their own name while it is not locked, and says what is wrong with a bad one", async () => {
    const tech = await enrolTechnician(stage.browser, stage.server, "Sam Self", false);
    stage.people.push(tech);
    await open(tech.page, "/console");
    const status = tech.page.getByRole("status");
    answerPrompt(tech.page, "Sam\u200BSelf");
    await tech.page.getByRole("button", { name: "Change your name" }).click();
    await expect
      .poll(() => textOf(status))
      .toBe("The display name contains an invisible character (U+200B); remove it.");
    answerPrompt(tech.page, "山田\u3000太郎");
    await tech.page.getByRole("button", { name: "Change your name" }).click();
    await expect.poll(() => textOf(status)).toBe("Customers now see your name as 山田 太郎.");
    await tech.page.getByText("Signed in as 山田 太郎").waitFor();
  });
});
