import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort, spawnGroup, waitForHealth } from "../../../worker/cli/process-group.ts";
import { applyMigrations, WRANGLER, WRANGLER_ENV } from "../../../worker/cli/wrangler.ts";

/** The audit log's signing key on every test server: a fixed seed (32 bytes of 0x02), so tests can pin its key. */
export const TEST_AUDIT_KEY = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI";

// The two servers Tether runs on, started for real from a test: `wrangler dev` (workerd, the Workers host) and
// `deno run worker/deno/main.ts` (the Deno host), each on a free port with its own state folder. Both answer the
// same interface, so one suite runs against either, and an end-to-end test that used `startDevServer()` can use
// `startServer("deno")` instead.

const root = path.resolve(import.meta.dirname, "../../..");
const run = promisify(execFile);

/** The servers a suite can run against. */
export const SERVER_NAMES = ["wrangler", "deno"] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

/** The permissions `npm run start:deno` gives the Deno host (a test checks that the script uses these). */
export const DENO_RUN_FLAGS = ["--allow-net", "--allow-read", "--allow-write", "--allow-env"] as const;

/** A running server with its own state. */
export type TestServer = {
  name: ServerName;
  /** `http://localhost:PORT`: a host name, not an IP address, because WebAuthn needs a domain as its RP ID. */
  origin: string;
  /** From spawning the server to its first healthy answer on /health, in ms (migrations and the build excluded). */
  startupMs: number;
  /** Stops the server and starts it again on the same port and state, as a deployment or a crash would. */
  restart(): Promise<void>;
  /** Mints a one-time enrolment link straight into this server's database (minting another voids the last unused one). */
  mintEnrolment(options: { isAdmin: boolean }): Promise<string>;
  /** The Deno host's data directory (TETHER_DATA_DIR), for tests that look at its files; none on wrangler. */
  dataDir?: string;
  /** The last 8 kB the server printed. */
  output(): string;
  /** Stops the server and everything it started, and deletes its state folder. */
  stop(): Promise<void>;
};

/**
 * Settings for a server: [vars] overrides (`--var` for wrangler, environment variables for Deno), and for Deno an
 * open-files limit (`ulimit -n`) for its process.
 */
export type ServerOptions = { vars?: Record<string, string>; openFiles?: number };

let built: Promise<unknown> | undefined;

/** Builds client/web/dist once per test process; both servers serve it. */
function buildClient(): Promise<unknown> {
  built ??= run(process.execPath, [path.join(root, "client/web/build.ts")], { cwd: root });
  return built;
}

/**
 * Mints a one-time enrolment link with `npm run enrol`'s CLI, as a person would; `target` names the server's database
 * (`--persist-to DIR` for wrangler's local D1, `--deno --data-dir DIR` for the Deno host).
 */
async function enrolLink(origin: string, isAdmin: boolean, target: string[]): Promise<string> {
  const cli = path.join(root, "worker/cli/enrol.ts");
  const args = ["--disable-warning=ExperimentalWarning", cli, "--origin", origin, ...target];
  const { stdout } = await run(process.execPath, isAdmin ? args : [...args, "--technician"], { cwd: root });
  const url = stdout.match(/^\s+(http\S+\/enrol#\S+)$/m)?.[1];
  if (!url) throw new Error(`npm run enrol printed no link: ${stdout}`);
  return url;
}

/** Starts `command` in its own process group, waits for /health, and returns how to read its output and stop it. */
async function launch(name: ServerName, command: string, args: string[], env: NodeJS.ProcessEnv, port: number) {
  const started = performance.now();
  const group = spawnGroup(command, args, { cwd: root, env });
  const health = await waitForHealth(name, `http://127.0.0.1:${port}/health`, group, 90_000);
  if (!health.ok) {
    await group.stop();
    throw new Error(`${health.message}:\n${group.output()}`);
  }
  return { startupMs: Math.round(performance.now() - started), output: group.output, stop: group.stop };
}

type Launched = Awaited<ReturnType<typeof launch>>;

/** The TestServer around a process that `relaunch` starts, with `state` deleted at the end. */
async function serve(
  name: ServerName,
  port: number,
  state: string,
  relaunch: () => Promise<Launched>,
  mintEnrolment: TestServer["mintEnrolment"],
  { keepStateOnFailure = false } = {},
): Promise<TestServer> {
  let current: Launched;
  try {
    current = await relaunch();
  } catch (err) {
    if (!keepStateOnFailure) rmSync(state, { recursive: true, force: true });
    throw err;
  }
  const { startupMs } = current;
  return {
    name,
    origin: `http://localhost:${port}`,
    startupMs,
    mintEnrolment,
    output: () => current.output(),
    async restart() {
      await current.stop();
      current = await relaunch();
    },
    async stop() {
      await current.stop();
      rmSync(state, { recursive: true, force: true });
    },
  };
}

async function startWrangler(options: ServerOptions): Promise<TestServer> {
  const persistTo = mkdtempSync(path.join(tmpdir(), "tether-servers-wrangler-"));
  try {
    await applyMigrations({ persistTo });
  } catch (err) {
    rmSync(persistTo, { recursive: true, force: true });
    throw err;
  }
  const vars = {
    JWT_SECRET: randomBytes(36).toString("base64url"),
    AUDIT_SIGNING_KEY: TEST_AUDIT_KEY,
    ...options.vars,
  };
  // A free port can be taken by a parallel start between our probe and wrangler's bind, and wrangler then exits
  // at start-up; one more try with fresh ports covers that race.
  for (let attempt = 1; ; attempt++) {
    const [port, inspectorPort] = [await freePort(), await freePort()];
    const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort)];
    args.push("--persist-to", persistTo, "--show-interactive-dev-session=false");
    for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
    const origin = `http://localhost:${port}`;
    const mint: TestServer["mintEnrolment"] = ({ isAdmin }) => enrolLink(origin, isAdmin, ["--persist-to", persistTo]);
    const relaunch = () => launch("wrangler", WRANGLER, args, WRANGLER_ENV, port);
    if (attempt === 2) return serve("wrangler", port, persistTo, relaunch, mint);
    try {
      return await serve("wrangler", port, persistTo, relaunch, mint, { keepStateOnFailure: true });
    } catch (err) {
      if (!String(err).startsWith("Error: wrangler exited")) {
        rmSync(persistTo, { recursive: true, force: true });
        throw err;
      }
    }
  }
}

async function startDeno(options: ServerOptions): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "tether-servers-deno-"));
  const port = await freePort();
  const env = {
    ...process.env,
    ...options.vars,
    PORT: String(port),
    TETHER_DATA_DIR: dataDir,
    JWT_SECRET: options.vars?.JWT_SECRET ?? randomBytes(36).toString("base64url"),
    AUDIT_SIGNING_KEY: options.vars?.AUDIT_SIGNING_KEY ?? TEST_AUDIT_KEY,
    DENO_NO_UPDATE_CHECK: "1",
  };
  const deno = path.join(root, "node_modules/.bin/deno");
  const origin = `http://localhost:${port}`;
  const args = ["run", ...DENO_RUN_FLAGS, "worker/deno/main.ts"];
  const [command, commandArgs] =
    options.openFiles === undefined
      ? [deno, args]
      : ["sh", ["-c", `ulimit -n ${Math.floor(options.openFiles)} && exec "$0" "$@"`, deno, ...args]];
  const server = await serve(
    "deno",
    port,
    dataDir,
    () => launch("deno", command, commandArgs, env, port),
    ({ isAdmin }) => enrolLink(origin, isAdmin, ["--deno", "--data-dir", dataDir]),
  );
  return { ...server, dataDir };
}

/** Starts `name` on a free port with fresh state; the client is built first (once per test process). */
export async function startServer(name: ServerName, options: ServerOptions = {}): Promise<TestServer> {
  await buildClient();
  return name === "wrangler" ? startWrangler(options) : startDeno(options);
}
