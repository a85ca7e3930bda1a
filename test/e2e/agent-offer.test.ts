import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAccessible } from "../helpers/node/accessibility.ts";
import * as agents from "../helpers/node/agent-process.ts";
import { startVirtualScreen, type VirtualScreen } from "../helpers/node/firefox.ts";
import { framesArrive, open, textOf, videoFigures } from "../helpers/node/people.ts";
import { newStagePerson, startSharing, useStage } from "../helpers/node/stage.ts";

// A customer shares from their browser, and their technician asks for control, which a browser cannot give: the
// customer's page offers the native agent, the agent's page gives the download (served by the Worker) and the command
// that starts it in the page's seat, and the downloaded file, run with that command, joins the very same session in
// the page's place: the technician checks its verification code, and the person allows viewing and control.

const stage = useStage("Olga Offer");
const WAIT = { timeout: 120_000, interval: 100 };
/** The command the agent's page shows: the downloaded file and the session's link, secret and seat token. */
const COMMAND = /^node tether-agent\.mjs '(http:\/\/[^/]+\/j\/(\d{9})#([\w-]+)\.([\w-]+))'$/;

describe("the agent offered to a browser customer", () => {
  let screen: VirtualScreen;
  let dir: string;
  const started: agents.Agent[] = [];

  beforeAll(async () => {
    [screen, dir] = await Promise.all([startVirtualScreen(), mkdtemp(path.join(tmpdir(), "tether-agent-"))]);
  });

  afterAll(async () => {
    for (const agent of started)
      if (agent.process.exitCode === null) process.kill(-(agent.process.pid ?? 0), "SIGKILL");
    screen?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("takes the page's seat when run as its page says, and the technician gets control", async () => {
    const { tech, customer, code } = await startSharing(stage);
    const video = tech.getByLabel("Customer's screen");
    // A browser's share gives no control: the viewer offers to ask for it instead.
    expect(await tech.getByRole("button", { name: "Control", exact: true }).isHidden()).toBe(true);
    await tech.getByRole("button", { name: "Ask for control" }).click();
    await expect.poll(() => textOf(tech.locator("#viewer-control-asked")), WAIT).toContain("Asked for control");
    expect(await tech.getByRole("button", { name: "Ask for control" }).isDisabled()).toBe(true);
    await expectAccessible(tech, "viewer, control asked for");

    // The customer's page says what was asked, and opens the agent's page in a new tab.
    const offer = customer.page.getByRole("link", { name: "Allow it with the Tether agent" });
    await offer.waitFor();
    expect(await textOf(customer.page.locator("#agent-offer"))).toContain("asks to use your mouse and keyboard");
    await expectAccessible(customer.page, "sharing, the agent offered");
    const [agentPage] = await Promise.all([customer.context.waitForEvent("page"), offer.click()]);
    const command = agentPage.getByLabel("Command to run");
    await expect.poll(() => command.inputValue(), WAIT).toMatch(COMMAND);
    const [, link = "", linkCode, , seatToken = ""] = COMMAND.exec(await command.inputValue()) ?? [];
    expect(linkCode).toBe(code);
    // The secrets left the agent page's address bar at once; the seat token is the customer page's own.
    expect(new URL(agentPage.url()).hash).toBe("");
    await expectAccessible(agentPage, "the agent's page");
    // Copy puts the command on the person's clipboard, and says so.
    await customer.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stage.server.origin });
    await agentPage.getByRole("button", { name: "Copy" }).click();
    await agentPage.getByText("Copied to your clipboard.").waitFor();
    expect(await agentPage.evaluate(() => navigator.clipboard.readText())).toBe(await command.inputValue());
    expect(await customer.page.evaluate((key) => sessionStorage.getItem(key), `tether.resume.customer.${code}`)).toBe(
      seatToken,
    );

    // The download is the agent in one file, from the Worker.
    const [download] = await Promise.all([
      agentPage.waitForEvent("download"),
      agentPage.getByRole("link", { name: /Download the agent/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("tether-agent.mjs");
    const program = path.join(dir, "tether-agent.mjs");
    await download.saveAs(program);

    // Run as the page says: it takes the page's seat, and the page says the session goes on elsewhere.
    const agent = agents.startAgent(link, screen.display, { program, cwd: dir });
    started.push(agent);
    const said = (text: string) => agents.agentSaid(agent, text);
    await customer.page.getByRole("heading", { name: "This session is open somewhere else" }).waitFor(WAIT);
    expect(await textOf(customer.page.locator("#ended-reason"))).toContain("Tether agent");

    // A new peer: the technician checks its verification code afresh, and the person answers the agent's questions.
    await agents.confirmAgentCode(tech, agent);
    agent.process.stdin.write("y\n");
    // The picture is the X screen's now (Xvfb's 1280×720), and control is offered once the person allows it.
    await expect.poll(async () => (await videoFigures(video)).width, WAIT).toBe(1280);
    await framesArrive(video);
    await said("Also let them use your mouse and keyboard?");
    agent.process.stdin.write("y\n");
    await said("Your technician can now use your mouse and keyboard.");
    await tech.getByRole("button", { name: "Control", exact: true }).waitFor(WAIT);
    expect(await tech.getByRole("button", { name: "Ask for control" }).isHidden()).toBe(true);

    process.kill(-(agent.process.pid ?? 0), "SIGINT");
    expect(await agents.exitOf(agent)).toBe(0);
    expect(agents.farContacts(agent)).toEqual([]);
  });

  it("makes no command of a link it did not come from a session page with, and says what to do", async () => {
    const { page } = await newStagePerson(stage);
    const command = page.getByLabel("Command to run");
    // Something else in the secret's place must never reach a command the person runs in a shell.
    const secret = "AAAAAAAAAAAAAAAAAAAAAA";
    for (const fragment of [`123456789.${secret}';rm -rf ~;'.${"t".repeat(22)}`, `123456789.${secret}`, "hello"]) {
      await page.goto("about:blank");
      await open(page, `/agent#${fragment}`);
      await page.getByRole("status").getByText("This page has no session to join", { exact: false }).waitFor();
      expect(await command.isHidden(), fragment).toBe(true);
    }
    // A Get-help page has no link to give: the person is told to ask for one.
    await page.goto("about:blank");
    await open(page, "/agent#123456789");
    await page
      .getByRole("status")
      .getByText("Ask your technician to send you a session link", { exact: false })
      .waitFor();
    expect(await command.isHidden()).toBe(true);
  });
});
