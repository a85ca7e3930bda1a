import { accessSync, constants } from "node:fs";
import path from "node:path";
import { CHROMIUM } from "../test/helpers/node/browser.ts";
import { WRANGLER } from "../worker/cli/wrangler.ts";

// What the suites start, checked once before anything runs: a figure whose tool is missing is skipped with a note
// saying what to install, instead of the run crashing half-way with `spawn … ENOENT`.

const root = path.resolve(import.meta.dirname, "..");

/** A program the bench needs, what needs it, and how to get it. */
type Prerequisite = { name: string; file: string; neededFor: string; install: string };

const PREREQUISITES = {
  wrangler: {
    name: "wrangler",
    file: WRANGLER,
    neededFor: "every server figure",
    install: "npm install (it is a devDependency)",
  },
  chromium: {
    name: "Chromium",
    file: CHROMIUM,
    neededFor: "connect_ms, connect_relay_ms, pake_ms, glass_to_glass_ms, customer_cpu_pct",
    install: "apt-get install chromium",
  },
  turnserver: {
    name: "coturn",
    file: "turnserver",
    neededFor: "connect_relay_ms",
    install: "apt-get install coturn",
  },
  openssl: {
    name: "openssl",
    file: "openssl",
    neededFor: "connect_relay_ms (coturn's certificate)",
    install: "apt-get install openssl",
  },
  deno: {
    name: "Deno",
    file: path.join(root, "node_modules/.bin/deno"),
    neededFor: "deno_sessions_idle_kb",
    install: "npm install (deno is a devDependency)",
  },
  xvfb: {
    name: "Xvfb",
    file: "Xvfb",
    neededFor: "agent_glass_to_glass_ms, agent_input_ms, agent_cpu_pct (the agent's X screen)",
    install: "apt-get install xvfb",
  },
  ffmpeg: {
    name: "ffmpeg",
    file: "ffmpeg",
    neededFor: "agent_glass_to_glass_ms, agent_input_ms, agent_cpu_pct (the agent's capture)",
    install: "apt-get install ffmpeg",
  },
} satisfies Record<string, Prerequisite>;

export type PrerequisiteName = keyof typeof PREREQUISITES;

/** Whether `file` (a path, or a name looked up on PATH) is an executable file. */
function isExecutable(file: string): boolean {
  const candidates = file.includes("/")
    ? [file]
    : (process.env.PATH ?? "").split(":").map((dir) => path.join(dir || ".", file));
  return candidates.some((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Which prerequisites are present. */
export type Prerequisites = {
  has(name: PrerequisiteName): boolean;
  /** "skipped: X is missing (install: …)" for a figure that needs `names`, or null when all are there. */
  missing(...names: PrerequisiteName[]): string | null;
  /** One line per missing program, for the start of the run. */
  report(): string[];
};

/** Looks for every program the suites spawn. */
export function checkPrerequisites(): Prerequisites {
  const absent = (Object.keys(PREREQUISITES) as PrerequisiteName[]).filter(
    (name) => !isExecutable(PREREQUISITES[name].file),
  );
  return {
    has: (name) => !absent.includes(name),
    missing(...names) {
      const gone = names.filter((name) => absent.includes(name)).map((name) => PREREQUISITES[name]);
      if (gone.length === 0) return null;
      return `skipped: ${gone.map((p) => `${p.name} is missing (${p.file}; install with ${p.install})`).join("; ")}`;
    },
    report: () =>
      absent.map((name) => {
        const p = PREREQUISITES[name];
        return `missing: ${p.name} (${p.file}), needed for ${p.neededFor}; install with ${p.install}`;
      }),
  };
}

let checked: Prerequisites | undefined;

/** The context's prerequisites, or a check made once for a runner that did not pass them. */
export function prerequisitesOf(ctx: { prerequisites?: Prerequisites }): Prerequisites {
  if (ctx.prerequisites) return ctx.prerequisites;
  checked ??= checkPrerequisites();
  return checked;
}
