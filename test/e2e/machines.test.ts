import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MachineList } from "#protocol/machines.ts";
import { expectAccessible } from "../helpers/node/accessibility.ts";
import { enrolTechnician, open, textOf } from "../helpers/node/people.ts";
import { useStage } from "../helpers/node/stage.ts";

// Machines for unattended access, as an admin enrols one: the console makes the one-time command, the agent run with
// it on the machine makes the machine's key there and prints its fingerprint, and the console lists the machine with
// the same fingerprint; the agent's `serve` brings it online; the admin lets a technician reach it and takes it back,
// connects to it (the session is opened; the viewer is test/e2e/unattended.test.ts's), renames it and removes it,
// which stops the agent. The agent runs from its sources here; the command names
// the downloaded file, which runs the same code (agent-download.test.ts).

const stage = useStage("Mara Machines", { vars: { UNATTENDED_ACCESS: "on", MACHINE_HEARTBEAT_S: "1" } });
const WAIT = { timeout: 60_000, interval: 100 };
const COMMAND = /^node tether-agent\.mjs enrol '(http:\/\/[^']+\/enrol-machine#[\w-]+)'$/;

/** The ids of the machines GET /api/machines lists to whoever is signed in on `page`. */
async function reachable(page: Page): Promise<string[]> {
  const body = await page.evaluate(async () => (await fetch("/api/machines")).json());
  return MachineList.parse(body).machines.map((machine) => machine.id);
}

/** Runs `npm run agent -- enrol LINK --identity FILE` as a person would, in English. */
function enrolWith(link: string, identity: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", "client/agent/main.ts", "enrol", link, "--identity", identity],
      { env: { ...process.env, LANG: "en_GB.UTF-8", LC_ALL: "", LC_MESSAGES: "" }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, output: stdout + stderr }),
    );
  });
}

describe("machines for unattended access", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "tether-machine-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("are enrolled with the console's one-time command, listed with the key the machine printed, assigned, connected to, renamed and removed", async () => {
    const page = stage.technician.page;
    await open(page, "/console");
    const panel = page.getByRole("region", { name: "Machines" });
    await panel.getByText("No machines yet.").waitFor();
    await panel.getByRole("button", { name: "Enrol a machine" }).click();
    const command = panel.getByLabel("Run this on the machine (it works once)");
    await expect.poll(() => command.inputValue(), WAIT).toMatch(COMMAND);
    await expectAccessible(page, "console, a machine enrolment made");
    const link = COMMAND.exec(await command.inputValue())?.[1] ?? "";

    const identity = path.join(dir, "tether", "machine.json");
    const enrolled = await enrolWith(link, identity);
    expect(enrolled.output).toMatch(/This machine is enrolled as .+\. Its key: [\w-]{4}(?:-[\w-]{4}){3} /);
    expect(enrolled.code).toBe(0);
    const key = /Its key: ([\w-]{4}(?:-[\w-]{4}){3}) /.exec(enrolled.output)?.[1] ?? "";
    // The machine's private key is for its owner's eyes only.
    expect((await stat(identity)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(identity))).mode & 0o777).toBe(0o700);

    // The same link works once: a second machine cannot use it.
    const again = await enrolWith(link, path.join(dir, "other", "machine.json"));
    expect(again.code).toBe(1);
    expect(again.output).toContain("This enrolment link is unknown, used or expired.");

    // The console lists it with the same key, never seen yet.
    await open(page, "/console");
    const item = panel.getByRole("listitem").filter({ hasText: key });
    await expect.poll(() => textOf(item.locator("span")), WAIT).toMatch(/, last seen never$/);

    // Served, the machine is online, and says so on the machine and in the console.
    const served = spawn(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", "client/agent/main.ts", "serve", "--identity", identity],
      { env: { ...process.env, LANG: "en_GB.UTF-8", LC_ALL: "", LC_MESSAGES: "" } },
    );
    let said = "";
    served.stdout.on("data", (chunk: Buffer) => {
      said += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => served.once("exit", (code) => resolve(code)));
    try {
      await expect.poll(() => said, WAIT).toContain("is online for unattended access.");
      // The console, left open, follows without a reload.
      await expect.poll(() => textOf(item.locator("span")), WAIT).toMatch(/: online$/);
    } catch (error) {
      served.kill("SIGKILL");
      throw error;
    }

    // Who may reach it: a technician who is not an admin, chosen with the keyboard alone, and taken back.
    const tess = await enrolTechnician(stage.browser, stage.server, "Tess Tech", false);
    stage.people.push(tess);
    await open(page, "/console");
    const access = item.getByText("Who may reach it: admins only");
    await access.focus();
    await page.keyboard.press("Enter");
    const box = item.getByRole("group", { name: /^Technicians who may reach / }).getByRole("checkbox", {
      name: "Tess Tech",
    });
    expect(await box.isChecked()).toBe(false);
    await box.focus();
    await page.keyboard.press("Space");
    await page
      .getByRole("status")
      .getByText(/^Tess Tech may now reach .+\.$/)
      .waitFor();
    await item.getByText("Who may reach it: admins and 1 technician").waitFor();
    expect(await box.isChecked()).toBe(true);
    // The list is not drawn again: the focus stays on the checkbox, through the panel's next read of the list too.
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.waitForResponse((response) => new URL(response.url()).pathname === "/api/machines", WAIT);
    await item.getByText("Who may reach it: admins and 1 technician").waitFor();
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
    await expectAccessible(page, "console, who may reach a machine");
    const [machineId] = await reachable(page);
    expect(await reachable(tess.page)).toEqual([machineId]);
    await page.keyboard.press("Space");
    await page
      .getByRole("status")
      .getByText(/^Tess Tech may no longer reach .+\.$/)
      .waitFor();
    expect(await reachable(tess.page)).toEqual([]);
    await open(page, "/console");
    await item.getByText("Who may reach it: admins only").waitFor();

    // Online, it can be connected to: the console opens a session with it and hands it to the viewer.
    await item.getByRole("button", { name: /^Connect to / }).click();
    await page.waitForURL(new RegExp(`/console#view=\\d{9}&machine=${machineId}$`));
    await open(page, "/console");

    page.once("dialog", (dialog) => void dialog.accept("Front desk PC"));
    await item.getByRole("button", { name: /^Rename / }).click();
    await page.getByRole("status").getByText("The machine is now called Front desk PC.").waitFor();
    const renamed = panel.getByRole("listitem").filter({ hasText: "Front desk PC" });
    await expect.poll(() => textOf(renamed), WAIT).toContain(key);

    page.once("dialog", (dialog) => void dialog.accept());
    await renamed.getByRole("button", { name: "Remove Front desk PC" }).click();
    await page.getByRole("status").getByText("Front desk PC was removed.").waitFor();
    await panel.getByText("No machines yet.").waitFor();
    // Removed, the machine's agent stops at its next heartbeat.
    expect(await exited).toBe(3);
    expect(said).toContain("This machine was removed in the console, so the agent stops.");
  });
});
