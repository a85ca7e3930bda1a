import { execFile } from "node:child_process";
import path from "node:path";
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

/** Runs one SQL statement on D1 and returns its rows. Values must already be safe literals. */
export async function queryD1<T>(sql: string, target: D1Target): Promise<T[]> {
  const { stdout } = await run(WRANGLER, ["d1", "execute", "DB", ...targetArgs(target), "--json", "--command", sql], {
    env: WRANGLER_ENV,
    maxBuffer: 16 * 1024 * 1024,
  });
  const parsed = JSON.parse(stdout) as { results?: T[] }[];
  return parsed.flatMap((r) => r.results ?? []);
}
