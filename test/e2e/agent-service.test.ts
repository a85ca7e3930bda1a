import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MachineList } from "#protocol/machines.ts";
import { exitOf, startAgentWith } from "../helpers/node/agent-process.ts";
import { startVirtualScreen, type VirtualScreen } from "../helpers/node/firefox.ts";
import { framesArrive, open, pageApi } from "../helpers/node/people.ts";
import { useStage } from "../helpers/node/stage.ts";
import { type Account, startUserManager, type UserManager } from "../helpers/node/user-manager.ts";

// The agent as the README installs it for unattended access: the download and the service unit of the repository
// (client/agent/systemd/tether-agent.service, sandbox and all) under a real systemd user manager, on an Xvfb screen.
// A technician connects, sees the screen and has control through the sandbox; systemd brings the agent back when it
// is killed; and when the machine is removed in the console the agent exits with 3, which the unit does not restart.
//
// The manager is an unprivileged account's (`nobody`, test/helpers/node/user-manager.ts), as a desktop user's is: the
// unit's directives apply as they do there, through the user namespace systemd gives such a service. A drop-in changes
// only what a test must: the program's path (Node 22 and the download where the test put them, `--allow-loopback` for
// the loopback site, the identity's file), the display, and where the agent's output goes.

const stage = useStage("Sam Service", { vars: { UNATTENDED_ACCESS: "on", MACHINE_HEARTBEAT_S: "30" } });
const WAIT = { timeout: 120_000, interval: 200 };
const UNIT = "tether-agent.service";
/** An account of no privilege, as the desktop's user is: Debian's `nobody`. */
const NOBODY: Account = { uid: 65534, gid: 65534 };
const run = promisify(execFile);

describe("the agent as a systemd user service", () => {
  let home: string;
  let screen: VirtualScreen;
  let manager: UserManager;
  let machineId: string;

  /** What the agent has written since the service first started. */
  const log = () => readFile(path.join(home, "agent.log"), "utf8").catch(() => "");

  beforeAll(async () => {
    // Under /home: the unit's PrivateTmp= gives the service a /tmp of its own, and ProtectHome= leaves /home readable.
    await mkdir("/home", { recursive: true });
    home = await mkdtemp("/home/tether-service-");
    screen = await startVirtualScreen();
    const page = stage.technician.page;
    await open(page, "/console");
    const made = await pageApi(page, "POST", "/api/machines/enrolments");
    const identity = path.join(home, ".config", "tether", "machine.json");
    const enrolled = startAgentWith(
      ["enrol", (made.body as { url: string }).url, "--identity", identity],
      screen.display,
    );
    expect(await exitOf(enrolled)).toBe(0);
    machineId = MachineList.parse((await pageApi(page, "GET", "/api/machines")).body).machines[0]?.id ?? "";

    // The install of the README: the download, and the unit.
    const share = path.join(home, ".local", "share", "tether");
    const bin = path.join(home, ".local", "bin");
    const units = path.join(home, ".config", "systemd", "user");
    await Promise.all([share, bin, `${units}/${UNIT}.d`].map((dir) => mkdir(dir, { recursive: true })));
    await copyFile("client/web/dist/downloads/tether-agent.mjs", path.join(share, "tether-agent.mjs"));
    await copyFile(process.execPath, path.join(bin, "node"));
    await copyFile(`client/agent/systemd/${UNIT}`, path.join(units, UNIT));
    await writeFile(
      path.join(units, `${UNIT}.d`, "test.conf"),
      [
        "[Service]",
        "ExecStart=",
        "ExecStart=%h/.local/bin/node %h/.local/share/tether/tether-agent.mjs serve --allow-loopback --identity %h/.config/tether/machine.json",
        `Environment=DISPLAY=${screen.display} LANG=en_GB.UTF-8`,
        "StandardOutput=append:%h/agent.log",
        "StandardError=append:%h/agent.log",
        "",
      ].join("\n"),
    );
    // Everything the account's own, as the README's install leaves it.
    await run("chown", ["-R", `${NOBODY.uid}:${NOBODY.gid}`, home]);
    manager = await startUserManager(`tether-agent-test-${process.pid}`, home, NOBODY);
  });

  afterAll(async () => {
    await manager?.stop();
    screen?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it("serves a technician through its sandbox, comes back when killed, and stays stopped once the machine is removed", async () => {
    await manager.systemctl("start", UNIT);
    await expect.poll(log, WAIT).toContain("is online for unattended access.");
    const tech = stage.technician.page;

    // A connection through the sandbox: the screen over the X server's socket, WebRTC over loopback.
    const opened = await pageApi(tech, "POST", `/api/machines/${machineId}/sessions`);
    expect(opened.status).toBe(201);
    await tech.evaluate(
      (hash) => {
        location.hash = hash;
      },
      `view=${(opened.body as { code: string }).code}&machine=${machineId}`,
    );
    await framesArrive(tech.getByLabel("Customer's screen"));
    await expect.poll(log, WAIT).toContain("Your technician can see your screen now.");
    // Unattended, control comes with it: the X server's input, reached through the sandbox too.
    await expect.poll(log, WAIT).toContain("Your technician can now use your mouse and keyboard.");
    await tech.getByRole("button", { name: "End session" }).click();
    await expect.poll(log, WAIT).toContain("The technician ended the session.");

    // Killed: systemd starts it again (Restart=always), and it is online again.
    const online = (await log()).split("is online for unattended access.").length - 1;
    await manager.systemctl("kill", "--signal=SIGKILL", UNIT);
    await expect.poll(() => manager.property(UNIT, "NRestarts"), WAIT).toBe("1");
    await expect
      .poll(async () => (await log()).split("is online for unattended access.").length - 1, WAIT)
      .toBe(online + 1);
    expect(await manager.property(UNIT, "ActiveState")).toBe("active");

    // Removed in the console: the agent exits with 3, and the unit leaves it stopped (RestartPreventExitStatus=3).
    expect((await pageApi(tech, "DELETE", `/api/machines/${machineId}`)).status).toBe(204);
    // "failed" is where it rests; a unit about to be restarted would be "activating" (auto-restart) instead.
    await expect.poll(() => manager.property(UNIT, "ActiveState"), WAIT).toBe("failed");
    expect(await manager.property(UNIT, "ExecMainStatus")).toBe("3");
    expect(await manager.property(UNIT, "NRestarts")).toBe("1");
    expect(await log()).toContain("This machine was removed in the console, so the agent stops.");
  });
});
