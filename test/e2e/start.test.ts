import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commandLine, processTree } from "../../bench/procfs.ts";
import { parseVerifierKey } from "../../durable-objects/audit-log/note.ts";

const root = path.resolve(import.meta.dirname, "../..");
const running: ChildProcess[] = [];
const dirs: string[] = [];

function stateDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "tether-start-"));
  dirs.push(dir);
  return dir;
}

/** Runs `npm start`'s script with its own port and state folder; resolves when `until` appears or it exits. */
function start(port: number, dir: string, args: string[], until: RegExp) {
  const { NODE_COMPILE_CACHE: _, ...env } = process.env;
  const child = spawn(process.execPath, [path.join(root, "worker/cli/start.ts"), ...args], {
    cwd: root,
    env: { ...env, PORT: String(port), PERSIST_TO: dir },
    detached: true,
  });
  running.push(child);
  let output = "";
  return new Promise<{ output: string; exitCode: number | null; child: ChildProcess }>((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (until.test(output)) resolve({ output, exitCode: null, child });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => resolve({ output, exitCode: code, child }));
  });
}

afterAll(() => {
  for (const child of running) if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("stops with a message naming a bad [vars] value and its allowed range", async () => {
    const dir = stateDir();
    const result = await start(18_801, dir, ["--var", "SESSION_LIFETIME_S:forever"], /Tether could not start/);
    expect(result.output).toMatch(
      /Tether could not start: .*SESSION_LIFETIME_S must be a whole number from 60 to 86400/,
    );
  });

  it("prints a one-time enrolment link on first start, and the link's token is accepted", async () => {
    const dir = stateDir();
    const { output, child } = await start(18_802, dir, [], /Audit log verifier key: \S+\n/);
    expect(output).toMatch(/Tether is running at http:\/\/localhost:18802/);
    const link = output.match(/http:\/\/localhost:18802\/enrol#([\w-]{43})/);
    expect(link, output).not.toBeNull();
    // The key `npm run audit:verify` pins, worked out while the runtime started.
    const key = output.match(/Audit log verifier key: (\S+)/)?.[1] ?? "";
    expect(parseVerifierKey(key), key).not.toBeNull();
    const res = await fetch("http://localhost:18802/api/auth/register/options", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://localhost:18802" },
      body: JSON.stringify({ invite: link?.[1], displayName: "First Admin" }),
    });
    expect(res.status).toBe(200);
    const options = (await res.json()) as { challenge: string; authenticatorSelection: { userVerification: string } };
    expect(options.authenticatorSelection.userVerification).toBe("required");

    // wrangler runs with Node's compile cache in .tether-dev; stopped as Ctrl+C stops it, wrangler exits and Node
    // writes there the code it compiled for it: the next start's head start.
    const compileCache = path.join(root, ".tether-dev/node-compile-cache");
    const cli = processTree(child.pid ?? 0).find((pid) => commandLine(pid).includes("wrangler-dist/cli.js"));
    expect(cli, "wrangler's CLI among npm start's processes").toBeDefined();
    expect(readFileSync(`/proc/${cli}/environ`, "utf8").split("\0")).toContain(`NODE_COMPILE_CACHE=${compileCache}`);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    await exited;
    expect(readdirSync(compileCache, { recursive: true }).length).toBeGreaterThan(0);
  });
});
