import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MachineEnrolment, MachineList, machineFingerprint } from "#protocol/machines.ts";
import { EXIT } from "../../client/agent/run.ts";
import * as en from "../../client/web/src/i18n/catalogues/en.ts";
import { SERVER_NAMES } from "../helpers/node/servers.ts";
import { enrolTechnician, postJson, type SignedIn } from "../helpers/node/technicians.ts";
import { useServer } from "../helpers/node/use-server.ts";

// A machine enrolled for unattended access by its agent, end to end on both hosts: an admin makes a one-time link,
// `enrol LINK --identity FILE` makes the machine's key, enrols it and keeps its identity in a file only its account
// reads, and the site lists the machine under the id the agent computed. The link works once, and an identity is
// never replaced.

/** The person's terminal in English, whatever language this machine's is. */
const ENGLISH = { PATH: process.env.PATH ?? "", LANG: "en_GB.UTF-8" };

const root = path.resolve(import.meta.dirname, "../..");

/** Runs `node client/agent/main.ts enrol ARGS`; resolves with its exit code and what it printed. */
function enrol(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", "client/agent/main.ts", "enrol", ...args],
      { cwd: root, env: ENGLISH, timeout: 60_000 },
      (error, stdout) => resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout }),
    );
  });
}

describe.each(SERVER_NAMES)("%s", (name) => {
  const server = useServer(name, { vars: { UNATTENDED_ACCESS: "on" } });
  let admin: SignedIn;
  let folder: string;
  beforeAll(async () => {
    admin = await enrolTechnician(server(), "Ada Admin");
    folder = mkdtempSync(path.join(tmpdir(), "tether-agent-enrol-"));
  });
  afterAll(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it("enrols the machine once with a one-time link, under the id the agent computed", async () => {
    const made = await postJson(server(), "/api/machines/enrolments", {}, admin.cookie);
    expect(made.status).toBe(201);
    const { url } = MachineEnrolment.parse(await made.json());
    const file = path.join(folder, "tether", "machine.json");

    const enrolled = await enrol([url, "--identity", file]);
    expect(enrolled.code).toBe(EXIT.ended);
    const { machineId } = JSON.parse(readFileSync(file, "utf8")) as { machineId: string };
    const listed = await fetch(`${server().origin}/api/machines`, { headers: { cookie: admin.cookie } });
    expect(listed.status).toBe(200);
    const { machines } = MachineList.parse(await listed.json());
    expect(machines.map((machine) => machine.id)).toEqual([machineId]);
    const machineName = machines[0]?.name ?? "";
    expect(enrolled.stdout).toBe(
      `${en.agent.enrol.enrolling}\n${en.agent.enrol.enrolled(machineName, machineFingerprint(machineId), file)}\n`,
    );
    // The private key is for the machine's account only.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    // Nothing of the token reaches the terminal.
    expect(enrolled.stdout).not.toContain(new URL(url).hash.slice(1));

    // Enrolled already: refused before the site is asked, and the identity is kept as it was.
    const before = readFileSync(file, "utf8");
    const again = await enrol([url, "--identity", file]);
    expect(again).toEqual({ code: EXIT.failed, stdout: `${en.agent.enrol.already(file)}\n` });
    expect(readFileSync(file, "utf8")).toBe(before);

    // A used link enrols no other machine, and saves it no identity.
    const other = path.join(folder, "other", "machine.json");
    const used = await enrol([url, "--identity", other]);
    expect(used).toEqual({ code: EXIT.failed, stdout: `${en.agent.enrol.enrolling}\n${en.agent.enrol.linkUsed}\n` });
    expect(statSync(other, { throwIfNoEntry: false })).toBeUndefined();
  });
});
