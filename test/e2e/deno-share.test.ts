import { describe, expect, it } from "vitest";
import { createSession, enrolTechnician, framesArrive, newPerson, open } from "../helpers/node/people.ts";
import { useScene } from "../helpers/node/stage.ts";

// The same product on the Deno host: a technician signs in with a passkey and creates a session, the customer
// opens the link, allows, and the technician's viewer decodes frames.

const stage = useScene({}, "deno");

describe("screen sharing on the Deno host", () => {
  it("connects a customer's screen to the technician's viewer", async () => {
    const technician = await enrolTechnician(stage.browser, stage.server, "Dina Deno");
    stage.people.push(technician);
    const link = await createSession(technician.page);
    expect(new URL(link).origin).toBe(stage.server.origin);
    await technician.page.getByRole("link", { name: "View this session" }).click();

    const customer = await newPerson(stage.browser, stage.server);
    stage.people.push(customer);
    await open(customer.page, link);
    const consent = customer.page.getByRole("region", { name: "Who is asking to see your screen" });
    await consent.getByText("Dina Deno", { exact: true }).waitFor();
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();

    const figures = await framesArrive(technician.page.getByLabel("Customer's screen"));
    expect(figures.frames).toBeGreaterThan(0);
    expect(figures.width).toBeGreaterThan(0);
    expect(figures.height).toBeGreaterThan(0);
  });
});
