import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT } from "../../client/agent/exit-codes.ts";
import * as en from "../../client/web/src/i18n/catalogues/en.ts";
import { REVALIDATE } from "../../worker/static-cache.ts";
import { SERVER_NAMES } from "../helpers/node/servers.ts";
import { useServer } from "../helpers/node/use-server.ts";
import { allowedFeatures } from "../helpers/page-policies.ts";

// The native agent as a customer gets it: one file from the site, /downloads/tether-agent.mjs, run with Node alone
// (`node tether-agent.mjs LINK`) in a folder of its own, far from this repository's node_modules. A link it cannot
// join with is turned away with the terminal's words before anything is reached over the network.

const DOWNLOAD = "/downloads/tether-agent.mjs";

/** The customer's terminal in English, whatever language this machine's is. */
const ENGLISH = { PATH: process.env.PATH ?? "", LANG: "en_GB.UTF-8" };

/** Runs the downloaded agent with Node (this one, 22) and `args`; resolves with its exit code and what it printed. */
function runDownloaded(file: string, args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [file, ...args],
      { cwd: path.dirname(file), env: ENGLISH, timeout: 60_000 },
      (error, stdout) => resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout }),
    );
  });
}

describe.each(SERVER_NAMES)("%s", (name) => {
  const server = useServer(name);
  let folder: string | undefined;
  afterAll(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  let saved: Promise<string> | undefined;
  /** The agent as this host serves it, saved once into a folder of its own. */
  function download(): Promise<string> {
    saved ??= (async () => {
      const res = await fetch(`${server().origin}${DOWNLOAD}`);
      if (!res.ok) throw new Error(`${DOWNLOAD} answered ${res.status}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      folder = mkdtempSync(path.join(tmpdir(), "tether-agent-download-"));
      const file = path.join(folder, "tether-agent.mjs");
      writeFileSync(file, bytes);
      return file;
    })();
    return saved;
  }

  it("serves the agent as a JavaScript file that is checked again on each download", async () => {
    const res = await fetch(`${server().origin}${DOWNLOAD}`);
    const bytes = await res.arrayBuffer();
    expect(res.status).toBe(200);
    expect(bytes.byteLength).toBeGreaterThan(0);
    expect(res.headers.get("content-type")).toMatch(/^text\/javascript\b/);
    // A fixed name means new bytes under the same name at each release: never the year that content names get.
    expect(res.headers.get("cache-control")).toBe(REVALIDATE);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(allowedFeatures(res.headers)).toEqual([]);
  });

  it("runs on its own and turns away what is not a session link", async () => {
    const { code, stdout } = await runDownloaded(await download(), []);
    expect(code).toBe(EXIT.badLink);
    expect(stdout).toBe(`${en.agent.link.notALink}\n`);
  });

  it("turns away a link whose secret is damaged", async () => {
    const { code, stdout } = await runDownloaded(await download(), ["http://127.0.0.1:1/j/123456789#x"]);
    expect(code).toBe(EXIT.badLink);
    expect(stdout).toBe(`${en.agent.link.badSecret}\n`);
  });
});
