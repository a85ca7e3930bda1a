import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { enrolFirstAdmin } from "./enrol.ts";
import { applyMigrations, WRANGLER, WRANGLER_ENV } from "./wrangler.ts";

// `npm start`: everything a fresh checkout needs, then `wrangler dev` on http://localhost:8787. It says what it is
// doing at each step, since a first start takes tens of seconds on a small machine.
const root = path.resolve(import.meta.dirname, "../..");
const port = Number(process.env.PORT ?? 8787);
const origin = `http://localhost:${port}`;
// Local state folder (defaults to wrangler's .wrangler/state); extra arguments go to `wrangler dev`.
const persistTo = process.env.PERSIST_TO;
const d1 = persistTo ? { persistTo } : {};
const extraArgs = process.argv.slice(2);

const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
const step = (what: string) => console.log(`[${seconds()} s] ${what}`);

/** Ensures .dev.vars holds a JWT_SECRET, generating a random one on first start. */
function ensureDevSecret(): void {
  const file = path.join(root, ".dev.vars");
  const current = existsSync(file) ? readFileSync(file, "utf8") : "";
  if (/^JWT_SECRET=.{32,}$/m.test(current)) return;
  const line = `JWT_SECRET=${randomBytes(32).toString("base64url")}\n`;
  writeFileSync(file, current && !current.endsWith("\n") ? `${current}\n${line}` : current + line, { mode: 0o600 });
  step("Generated a development JWT_SECRET in .dev.vars");
}

/** Builds the browser pages into client/web/dist; resolves with the build's exit code. */
function buildClient(): Promise<number | null> {
  const build = spawn(process.execPath, [path.join(root, "client/web/build.ts")], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return new Promise((resolve) => build.on("exit", resolve));
}

async function waitForHealth(child: ReturnType<typeof spawn>): Promise<{ ok: true } | { ok: false; message: string }> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) return { ok: false, message: `wrangler dev exited with code ${child.exitCode}` };
    try {
      const res = await fetch(`${origin}/health`);
      if (res.ok) return { ok: true };
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      return { ok: false, message: body?.error?.message ?? `GET /health answered ${res.status}` };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { ok: false, message: "wrangler dev did not answer on /health within 60 s" };
}

function fail(message: string): never {
  console.error(`\nTether could not start: ${message}\n`);
  process.exit(1);
}

ensureDevSecret();
step("Building the web client and applying the database migrations (wrangler d1 migrations apply)…");
// The two are independent; the runtime starts meanwhile, since nothing reads the database before a page is served.
const built = buildClient();
const migrated = applyMigrations(d1).then(
  () => step("Database migrations applied"),
  (err: unknown) => fail(`the database migrations failed: ${String(err).slice(0, 400)}`),
);
if ((await built) !== 0) fail("the web client did not build (see above)");
step(`Built the web client; starting the runtime (wrangler dev on ${origin})…`);

const child = spawn(
  WRANGLER,
  [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--show-interactive-dev-session=false",
    ...(persistTo ? ["--persist-to", persistTo] : []),
    ...extraArgs,
  ],
  {
    cwd: root,
    env: { ...WRANGLER_ENV, CI: process.env.CI ?? "" },
    stdio: "inherit",
    detached: true,
  },
);
const stop = () => {
  if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
process.on("exit", stop);
child.on("exit", (code) => process.exit(code ?? 0));

await migrated;
// While no technician exists, one query mints the first admin's enrolment link; it runs as the runtime starts.
const [health, enrolment] = await Promise.all([waitForHealth(child), enrolFirstAdmin({ origin, target: d1 })]);
if (!health.ok) {
  stop();
  fail(health.message);
}
if (enrolment) {
  console.log(
    `\nNo technician is enrolled yet. Open this one-time link to enrol the first admin (valid until ${new Date(enrolment.expiresAt).toISOString()}):\n\n  ${enrolment.url}\n`,
  );
}
step(`Tether is running at ${origin}`);
