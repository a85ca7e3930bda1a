import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { commandLine, cpuMs, cpuMsBetween, cpuMsEach } from "../../bench/procfs.ts";

describe("bench process readings from /proc: CPU time and command lines", () => {
  it("counts a process tree's growth, whole for a process that started, nothing for one that ended", () => {
    // pid 2 ended during the window (a closed page's renderer), pid 3 started in it.
    const before = new Map([
      [1, 1_000],
      [2, 500],
    ]);
    const after = new Map([
      [1, 1_300],
      [3, 40],
    ]);
    // The sums would say 1,340 − 1,500 = −160 ms.
    expect(cpuMsBetween(before, after)).toBe(340);
  });

  it("reads this process's own CPU time, and leaves out a process that does not exist", () => {
    const before = cpuMsEach([process.pid, 2 ** 30]);
    expect([...before.keys()]).toEqual([process.pid]);
    const start = process.cpuUsage();
    const usedMs = () => {
      const { user, system } = process.cpuUsage(start);
      return (user + system) / 1_000;
    };
    // Burn at least 30 ms of CPU (three ticks), measured by the process's own account, not by time.
    while (usedMs() < 30) {}
    const after = cpuMsEach([process.pid]);
    expect(cpuMsBetween(before, after)).toBeGreaterThanOrEqual(10);
    expect(cpuMs([process.pid])).toBeGreaterThanOrEqual(after.get(process.pid) ?? 0);
  });

  it("reads a process's command line, and nothing for a process that does not exist", () => {
    // spawn returns once the child has run sleep (or failed to).
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      expect(commandLine(child.pid ?? 0).split("\0")).toEqual(["sleep", "30", ""]);
      expect(commandLine(2 ** 30)).toBe("");
    } finally {
      child.kill("SIGKILL");
    }
  });
});
