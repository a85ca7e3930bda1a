import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MachineEnrolment, MachineList, machineFingerprint } from "#protocol/machines.ts";
import { EXIT } from "../../client/agent/exit-codes.ts";
import * as en from "../../client/web/src/i18n/catalogues/en.ts";
import { SERVER_NAMES } from "../helpers/node/servers.ts";
import { enrolTechnician, postJson, type SignedIn } from "../helpers/node/technicians.ts";
import { useServer } from "../helpers/node/use-server.ts";

// A machine enrolled for unattended access by its agent, end to end on both hosts: an admin makes a one-time link,
// `enrol LINK --identity FILE` makes the machine's key, enrols it and keeps its identity in a file only its account
// reads, and the site lists the machine under the id the agent computed. The link works once, and an identity is
// never replaced. `serve --identity FILE` then keeps the machine online with signed heartbeats, until it is stopped or
// the machine is removed in the console.

/** The person's terminal in English, whatever language this machine's is. */
const ENGLISH = { PATH: process.env.PATH ?? "", LANG: "en_GB.UTF-8" };

const root = path.resolve(import.meta.dirname, "../..");

const AGENT = ["--disable-warning=ExperimentalWarning", "client/agent/main.ts"];

/** Runs `node client/agent/main.ts enrol ARGS`; resolves with its exit code and what it printed. */
function enrol(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...AGENT, "enrol", ...args],
      { cwd: root, env: ENGLISH, timeout: 60_000 },
      (error, stdout) => resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout }),
    );
  });
}

/** `node client/agent/main.ts serve --identity FILE`, running: what it printed so far, and its exit code once it exits. */
type Serving = { process: ChildProcessWithoutNullStreams; said: () => string; exited: Promise<number | null> };

/** Starts `serve --identity FILE`; `untilSaid` resolves once it has printed a line. */
function serve(file: string): Serving {
  const child = spawn(process.execPath, [...AGENT, "serve", "--identity", file], { cwd: root, env: ENGLISH });
  let said = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    said += chunk;
  });
  // "close" rather than "exit": it comes once the output has been read to its end as well.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return { process: child, said: () => said, exited };
}

/** Resolves once `serving` has printed `line`; rejects if it exits first. */
function untilSaid(serving: Serving, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (serving.said().includes(`${line}\n`)) resolve();
    };
    serving.process.stdout.on("data", check);
    void serving.exited.then((code) => reject(new Error(`serve exited (${code}) having said: ${serving.said()}`)));
    check();
  });
}

describe.each(SERVER_NAMES)("%s", (name) => {
  // Heartbeats every second, so that the machine's stop after its removal comes within the test's patience.
  const server = useServer(name, { vars: { UNATTENDED_ACCESS: "on", MACHINE_HEARTBEAT_S: "1" } });
  let admin: SignedIn;
  let folder: string;
  beforeAll(async () => {
    admin = await enrolTechnician(server(), "Ada Admin");
    folder = mkdtempSync(path.join(tmpdir(), "tether-agent-enrol-"));
  });
  afterAll(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  /** A one-time enrolment link, made by the admin in the console. */
  async function enrolmentLink(): Promise<string> {
    const made = await postJson(server(), "/api/machines/enrolments", {}, admin.cookie);
    expect(made.status).toBe(201);
    return MachineEnrolment.parse(await made.json()).url;
  }

  /** The machines the console lists. */
  async function listMachines(): Promise<MachineList["machines"]> {
    const listed = await fetch(`${server().origin}/api/machines`, { headers: { cookie: admin.cookie } });
    expect(listed.status).toBe(200);
    return MachineList.parse(await listed.json()).machines;
  }

  it("enrols the machine once with a one-time link, under the id the agent computed", async () => {
    const url = await enrolmentLink();
    const file = path.join(folder, "tether", "machine.json");

    const enrolled = await enrol([url, "--identity", file]);
    expect(enrolled.code).toBe(EXIT.ended);
    const { machineId } = JSON.parse(readFileSync(file, "utf8")) as { machineId: string };
    const machines = await listMachines();
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

  it("serves the enrolled machine online with signed heartbeats until it is stopped, or removed in the console", async () => {
    const file = path.join(folder, "served", "machine.json");
    expect((await enrol([await enrolmentLink(), "--identity", file])).code).toBe(EXIT.ended);
    const { machineId } = JSON.parse(readFileSync(file, "utf8")) as { machineId: string };
    const listedOf = async () => (await listMachines()).find((machine) => machine.id === machineId);
    const before = await listedOf();
    expect(before).toMatchObject({ isOnline: false, lastSeenAt: null });
    const online = en.agent.serve.online(before?.name ?? "");

    // Stopped as a service manager stops it (SIGTERM): it says so, and exits as a run that ended well.
    const stopped = serve(file);
    try {
      await untilSaid(stopped, online);
      stopped.process.kill("SIGTERM");
      expect(await stopped.exited).toBe(EXIT.ended);
      expect(stopped.said()).toBe(`${online}\n${en.agent.serve.stopped}\n`);
    } finally {
      stopped.process.kill("SIGKILL");
    }

    // Served again, the console lists it online; removed there, the agent stops at its next heartbeat.
    const startedAt = Date.now();
    const served = serve(file);
    try {
      await untilSaid(served, online);
      const listed = await listedOf();
      expect(listed?.isOnline).toBe(true);
      expect(listed?.lastSeenAt).toBeGreaterThanOrEqual(startedAt);
      const removed = await fetch(`${server().origin}/api/machines/${machineId}`, {
        method: "DELETE",
        headers: { cookie: admin.cookie, origin: server().origin },
      });
      expect(removed.status).toBe(204);
      expect(await served.exited).toBe(EXIT.cannotServe);
      expect(served.said()).toBe(`${online}\n${en.agent.serve.removed}\n`);
    } finally {
      served.process.kill("SIGKILL");
    }
  });
});
