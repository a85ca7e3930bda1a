import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { staleReason } from "../../client/web/build-stamp.ts";
import { firstAdminLink } from "../db/enrolment.ts";
import { applyMigrations, readMigrations, SqliteD1 } from "../deno/d1-sqlite.ts";
import { bundleWorker, DEV_BUNDLE, devBundleStale, watchWorker } from "./dev-bundle.ts";
import { openLocalD1 } from "./local-d1.ts";
import { spawnGroup, waitForHealth } from "./process-group.ts";
import { WRANGLER, WRANGLER_ENV } from "./wrangler.ts";

// `npm start`: everything a fresh checkout needs, then `wrangler dev` on http://localhost:8787, saying what it does.
const root = path.resolve(import.meta.dirname, "../..");
const port = Number(process.env.PORT ?? 8787);
const origin = `http://localhost:${port}`;
// Local state folder (wrangler's default is .wrangler/state); extra arguments go to `wrangler dev`.
const persistTo = process.env.PERSIST_TO;
const stateDir = persistTo ?? path.join(root, ".wrangler/state");
const extraArgs = process.argv.slice(2);

const started = performance.now();
const step = (what: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${what}`);

function fail(message: string): never {
  console.error(`\nTether could not start: ${message}\n`);
  process.exit(1);
}

/** Ensures .dev.vars holds `name` matching `pattern`, generating a random 32-byte value on first start. */
function ensureDevSecret(name: string, pattern: RegExp): string {
  const file = path.join(root, ".dev.vars");
  const current = existsSync(file) ? readFileSync(file, "utf8") : "";
  const existing = current.match(new RegExp(`^${name}=(.*)$`, "m"))?.[1];
  if (existing !== undefined && pattern.test(existing)) return existing;
  const value = randomBytes(32).toString("base64url");
  const line = `${name}=${value}\n`;
  writeFileSync(file, current && !current.endsWith("\n") ? `${current}\n${line}` : current + line, { mode: 0o600 });
  step(`Generated a development ${name} in .dev.vars`);
  return value;
}

/** Builds the browser pages into client/web/dist; resolves with the build's exit code. */
function buildClient(): Promise<number | null> {
  const build = spawn(process.execPath, [path.join(root, "client/web/build.ts")], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return new Promise((resolve) => build.on("exit", resolve));
}

/**
 * Applies the migrations to the local database and, while no technician is enrolled, mints the first admin's link.
 * It runs before the runtime starts, so nothing else has the file open.
 */
async function prepareDatabase(): Promise<{ url: string; expiresAt: number } | null> {
  const sqlite = openLocalD1(root, stateDir);
  try {
    const applied = applyMigrations(sqlite, readMigrations(path.join(root, "worker/db/migrations")));
    step(applied.length > 0 ? `Applied database migrations: ${applied.join(", ")}` : "Database is up to date");
    return await firstAdminLink(new SqliteD1(sqlite), origin);
  } finally {
    sqlite.close();
  }
}

/** The audit log's verifier key for `auditKey` (wrangler.toml's [vars] decide the name, as the Worker does). */
async function auditVerifierKey(auditKey: string): Promise<string | null> {
  const [{ verifierKeyOf }, { auditSigner }, { parseWranglerVars }] = await Promise.all([
    import("../../durable-objects/audit-log/note.ts"),
    import("../config.ts"),
    import("../deno/wrangler-vars.ts"),
  ]);
  const wranglerVars = parseWranglerVars(readFileSync(path.join(root, "wrangler.toml"), "utf8"));
  const signer = auditSigner({ ...(wranglerVars.ok ? wranglerVars.vars : {}), AUDIT_SIGNING_KEY: auditKey });
  return signer.ok ? verifierKeyOf(signer.signer) : null;
}

ensureDevSecret("JWT_SECRET", /^.{32,}$/);
const auditKey = ensureDevSecret("AUDIT_SIGNING_KEY", /^[A-Za-z0-9_-]{43}$/);
// The pages and the Worker are built only when their sources changed since the last time (client/web/build-stamp.ts,
// dev-bundle.ts): the runtime must not start while what it serves is being rewritten.
const stale = staleReason();
const workerStale = devBundleStale(root);
const building = [stale && `the web client (${stale})`, workerStale && `the Worker (${workerStale})`].filter(Boolean);
step(
  building.length > 0
    ? `Building ${building.join(" and ")} and preparing the local database…`
    : "Preparing the local database…",
);
const built = stale ? buildClient() : Promise.resolve(0);
const bundled = workerStale
  ? bundleWorker(root).then(
      () => true,
      () => false,
    )
  : Promise.resolve(true);
const enrolment = await prepareDatabase().catch((err: unknown) =>
  fail(`the local database could not be prepared: ${err instanceof Error ? err.message : String(err)}`),
);
if ((await built) !== 0) fail("the web client did not build (see above)");
if (!(await bundled)) fail("the Worker did not bundle (see above)");
step(
  `${building.length > 0 ? "Built" : "The web client and the Worker are up to date"}; starting the runtime (wrangler dev on ${origin})…`,
);

// The Worker bundled above, as it is (dev-bundle.ts); arguments after `npm start --` come later and win.
const args = [
  "dev",
  DEV_BUNDLE,
  "--no-bundle",
  "--ip",
  "127.0.0.1",
  "--port",
  String(port),
  "--show-interactive-dev-session=false",
];
if (persistTo) args.push("--persist-to", persistTo);
// Node keeps the V8 code it compiles for wrangler's own 15 MB CLI in .tether-dev (written as wrangler exits, checked
// against the source on every load): from the second start on, wrangler is up 0.1–0.2 s sooner here.
const wrangler = spawnGroup(WRANGLER, [...args, ...extraArgs], {
  cwd: root,
  env: {
    ...WRANGLER_ENV,
    CI: process.env.CI ?? "",
    NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? path.join(root, ".tether-dev/node-compile-cache"),
  },
  stdio: "inherit",
});
// Ctrl+C or a SIGTERM stops wrangler dev (and its workerd) and exits once they have.
process.on("SIGINT", () => void wrangler.stop());
process.on("SIGTERM", () => void wrangler.stop());
void wrangler.exited.then((code) => process.exit(code ?? 0));

// What `npm run audit:verify` pins, worked out while the runtime starts: the modules it needs (zod, the curves) are
// loaded only now, so that loading them does not delay starting the runtime.
const verifierKey = auditVerifierKey(auditKey).catch((err: unknown) => {
  console.error(`The audit log's verifier key could not be worked out: ${err instanceof Error ? err.message : err}`);
  return null;
});
const health = await waitForHealth("wrangler dev", `${origin}/health`, wrangler, 120_000);
// Exiting kills the group (process-group.ts), so a runtime that never became healthy is not left behind.
if (!health.ok) fail(health.message);
if (enrolment) {
  console.log(
    `\nNo technician is enrolled yet. Open this one-time link to enrol the first admin (valid until ${new Date(enrolment.expiresAt).toISOString()}):\n\n  ${enrolment.url}\n`,
  );
}
step(`Tether is running at ${origin}`);
const key = await verifierKey;
if (key) console.log(`Audit log verifier key: ${key}`);
// From now on a change to the Worker's sources is bundled again, and wrangler dev reloads it.
await watchWorker(root);
