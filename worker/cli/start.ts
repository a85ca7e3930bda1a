import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { countTechnicians, mintEnrolment } from "./enrol.ts";
import { applyMigrations, WRANGLER, WRANGLER_ENV } from "./wrangler.ts";

// `npm start`: everything a fresh checkout needs, then `wrangler dev` on http://localhost:8787.
const root = path.resolve(import.meta.dirname, "../..");
const port = Number(process.env.PORT ?? 8787);
const origin = `http://localhost:${port}`;
// Local state folder (defaults to wrangler's .wrangler/state); extra arguments go to `wrangler dev`.
const persistTo = process.env.PERSIST_TO;
const d1 = persistTo ? { persistTo } : {};
const extraArgs = process.argv.slice(2);

/** Ensures .dev.vars holds a JWT_SECRET, generating a random one on first start. */
function ensureDevSecret(): void {
  const file = path.join(root, ".dev.vars");
  const current = existsSync(file) ? readFileSync(file, "utf8") : "";
  if (/^JWT_SECRET=.{32,}$/m.test(current)) return;
  const line = `JWT_SECRET=${randomBytes(32).toString("base64url")}\n`;
  writeFileSync(file, current && !current.endsWith("\n") ? `${current}\n${line}` : current + line, { mode: 0o600 });
  console.log("Generated a development JWT_SECRET in .dev.vars");
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
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { ok: false, message: "wrangler dev did not answer on /health within 120 s" };
}

ensureDevSecret();
const build = spawn(process.execPath, [path.join(root, "client/web/build.ts")], { stdio: "inherit", cwd: root });
if ((await new Promise((r) => build.on("exit", r))) !== 0) process.exit(1);
await applyMigrations(d1);

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

const health = await waitForHealth(child);
if (!health.ok) {
  console.error(`\nTether could not start: ${health.message}\n`);
  stop();
  process.exit(1);
}
if ((await countTechnicians(d1)) === 0) {
  const { url, expiresAt } = await mintEnrolment({ origin, isAdmin: true, target: d1 });
  console.log(
    `\nNo technician is enrolled yet. Open this one-time link to enrol the first admin (valid until ${new Date(expiresAt).toISOString()}):\n\n  ${url}\n`,
  );
}
console.log(`Tether is running at ${origin}`);
