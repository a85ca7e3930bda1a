import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describeLoad, type LoadSummary } from "./load.ts";
import { judge, medianInterval, percentiles, round, type Target, type Verdict } from "./stats.ts";

const root = path.resolve(import.meta.dirname, "..");

/** One figure in bench/results.json. */
export type Metric = {
  value: number | null;
  unit: string;
  p50?: number;
  p95?: number;
  p99?: number;
  /** The same figure for the reference: the PeerJS server for signaling, the bare WebRTC pages for connecting. */
  reference?: number;
  /** value / reference. */
  ratio?: number;
  /** 95% bootstrap interval of the ratio (paired, ABAB… samples), or of the value when there is no reference. */
  ratio_ci?: [number, number];
  value_ci?: [number, number];
  /** What the interval says about the target: met only when the whole interval meets it. */
  verdict?: Verdict;
  /** The figure of each run, when a figure is the median of several. */
  runs?: number[];
  note?: string;
};

/** A figure measured as `samples`: their median with its interval, p95 and p99, and each sample as a run. */
export function sampled(samples: number[], unit: string, note: string): Metric {
  if (samples.length === 0) return { value: null, unit, note };
  const p = percentiles(samples);
  const ci = medianInterval(samples);
  return { value: p.p50, unit, ...p, value_ci: [ci.low, ci.high], runs: samples, note };
}

/** What bench/results.json holds. */
export type Results = {
  machine: Record<string, string | number>;
  /** The figures the project tracks (fixed names). */
  metrics: Record<string, Metric>;
  /** Figures that explain them: baselines, CPU per message, micro-benchmarks. */
  profile: Record<string, Metric>;
  /** How busy the machine was: over the whole run and over each suite. */
  load: Record<string, LoadSummary>;
};

/** Goals from the issue, shown beside the figures and judged by their intervals. */
export const TARGETS: Record<string, Target> = {
  signaling_rtt_ms: { of: "ratio", op: "≤", limit: 2 },
  signaling_msgs_per_s: { of: "value", op: "≥", limit: 5_000 },
  deno_sessions_idle_kb: { of: "value", op: "≤", limit: 20 },
  connect_ms: { of: "ratio", op: "≤", limit: 1.3 },
  glass_to_glass_ms: { of: "value", op: "≤", limit: 100 },
  start_ready_ms: { of: "ratio", op: "≤", limit: 1.5 },
  recover_after_outage_ms: { of: "value", op: "≤", limit: 1_000 },
  input_rtt_ms: { of: "value", op: "≤", limit: 2 },
  file_mb_per_s: { of: "value", op: "≥", limit: 10 },
  agent_input_ms: { of: "value", op: "≤", limit: 5 },
  agent_glass_to_glass_ms: { of: "value", op: "≤", limit: 100 },
  customer_first_view_slow_ms: { of: "value", op: "≤", limit: 1_500 },
};

function targetText(name: string): string {
  const t = TARGETS[name];
  if (!t) return "";
  return `${t.of === "ratio" ? "ratio " : ""}${t.op} ${t.limit.toLocaleString("en-US")}`;
}

/**
 * The verdict on a metric's target from its interval (ratio_ci for a ratio target, else value_ci); a figure with a
 * target but no interval (a single measurement) is judged on its value alone.
 */
export function withVerdict(name: string, metric: Metric): Metric {
  const target = TARGETS[name];
  if (!target || metric.value === null) return metric;
  const point = target.of === "ratio" ? metric.ratio : metric.value;
  const ci =
    (target.of === "ratio" ? metric.ratio_ci : metric.value_ci) ?? (point === undefined ? undefined : [point, point]);
  return ci ? { ...metric, verdict: judge({ low: ci[0], high: ci[1] }, target) } : metric;
}

const DOCS_START = "<!-- bench:results:start -->";
const DOCS_END = "<!-- bench:results:end -->";

/** Rounds every number of a metric for people to read. */
export function tidy(metric: Metric): Metric {
  const r = (v: number | undefined) => (v === undefined ? undefined : round(v, v >= 100 ? 0 : 3));
  const out: Metric = { value: metric.value === null ? null : (r(metric.value) ?? null), unit: metric.unit };
  for (const key of ["p50", "p95", "p99", "reference"] as const)
    if (metric[key] !== undefined) out[key] = r(metric[key]);
  if (metric.ratio !== undefined) out.ratio = round(metric.ratio, 2);
  if (metric.ratio_ci) out.ratio_ci = [round(metric.ratio_ci[0], 2), round(metric.ratio_ci[1], 2)];
  if (metric.value_ci) out.value_ci = [r(metric.value_ci[0]) ?? 0, r(metric.value_ci[1]) ?? 0];
  if (metric.verdict) out.verdict = metric.verdict;
  if (metric.runs) out.runs = metric.runs.map((v) => round(v, v >= 100 ? 0 : 3));
  if (metric.note) out.note = metric.note;
  return out;
}

function wranglerVersion(): string {
  try {
    const pkg = path.join(root, "node_modules/wrangler/package.json");
    return (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** The machine the figures come from. */
export function describeMachine(mode: "full" | "quick"): Record<string, string | number> {
  const cpus = os.cpus();
  let osName = `${os.type()} ${os.release()} ${os.arch()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync("/etc/os-release", "utf8"));
    if (pretty?.[1]) osName = `${pretty[1]} (${osName})`;
  } catch {
    // No os-release: the kernel's name will do.
  }
  let commit = "unknown";
  try {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
    const paths = ["wrangler.toml", "worker", "durable-objects", "client/web", "bench"];
    commit = git("rev-parse", "--short", "HEAD");
    // The bench measures the working tree, which may differ from the commit.
    if (git("status", "--porcelain", "--", ...paths) !== "") commit += " + uncommitted changes";
  } catch {
    // Not a checkout.
  }
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    memory_gib: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    os: osName,
    date: new Date().toISOString(),
    wrangler: wranglerVersion(),
    commit,
    mode,
    load_average_1m_at_start: round(os.loadavg()[0] ?? 0, 2),
  };
}

function cell(value: number | undefined | null): string {
  if (value === undefined) return "";
  if (value === null) return "—";
  return value >= 100 ? Math.round(value).toLocaleString("en-US") : String(round(value, 3));
}

/** The metrics as a plain-text table, then each metric's note. */
export function textTable(metrics: Record<string, Metric>): string {
  const header = [
    "metric",
    "value",
    "unit",
    "95% CI",
    "p95",
    "reference",
    "ratio",
    "ratio 95% CI",
    "target",
    "verdict",
  ];
  const rows = Object.entries(metrics).map(([name, m]) => [
    name,
    cell(m.value),
    m.unit,
    range(m.value_ci),
    cell(m.p95),
    cell(m.reference),
    cell(m.ratio),
    range(m.ratio_ci),
    targetText(name),
    m.verdict ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cols: string[]) =>
    cols
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const notes = Object.entries(metrics)
    .filter(([, m]) => m.note)
    .map(([name, m]) => `  ${name}: ${m.note}`);
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), "", ...notes].join("\n");
}

/** A Markdown table with its columns padded, as Biome formats them. */
function markdownGrid(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cols: string[]) => `| ${cols.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

function range(ci: [number, number] | undefined): string {
  return ci ? `${cell(ci[0])}–${cell(ci[1])}` : "";
}

function spread(m: Metric): string {
  return m.p95 === undefined ? "" : `${cell(m.p50)} / ${cell(m.p95)} / ${cell(m.p99)}`;
}

/** The metrics as a Markdown table with a list of notes, then the profile figures. */
export function markdownTable(results: Results): string {
  const m = results.machine;
  const metrics = Object.entries(results.metrics);
  const profile = Object.entries(results.profile);
  const run = results.load.run;
  return [
    `Measured ${String(m.date).slice(0, 10)} on ${m.cpu}, ${m.cores} cores, ${m.memory_gib} GiB, ${m.os}, Node ${m.node}, wrangler ${m.wrangler}, load average ${m.load_average_1m_at_start} at the start${run ? `; during the run ${describeLoad(run)}` : ""} (commit ${m.commit}, \`npm run bench\`${m.mode === "quick" ? " -- --quick" : ""}). Intervals are 95% bootstrap intervals (seeded); a target is met only when the whole interval meets it.`,
    "",
    ...markdownGrid(
      ["metric", "value (95% CI)", "p50 / p95 / p99", "reference", "ratio (95% CI)", "target", "verdict"],
      metrics.map(([name, x]) => [
        `\`${name}\``,
        x.value === null ? "null" : `${cell(x.value)} ${x.unit}${x.value_ci ? ` (${range(x.value_ci)})` : ""}`,
        spread(x),
        x.reference === undefined ? "" : cell(x.reference),
        x.ratio === undefined ? "" : `${cell(x.ratio)}${x.ratio_ci ? ` (${range(x.ratio_ci)})` : ""}`,
        targetText(name),
        x.verdict ?? "",
      ]),
    ),
    "",
    "Load on the machine during each suite:",
    "",
    ...Object.entries(results.load).map(([suite, load]) => `- ${suite}: ${describeLoad(load)}`),
    "",
    "Notes, as the bench wrote them:",
    "",
    ...metrics.filter(([, x]) => x.note).map(([name, x]) => `- \`${name}\`: ${x.note}`),
    "",
    "Profile figures, which explain the ones above:",
    "",
    ...markdownGrid(
      ["figure", "value", "p50 / p95 / p99"],
      profile.map(([name, x]) => [`\`${name}\``, `${cell(x.value)} ${x.unit}`, spread(x)]),
    ),
    "",
    ...profile.filter(([, x]) => x.note).map(([name, x]) => `- \`${name}\`: ${x.note}`),
  ].join("\n");
}

/** Replaces the generated part of docs/performance.md (between its bench markers) with `markdown`. */
export function updateDocs(file: string, markdown: string): void {
  const text = readFileSync(file, "utf8");
  const start = text.indexOf(DOCS_START);
  const end = text.indexOf(DOCS_END);
  if (start < 0 || end < start) throw new Error(`${file} has no ${DOCS_START} … ${DOCS_END} section`);
  writeFileSync(file, `${text.slice(0, start + DOCS_START.length)}\n${markdown}\n${text.slice(end)}`);
}
