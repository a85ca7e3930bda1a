import { execFile } from "node:child_process";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The project's own wrangler binary (never a global one, never through npx). */
export const WRANGLER = path.resolve(import.meta.dirname, "../../node_modules/.bin/wrangler");

/** Environment for wrangler: no phoning home for cf.json or metrics, no prompts. */
export const WRANGLER_ENV = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  CI: "true",
};

/** Where the D1 database lives: the local dev state (optionally in another folder) or the deployed one. */
export type D1Target = { remote: true } | { remote?: false; persistTo?: string };

function targetArgs(target: D1Target): string[] {
  if (target.remote) return ["--remote"];
  return target.persistTo ? ["--local", "--persist-to", target.persistTo] : ["--local"];
}

/** Applies the D1 migrations in worker/db/migrations. */
export async function applyMigrations(target: D1Target): Promise<void> {
  await run(WRANGLER, ["d1", "migrations", "apply", "DB", ...targetArgs(target)], { env: WRANGLER_ENV });
}

/**
 * How long to wait before each new try of a local statement that found the database locked: the running `npm start`
 * (or a test's wrangler dev) holds the same SQLite file and writes to it now and then. About 6 s in all.
 */
const BUSY_RETRY_DELAYS_MS = [100, 200, 400, 800, 1_600, 3_200];

/** Whether `err` is SQLite's "database is locked" (SQLITE_BUSY), which the next try may not meet. */
function isBusy(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${String((err as { stderr?: unknown }).stderr ?? "")}` : "";
  return text.includes("SQLITE_BUSY");
}

/**
 * Runs `task`, and again after each of `delaysMs` while it fails with SQLITE_BUSY; any other failure, or the last
 * busy one, is thrown. `sleep` waits (injected by tests).
 */
export async function retryWhileBusy<T>(
  task: () => Promise<T>,
  delaysMs: readonly number[] = BUSY_RETRY_DELAYS_MS,
  sleep: (ms: number) => Promise<unknown> = delay,
): Promise<T> {
  for (const delayMs of delaysMs) {
    try {
      return await task();
    } catch (err) {
      if (!isBusy(err)) throw err;
      await sleep(delayMs);
    }
  }
  return task();
}

/** Runs one SQL statement on D1 and returns its rows. Values must already be safe literals. */
export async function queryD1<T>(sql: string, target: D1Target): Promise<T[]> {
  const args = ["d1", "execute", "DB", ...targetArgs(target), "--json", "--command", sql];
  const execute = () => run(WRANGLER, args, { env: WRANGLER_ENV, maxBuffer: 16 * 1024 * 1024 });
  // Only the local file can be locked by another process on this machine; the deployed database answers for itself.
  const { stdout } = await (target.remote ? execute() : retryWhileBusy(execute));
  const parsed = JSON.parse(stdout) as { results?: T[] }[];
  return parsed.flatMap((r) => r.results ?? []);
}
