import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../client/agent/exit-codes.ts";

// The service unit in the repository that runs the agent's `serve` (client/agent/systemd/tether-agent.service): it
// serves, comes back after a crash, but not after an exit that says it cannot serve (a removed machine would
// otherwise be started again for ever), stops as Ctrl+C does, and is a unit systemd itself accepts.

const UNIT = "client/agent/systemd/tether-agent.service";

/** The unit's directives, section by section (the last value of each, as systemd reads a single-valued one). */
function directives(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let section: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header?.[1]) {
      section = {};
      sections[header[1]] = section;
      continue;
    }
    const directive = /^(\w+)=(.*)$/.exec(line);
    if (directive?.[1]) section[directive[1]] = directive[2] ?? "";
  }
  return sections;
}

describe("the agent's service unit", () => {
  const unit = directives(readFileSync(UNIT, "utf8"));

  it("serves the enrolled machine and is restarted after anything but an exit that says it cannot serve", () => {
    expect(unit.Service?.ExecStart).toMatch(/\/tether-agent\.mjs serve$/);
    expect(unit.Service?.Restart).toBe("always");
    expect(unit.Service?.RestartPreventExitStatus).toBe(String(EXIT.cannotServe));
    // A crash of Node exits with 1: that one is restarted.
    expect(EXIT.cannotServe).not.toBe(1);
    expect(unit.Service?.ProtectSystem).toBe("strict");
    expect(unit.Install?.WantedBy).toBe("default.target");
  });

  it("keeps the agent to what it needs, with what a user service can have: systemd rates its exposure at most 5.5 of 10", async () => {
    const service = unit.Service ?? {};
    // Internet sockets for the site and WebRTC, local ones for the X display, netlink for the interfaces' addresses.
    expect(service.RestrictAddressFamilies?.split(" ").sort()).toEqual([
      "AF_INET",
      "AF_INET6",
      "AF_NETLINK",
      "AF_UNIX",
    ]);
    expect(service.SystemCallErrorNumber).toBe("EPERM");
    expect(service.UMask).toBe("0077");
    // Node's JIT writes the code it runs: a unit that forbade it would never start.
    expect(service.MemoryDenyWriteExecute).toBeUndefined();
    // Nor would a user service that shrinks the capability bounding set (status 218/CAPABILITIES): these options do
    // (test/e2e/agent-service.test.ts runs the unit under an unprivileged account's manager).
    for (const option of [
      "PrivateDevices",
      "ProtectKernelModules",
      "ProtectKernelLogs",
      "ProtectClock",
      "CapabilityBoundingSet",
      "AmbientCapabilities",
    ]) {
      expect(service[option], option).toBeUndefined();
    }
    // The analysis scores a unit as a system service that runs as root: about half of what it counts against this
    // one (capabilities, and the four options above) a user service cannot have, and an unprivileged one does not
    // hold. --threshold makes it fail above the figure, on its scale of 0 to 100.
    const run = promisify(execFile)(
      "systemd-analyze",
      ["security", "--offline=true", "--threshold=55", "--no-pager", UNIT],
      { timeout: 30_000 },
    );
    const { stdout } = await run;
    expect(stdout).toMatch(/Overall exposure level for tether-agent\.service: [0-5]\.\d (OK|MEDIUM)/);
  });

  it("is a unit systemd accepts", async () => {
    const { stderr } = await promisify(execFile)("systemd-analyze", ["verify", UNIT], { timeout: 30_000 });
    expect(stderr).toBe("");
  });
});
