import { readFileSync } from "node:fs";
import { round } from "./stats.ts";

// How busy the machine was while the bench ran: the load average and the whole machine's CPU (busy and steal, from
// /proc/stat), sampled every second. The bench's figures are read beside these.

/** Jiffies of the aggregate `cpu` line of /proc/stat: all of them, idle (idle + iowait) and stolen by the host. */
type CpuTimes = { total: number; idle: number; steal: number };

function readCpuTimes(): CpuTimes {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  // cpu user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait, steal };
}

function loadAverage1m(): number {
  return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
}

/** The machine's load over a stretch of time. */
export type LoadSummary = {
  /** 1-minute load average: mean and highest of the samples. */
  load_1m_mean: number;
  load_1m_max: number;
  /** Share of all cores' time that was busy (anything but idle and iowait) and stolen by the hypervisor, %. */
  cpu_busy_pct: number;
  cpu_steal_pct: number;
  seconds: number;
};

/** Samples the load every `everyMs` until `stop()`, which returns the summary; `mark()` summarises since the last mark. */
export function watchLoad(everyMs = 1_000) {
  const first = readCpuTimes();
  const loads: number[] = [loadAverage1m()];
  const started = performance.now();
  const timer = setInterval(() => loads.push(loadAverage1m()), everyMs);
  timer.unref();
  let since = { cpu: first, loadIndex: 0, at: started };
  const summarise = (from: typeof since): LoadSummary => {
    const now = readCpuTimes();
    const total = now.total - from.cpu.total || 1;
    const window = loads.slice(from.loadIndex);
    if (window.length === 0) window.push(loadAverage1m());
    return {
      load_1m_mean: round(window.reduce((s, v) => s + v, 0) / window.length, 2),
      load_1m_max: round(Math.max(...window), 2),
      cpu_busy_pct: round((100 * (total - (now.idle - from.cpu.idle))) / total, 1),
      cpu_steal_pct: round((100 * (now.steal - from.cpu.steal)) / total, 1),
      seconds: round((performance.now() - from.at) / 1000, 0),
    };
  };
  return {
    /** The load since the previous mark (or the start), e.g. over one suite. */
    mark(): LoadSummary {
      const summary = summarise(since);
      since = { cpu: readCpuTimes(), loadIndex: loads.length, at: performance.now() };
      return summary;
    },
    /** The load over the whole watch; stops sampling. */
    stop(): LoadSummary {
      clearInterval(timer);
      return summarise({ cpu: first, loadIndex: 0, at: started });
    },
  };
}

/** One line for a note: "load 2.1 (max 3.4), CPU 85% busy, 0.3% steal over 40 s". */
export function describeLoad(load: LoadSummary): string {
  return `load average ${load.load_1m_mean} (max ${load.load_1m_max}), CPU ${load.cpu_busy_pct}% busy and ${load.cpu_steal_pct}% stolen over ${load.seconds} s`;
}
