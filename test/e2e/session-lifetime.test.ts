import { describe, expect, it } from "vitest";
import { axeViolations } from "../helpers/node/axe.ts";
import { getHelp, joinAsTechnician } from "../helpers/node/help.ts";
import { auditTypesOf, framesArrive, newPerson, textOf } from "../helpers/node/people.ts";
import { startSharing, useStage } from "../helpers/node/stage.ts";

// The end of a session's lifetime: both sides are warned in its last five minutes, and the technician extends it
// within the admin's limit. A lifetime under five minutes puts every session of this file in its last minutes at once.
// And the end of a session whose customer closed the tab after Allow: once the rejoin grace passes.

const stage = useStage("Lena Lifetime", {
  vars: {
    SESSION_LIFETIME_S: "290",
    SESSION_IDLE_TIMEOUT_S: "290",
    SESSION_MAX_LIFETIME_S: "3000",
    REJOIN_GRACE_S: "5",
  },
});

describe("a session's lifetime", () => {
  it("warns both sides in its last minutes, and the technician extends it: both see the new end", async () => {
    const { tech, customer, code } = await startSharing(stage);
    const bar = customer.page.getByRole("region", { name: "Your support session" });
    const warning = bar.getByText("in less than five minutes", { exact: false });
    await warning.waitFor();
    const customerBefore = await textOf(warning);
    expect(customerBefore).toContain("ask your technician to extend it");
    const line = tech.locator("#viewer-expiry");
    await expect.poll(() => textOf(line)).toContain("in less than five minutes. Extend it if you need more time.");
    const techBefore = await textOf(line);
    for (const colorScheme of ["light", "dark"] as const) {
      await tech.emulateMedia({ colorScheme });
      expect(await axeViolations(tech), `viewer with the expiry warning (${colorScheme})`).toEqual([]);
      await customer.page.emulateMedia({ colorScheme });
      expect(await axeViolations(customer.page), `bar with the expiry warning (${colorScheme})`).toEqual([]);
    }

    await tech.getByRole("button", { name: "Extend session" }).click();
    // One lifetime more: the end moves by almost five minutes on both sides.
    await expect.poll(() => textOf(line)).not.toBe(techBefore);
    await expect
      .poll(async () => (await warning.count()) === 0 || (await textOf(warning)) !== customerBefore)
      .toBe(true);
    await expect.poll(() => auditTypesOf(tech, code)).toContain("session_extended");
  });

  it("ends the session when the customer closes the tab after Allow and does not come back within the grace", async () => {
    const { tech, customer } = await startSharing(stage);
    await customer.page.close({ runBeforeUnload: true });
    await tech.getByText("The customer ended the session.").waitFor();
  });

  it("ends a Get-help session whose customer closes the tab after Allow, once the grace passes", async () => {
    const customer = await newPerson(stage.browser, stage.server);
    stage.people.push(customer);
    const { id, password } = await getHelp(customer);
    await joinAsTechnician(stage, id, password);
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    const tech = stage.technician.page;
    await framesArrive(tech.getByLabel("Customer's screen"));
    await customer.page.close({ runBeforeUnload: true });
    await tech.getByText("The customer ended the session.").waitFor();
  });
});
