import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, spawnGroup, waitForHealth } from "../../worker/cli/process-group.ts";

// Real processes: a shell that starts a grandchild stands in for wrangler dev starting workerd.

const moduleUrl = new URL(path.resolve(import.meta.dirname, "../../worker/cli/process-group.ts"), "file:").href;

/** Whether a process with this pid is still there (a zombie waiting for its parent counts as gone). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

/** Resolves once `pid` is gone; a generous upper bound, not an expectation. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 600; i++) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** Reads lines from a stream until `count` pids were printed. */
function readPids(stream: NodeJS.ReadableStream, count: number): Promise<number[]> {
  return new Promise((resolve) => {
    let text = "";
    stream.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const pids = text.split("\n").filter((line) => /^\d+$/.test(line));
      if (pids.length >= count) resolve(pids.slice(0, count).map(Number));
    });
  });
}

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

describe("spawnGroup (servers started from npm start, the tests and the bench)", () => {
  it("stop ends the leader and a grandchild it started", async () => {
    const group = spawnGroup("sh", ["-c", "sleep 300 & echo $!; wait"], { cwd: "/", env: process.env });
    const [grandchild] = await readPids(group.child.stdout as NodeJS.ReadableStream, 1);
    expect(isAlive(grandchild as number)).toBe(true);
    await group.stop();
    expect(await gone(grandchild as number)).toBe(true);
    expect(group.child.exitCode !== null || group.child.signalCode !== null).toBe(true);
  });

  it("keeps the last 8 kB of the group's output", async () => {
    const group = spawnGroup("sh", ["-c", "head -c 20000 /dev/zero | tr '\\\\0' x; echo END"], {
      cwd: "/",
      env: process.env,
    });
    await group.exited;
    expect(group.output().length).toBe(8_192);
    expect(group.output().endsWith("END\n")).toBe(true);
  });

  it("a command that does not exist resolves exited instead of hanging", async () => {
    const group = spawnGroup("tether-no-such-command", [], { cwd: "/", env: process.env });
    expect(await group.exited).toBeNull();
    await group.stop();
  });

  it("a process killed by SIGTERM takes its groups with it, and still ends by that signal", async () => {
    const script = [
      `import { spawnGroup } from ${JSON.stringify(moduleUrl)};`,
      `const group = spawnGroup("sh", ["-c", "sleep 300 & echo $!; wait"], { cwd: "/", env: process.env });`,
      "group.child.stdout.pipe(process.stdout);",
      "setInterval(() => {}, 1_000);",
    ].join("\n");
    const parent = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const [grandchild] = await readPids(parent.stdout, 1);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      parent.once("exit", (_code, signal) => resolve(signal)),
    );
    parent.kill("SIGTERM");
    expect(await exited).toBe("SIGTERM");
    expect(await gone(grandchild as number)).toBe(true);
  });
});

describe("waitForHealth", () => {
  async function serve(status: number, body: string): Promise<string> {
    const port = await freePort();
    const server = createServer((_req, res) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(body);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return `http://127.0.0.1:${port}/health`;
  }

  it("is ok once /health answers 200", async () => {
    const group = spawnGroup("sleep", ["300"], { cwd: "/", env: process.env });
    try {
      expect(await waitForHealth("the server", await serve(200, "{}"), group, 60_000)).toEqual({ ok: true });
    } finally {
      await group.stop();
    }
  });

  it("passes on the error /health names (a configuration problem) at once", async () => {
    const group = spawnGroup("sleep", ["300"], { cwd: "/", env: process.env });
    const body = JSON.stringify({ error: { code: "CONFIG_INVALID", message: "JWT_SECRET is missing" } });
    try {
      expect(await waitForHealth("wrangler dev", await serve(500, body), group, 60_000)).toEqual({
        ok: false,
        message: "wrangler dev: JWT_SECRET is missing",
      });
    } finally {
      await group.stop();
    }
  });

  it("says so when the server exits before it is healthy", async () => {
    const group = spawnGroup("sh", ["-c", "exit 3"], { cwd: "/", env: process.env });
    await group.exited;
    const url = `http://127.0.0.1:${await freePort()}/health`;
    expect(await waitForHealth("wrangler dev", url, group, 60_000)).toEqual({
      ok: false,
      message: "wrangler dev exited with code 3",
    });
  });

  it("gives up after its time limit when nothing answers", async () => {
    const group = spawnGroup("sleep", ["300"], { cwd: "/", env: process.env });
    const url = `http://127.0.0.1:${await freePort()}/health`;
    try {
      expect(await waitForHealth("the server", url, group, 0)).toEqual({
        ok: false,
        message: `the server did not answer ${url} within 0 s`,
      });
    } finally {
      await group.stop();
    }
  });
});
