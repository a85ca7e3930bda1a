import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifierKeyOf } from "../../../durable-objects/audit-log/note.ts";
import { dropGuards, migratedDatabase, sampleInput, storedLog, TEST_SIGNER, testLog } from "../../helpers/audit-log.ts";

const root = path.resolve(import.meta.dirname, "../../..");
const run = promisify(execFile);
const KEY = verifierKeyOf(TEST_SIGNER);

/** `npm run audit:verify -- ...args`: its exit code and output. */
async function verify(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", path.join(root, "worker/cli/audit-verify.ts"), ...args],
      { cwd: root, env: { ...process.env, AUDIT_VERIFIER_KEY: "" } },
    );
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

describe("npm run audit:verify", () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "tether-audit-verify-"));
    file = path.join(dir, "d1.sqlite");
    const log = testLog(migratedDatabase(file));
    for (let i = 0; i < 9; i++) {
      log.clock.now += 30_000;
      await log.writer.append(sampleInput(i));
    }
    log.sqlite.close();
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("passes a sound log, saves its checkpoint, and passes it again against the saved one", async () => {
    const saved = path.join(dir, "checkpoint.txt");
    expect(await verify("--sqlite", file, "--key", KEY, "--checkpoint", saved)).toMatchObject({
      code: 0,
      out: expect.stringContaining("Audit log sound: 9 entries"),
    });
    expect(await verify("--sqlite", file, "--key", KEY, "--checkpoint", saved)).toMatchObject({
      code: 0,
      out: expect.stringContaining("extending the saved checkpoint"),
    });
  });

  it("exits 1 and names the entry when one was changed in storage", async () => {
    const sqlite = migratedDatabase(file);
    dropGuards(sqlite);
    sqlite.exec(`UPDATE audit_entries SET entry = replace(entry, '"n":4', '"n":5') WHERE seq = 4`);
    sqlite.close();
    const result = await verify("--sqlite", file, "--key", KEY);
    expect(result.code).toBe(1);
    // Checkpoints were kept at sizes 1, 3, 5, ...: the one of 5 entries no longer matches, the one of 3 still does.
    expect(result.out).toMatch(/TAMPERED \(entries 3 to 4\)/);
  });

  it("exits 1 when entries and checkpoints were cut back to an earlier size the saved checkpoint covers", async () => {
    const saved = path.join(dir, "checkpoint.txt");
    expect((await verify("--sqlite", file, "--key", KEY, "--checkpoint", saved)).code).toBe(0);
    const sqlite = migratedDatabase(file);
    dropGuards(sqlite);
    sqlite.exec("DELETE FROM audit_entries WHERE seq >= 1; DELETE FROM audit_checkpoints WHERE size > 1");
    sqlite.exec("UPDATE audit_head SET size = 1, note = (SELECT note FROM audit_checkpoints WHERE size = 1)");
    sqlite.close();
    expect((await verify("--sqlite", file, "--key", KEY)).code).toBe(0);
    const result = await verify("--sqlite", file, "--key", KEY, "--checkpoint", saved);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/saved checkpoint covers 9/);
  });

  it("checks an export, and finds a line taken out of it", async () => {
    const sqlite = migratedDatabase(file);
    const { lines, checkpoints } = storedLog(sqlite);
    sqlite.close();
    const exported = path.join(dir, "export.jsonl");
    writeFileSync(exported, `${[JSON.stringify({ checkpoints }), ...lines].join("\n")}\n`);
    expect((await verify("--file", exported, "--key", KEY)).code).toBe(0);
    writeFileSync(exported, `${[JSON.stringify({ checkpoints }), ...lines.filter((_, i) => i !== 2)].join("\n")}\n`);
    const result = await verify("--file", exported, "--key", KEY);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/TAMPERED \(entry 2\)/);
  });

  it("exits 1 under another key, and 2 when it cannot check", async () => {
    const other = verifierKeyOf({ name: TEST_SIGNER.name, seed: new Uint8Array(32).fill(9) });
    expect((await verify("--sqlite", file, "--key", other)).code).toBe(1);
    expect((await verify("--sqlite", path.join(dir, "missing.sqlite"), "--key", KEY)).code).toBe(2);
    expect((await verify("--file", file, "--key", "not-a-key")).code).toBe(2);
  });
});
