import { open, type Person, textOf } from "./people.ts";
import type { Stage } from "./stage.ts";

/** The customer clicks Get help and reads out what the page shows. */
export async function getHelp(customer: Person): Promise<{ id: string; password: string }> {
  const { page } = customer;
  await open(page, "/");
  await page.getByRole("button", { name: "Get help" }).click();
  const card = page.getByRole("region", { name: "Read these to your technician" });
  await card.getByText("Waiting for your technician to join.", { exact: false }).waitFor();
  const id = await textOf(card.getByLabel("Session ID", { exact: true }));
  const password = await textOf(card.getByLabel("Password", { exact: true }));
  return { id, password };
}

/** The stage's technician types what they heard into the console's join form. */
export async function joinAsTechnician(stage: Stage, id: string, password: string): Promise<void> {
  const { page } = stage.technician;
  await open(page, "/console");
  const form = page.getByRole("region", { name: "Join a customer's session" });
  await form.getByLabel("Session ID").fill(id);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Join" }).click();
  await page.getByRole("heading", { name: `Session ${id}` }).waitFor();
}
