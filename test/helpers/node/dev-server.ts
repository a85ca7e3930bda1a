import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { mintEnrolment } from "../../../worker/cli/enrol.ts";
import { applyMigrations, WRANGLER, WRANGLER_ENV } from "../../../worker/cli/wrangler.ts";

const root = path.resolve(import.meta.dirname, "../../..");
const run = promisify(execFile);

/** A running `wrangler dev` with its own state folder, for one test file. */
export type DevServer = {
  /** `http://localhost:PORT`: a host name, not an IP address, because WebAuthn needs a domain as its RP ID. */
  origin: string;
  /** Mints a one-time enrolment link straight into this server's D1 (minting another voids the last unused one). */
  mintEnrolment(options: { isAdmin: boolean }): Promise<string>;
  /** Stops wrangler and workerd and deletes the state folder. */
  stop(): Promise<void>;
};

/** A port nobody is listening on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output()}`);
    const status = await fetch(url).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`wrangler dev did not answer ${url} within 90 s:\n${output()}`);
}

/** Signals wrangler's whole process group: killing only wrangler can leave workerd running. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Builds the client, migrates a fresh local D1 and starts the real `wrangler dev` on a free port; `vars` override [vars]. */
export async function startDevServer(options: { vars?: Record<string, string> } = {}): Promise<DevServer> {
  await run(process.execPath, [path.join(root, "client/web/build.ts")], { cwd: root });
  const persistTo = mkdtempSync(path.join(tmpdir(), "tether-e2e-"));
  try {
    await applyMigrations({ persistTo });
  } catch (err) {
    rmSync(persistTo, { recursive: true, force: true });
    throw err;
  }

  const [port, inspectorPort] = [await freePort(), await freePort()];
  const child = spawn(
    WRANGLER,
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      persistTo,
      "--var",
      `JWT_SECRET:${randomBytes(36).toString("base64url")}`,
      ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
      "--show-interactive-dev-session=false",
    ],
    { cwd: root, env: WRANGLER_ENV, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  // Kept for the error message when start-up fails; the last 8 kB is enough to see why.
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8192);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const onExit = () => signalGroup(child, "SIGKILL");
  process.once("exit", onExit);

  const origin = `http://localhost:${port}`;
  const stop = async () => {
    process.off("exit", onExit);
    signalGroup(child, "SIGTERM");
    const timer = setTimeout(() => signalGroup(child, "SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
    // workerd may outlive wrangler for a moment; make sure nothing of the group is left.
    signalGroup(child, "SIGKILL");
    rmSync(persistTo, { recursive: true, force: true });
  };

  try {
    await waitForHealth(`http://127.0.0.1:${port}/health`, child, () => output);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    origin,
    async mintEnrolment({ isAdmin }) {
      const { url } = await mintEnrolment({ origin, isAdmin, target: { persistTo } });
      return url;
    },
    stop,
  };
}
