import { readdirSync, readFileSync, readlinkSync } from "node:fs";

// What Linux says about the servers' processes: group members, memory, CPU time and listening ports.

/** Ids of the processes in process group `pgid` whose command name is `name`. */
export function groupProcesses(pgid: number, name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid pgrp ...; comm may hold spaces, so split after its closing parenthesis.
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (comm === name && Number(fields[2]) === pgid) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids.sort((a, b) => a - b);
}

/** Resident set size of a process in bytes (VmRSS), or 0 if it is gone. */
export function rssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Loopback TCP ports that process `pid` listens on (from /proc/net/tcp and the process's socket inodes). */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // Closed meanwhile.
    }
  }
  const ports: number[] = [];
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    const [local, state, inode] = [cols[1], cols[3], cols[9]];
    if (state === "0A" && local && inode && inodes.has(inode))
      ports.push(Number.parseInt(local.split(":")[1] ?? "", 16));
  }
  return ports;
}

/** CPU time (user + system) that each of `pids` has used so far, in ms (10 ms resolution); one gone is left out. */
export function cpuMsEach(pids: readonly number[]): Map<number, number> {
  const each = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // USER_HZ is 100 on Linux for every architecture Node supports.
      each.set(pid, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // Gone.
    }
  }
  return each;
}

/** CPU time (user + system) that processes `pids` have used so far, in ms (10 ms resolution). */
export function cpuMs(pids: readonly number[]): number {
  let ms = 0;
  for (const each of cpuMsEach(pids).values()) ms += each;
  return ms;
}

/**
 * CPU time a group of processes used between two readings (`cpuMsEach`), in ms: each process's growth, one that
 * started meanwhile counted whole, one that ended meanwhile left out. A browser's tree changes while it is watched (a
 * closed page's renderer exits, a new one starts): subtracting the sums would count a process that ended as negative
 * time.
 */
export function cpuMsBetween(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let ms = 0;
  for (const [pid, now] of after) ms += Math.max(0, now - (before.get(pid) ?? 0));
  return ms;
}

/** `pid` and every process descended from it (a browser's zygote, renderers, GPU and utility processes). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const tree: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

/** A process's command line, its arguments separated by NUL; empty once it has ended. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

/** Ids of the children of `pid` (only those whose command name is `name`, when given). */
export function childProcesses(pid: number, name?: string): number[] {
  return processTree(pid).filter((child) => {
    if (child === pid) return false;
    try {
      const stat = readFileSync(`/proc/${child}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      return (name === undefined || comm === name) && ppid === pid;
    } catch {
      return false;
    }
  });
}
