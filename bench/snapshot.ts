import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { WRANGLER, WRANGLER_ENV } from "../worker/cli/wrangler.ts";

const root = path.resolve(import.meta.dirname, "..");
const run = promisify(execFile);

/** Environment for wrangler and the tools it starts: this Node (22, from node_modules/.bin) first on PATH. */
export const TOOL_ENV = { ...WRANGLER_ENV, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ""}` };

/**
 * A copy of what the Worker, the client and the baseline relay are built from. `wrangler dev` reloads on every change
 * it sees, which resets every Durable Object and drops their sockets' messages; a copy keeps edits made in the work
 * tree during a run (or a client build by a test run) away from the servers under test.
 */
export type Snapshot = { dir: string; remove(): void };

/**
 * What the copy holds (the agent's program too, which the agent suite runs from it); node_modules is linked, not
 * copied, and client/web/dist is rebuilt in the copy.
 */
const SOURCES = [
  "package.json",
  "package-lock.json",
  "wrangler.toml",
  "tsconfig.json",
  "worker",
  "durable-objects",
  "client/core",
  "client/web",
  "client/agent",
  "bench/baseline",
  "bench/deno",
];

/** Copies the sources `wrangler dev` and the client build read into a temporary folder and builds the client there. */
export async function takeSnapshot(): Promise<Snapshot> {
  const dir = mkdtempSync(path.join(tmpdir(), "tether-bench-src-"));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    for (const entry of SOURCES) {
      cpSync(path.join(root, entry), path.join(dir, entry), {
        recursive: true,
        filter: (from) => path.basename(from) !== "dist",
      });
    }
    symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
    await run(process.execPath, [path.join(dir, "client/web/build.ts")], { cwd: dir, env: TOOL_ENV });
  } catch (err) {
    remove();
    throw err;
  }
  return { dir, remove };
}

/** Runs wrangler in `cwd` and returns what it printed. */
export async function wrangler(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run(WRANGLER, args, { cwd, env: TOOL_ENV, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}
