import { describe, expect, it } from "vitest";
import { newSeatKey } from "../helpers/handshake.ts";
import { createSession, framesArrive, newPerson, open, SESSION_LINK } from "../helpers/node/people.ts";
import { useStage } from "../helpers/node/stage.ts";
import { type Receiver, startReceiver } from "../helpers/node/webhook-receiver.ts";

// The helpdesk integration as an admin meets it in the console: a webhook endpoint added there (its secret shown
// once) hears a real session, created with a helpdesk reference, that a customer allows in Chromium and ends; the
// delivery log shows each attempt; an API token made there lets a helpdesk's server create a session until it is
// revoked. The receiver verifies every delivery with the standardwebhooks package.

const stage = useStage("Hedda Helpdesk", { vars: { WEBHOOK_ALLOW_PRIVATE: "on", WEBHOOK_RETRY_S: "1,1,1" } });

async function withReceiver(test: (receiver: Receiver) => Promise<void>): Promise<void> {
  const receiver = await startReceiver();
  try {
    await test(receiver);
  } finally {
    await receiver.close();
  }
}

describe("the helpdesk panels of the console", () => {
  it("add a webhook endpoint that hears a customer's session in order, with its delivery log", async () => {
    await withReceiver(async (receiver) => {
      const { page } = stage.technician;
      await open(page, "/console");
      const panel = page.getByRole("region", { name: "Helpdesk webhooks" });
      await panel.getByLabel("Receiver address (https://)").fill(`${receiver.origin}/helpdesk`);
      await panel.getByLabel("Description (optional)").fill("Ticket system");
      await panel.getByRole("button", { name: "Add endpoint" }).click();
      const secretField = panel.getByLabel("Signing secret (shown only now)");
      await expect.poll(() => secretField.inputValue()).toMatch(/^whsec_/);
      receiver.setSecret("/helpdesk", await secretField.inputValue());
      await panel.getByText(`${receiver.origin}/helpdesk (Ticket system)`, { exact: false }).waitFor();

      const link = await createSession(page, undefined, "zendesk:4711");
      const code = SESSION_LINK.exec(link)?.[1] ?? "";
      await page
        .getByRole("list", { name: "Your live sessions" })
        .getByText("helpdesk zendesk:4711", { exact: false })
        .waitFor();
      await page.getByRole("link", { name: "View this session" }).click();
      const customer = await newPerson(stage.browser, stage.server);
      stage.people.push(customer);
      await open(customer.page, link);
      await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
      await framesArrive(page.getByLabel("Customer's screen"));
      await customer.page.getByRole("button", { name: "End session" }).click();

      await expect
        .poll(() =>
          receiver
            .accepted("/helpdesk")
            .filter((d) => d.payload?.data.session === code)
            .map((d) => d.payload?.type),
        )
        .toEqual(["session.created", "session.started", "session.ended"]);
      const delivered = receiver.accepted("/helpdesk").filter((d) => d.payload?.data.session === code);
      expect(delivered.every((d) => d.payload?.data.reference === "zendesk:4711")).toBe(true);

      await open(page, "/console");
      await panel.getByRole("button", { name: `Delivery log of ${receiver.origin}/helpdesk` }).click();
      const log = panel.getByRole("list", { name: `Delivery log of ${receiver.origin}/helpdesk` });
      await log.getByText(`${delivered[2]?.id} (session ended), attempt 1`, { exact: false }).waitFor();
      await expect.poll(() => log.getByText("HTTP 204", { exact: false }).count()).toBeGreaterThanOrEqual(3);
    });
  });

  it("make an API token, shown once, with which a helpdesk's server creates sessions until it is revoked", async () => {
    const { page } = stage.technician;
    await open(page, "/console");
    const panel = page.getByRole("region", { name: "Your API tokens" });
    page.once("dialog", (dialog) => void dialog.accept("Zendesk app"));
    await panel.getByRole("button", { name: "Create a token" }).click();
    const tokenField = panel.getByLabel("New token (shown only now)");
    await expect.poll(() => tokenField.inputValue()).toMatch(/^tth_/);
    const token = await tokenField.inputValue();
    await panel.getByText("Zendesk app: created", { exact: false }).waitFor();

    const fromHelpdesk = async () => {
      const { customerKeyHash } = await newSeatKey();
      return fetch(`${stage.server.origin}/api/sessions`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ customerKeyHash, reference: "zendesk:99" }),
      });
    };
    expect((await fromHelpdesk()).status).toBe(201);
    await open(page, "/console");
    await panel.getByText("Zendesk app: created", { exact: false }).waitFor();
    await expect(panel.getByText("never used", { exact: false }).count()).resolves.toBe(0);

    await panel.getByRole("button", { name: "Revoke the token Zendesk app" }).click();
    await panel.getByText("None yet.").waitFor();
    const refused = await fromHelpdesk();
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("TOKEN_INVALID");
  });
});
