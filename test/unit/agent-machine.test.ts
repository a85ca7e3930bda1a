import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EnrolMachineBody, enrolmentMessage, machineFingerprint } from "#protocol/machines.ts";
import { type EnrolDeps, enrolMachine, machineName, machineOs } from "../../client/agent/machine/enrol.ts";
import { parseEnrolmentLink } from "../../client/agent/machine/enrolment-link.ts";
import {
  defaultIdentityFile,
  loadIdentity,
  type MachineIdentity,
  saveIdentity,
} from "../../client/agent/machine/identity.ts";
import { fromBase64url, toBase64url } from "../../client/core/base64url.ts";
import { machineIdOf } from "../../client/core/machine-handshake.ts";
import * as en from "../../client/web/src/i18n/catalogues/en.ts";
import { apiClient } from "../../client/web/src/lib/api.ts";

// Enrolling a machine for unattended access from its agent: the link read, the identity kept in a file only the
// machine's account reads and never replaced, and what the agent sends the site, signed with the key it made.

const TOKEN = "dG9rZW4tZm9yLW9uZS1tYWNoaW5lLTEyMzQ1Njc4OTA";
const SEED = new Uint8Array(32).fill(7);

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), "tether-agent-machine-"));
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

function identity(name = "build-01"): MachineIdentity {
  return {
    origin: "https://help.example.org",
    machineId: machineIdOf(ed25519.getPublicKey(SEED)),
    privateKey: SEED,
    name,
  };
}

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe("the machine's identity", () => {
  it("is saved with mode 0600 in a directory made with mode 0700, and loads back the same", async () => {
    const file = path.join(folder, "config", "tether", "machine.json");
    expect(await saveIdentity(file, identity())).toBe("saved");
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(path.dirname(file))).toBe(0o700);
    expect(modeOf(path.join(folder, "config"))).toBe(0o700);
    expect(await loadIdentity(file)).toEqual({ ok: true, identity: identity() });
    // Nothing is left of the temporary file it was written to.
    expect(readFileSync(file, "utf8")).toContain(toBase64url(SEED));
    expect(readdirSync(path.dirname(file))).toEqual(["machine.json"]);
  });

  it("is never written over", async () => {
    const file = path.join(folder, "machine.json");
    expect(await saveIdentity(file, identity("first"))).toBe("saved");
    expect(await saveIdentity(file, identity("second"))).toBe("exists");
    expect(await loadIdentity(file)).toMatchObject({ ok: true, identity: { name: "first" } });
  });

  it("refuses a damaged file as damaged, a missing one as missing", async () => {
    const file = path.join(folder, "machine.json");
    expect(await loadIdentity(file)).toEqual({ ok: false, problem: "missing" });
    await saveIdentity(file, identity());
    const saved = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    const otherKey = toBase64url(new Uint8Array(32).fill(8));
    const damaged = [
      "",
      "{",
      readFileSync(file, "utf8").slice(0, 60),
      "null",
      JSON.stringify({ ...saved, version: 2 }),
      JSON.stringify({ ...saved, privateKey: "short" }),
      // A key that is not the one the id was made from.
      JSON.stringify({ ...saved, privateKey: otherKey }),
      JSON.stringify({ ...saved, origin: "https://help.example.org/path" }),
      JSON.stringify({ ...saved, machineId: undefined }),
    ];
    for (const text of damaged) {
      writeFileSync(file, text);
      expect(await loadIdentity(file), text).toEqual({ ok: false, problem: "damaged" });
    }
  });

  it("is kept under $XDG_CONFIG_HOME, else ~/.config", () => {
    expect(defaultIdentityFile({ XDG_CONFIG_HOME: "/etc/xdg-ada" }, "/home/ada")).toBe(
      "/etc/xdg-ada/tether/machine.json",
    );
    expect(defaultIdentityFile({}, "/home/ada")).toBe("/home/ada/.config/tether/machine.json");
    // The base directory rules ignore a relative path.
    expect(defaultIdentityFile({ XDG_CONFIG_HOME: "config" }, "/home/ada")).toBe(
      "/home/ada/.config/tether/machine.json",
    );
  });
});

describe("parseEnrolmentLink", () => {
  it("reads the site and the token", () => {
    expect(parseEnrolmentLink(`  https://help.example.org/enrol-machine#${TOKEN}\n`)).toEqual({
      ok: true,
      link: { origin: "https://help.example.org", token: TOKEN },
    });
  });

  it("takes plain http on this machine only", () => {
    for (const host of ["127.0.0.1:8787", "localhost:8787", "[::1]:8787"]) {
      expect(parseEnrolmentLink(`http://${host}/enrol-machine#${TOKEN}`)).toEqual({
        ok: true,
        link: { origin: `http://${host}`, token: TOKEN },
      });
    }
    expect(parseEnrolmentLink(`http://help.example.org/enrol-machine#${TOKEN}`)).toEqual({
      ok: false,
      problem: "insecure",
    });
  });

  it("refuses what is not an enrolment link, and a missing, short or damaged token", () => {
    for (const text of [
      "",
      TOKEN,
      `https://help.example.org/j/123456789#${TOKEN}`,
      `ftp://help.example.org/enrol-machine#${TOKEN}`,
      "https://help.example.org/enrol-machine",
      "https://help.example.org/enrol-machine#",
      "https://help.example.org/enrol-machine#short",
      `https://help.example.org/enrol-machine#${TOKEN}=`,
      `https://help.example.org/enrol-machine#${"a".repeat(201)}`,
    ]) {
      expect(parseEnrolmentLink(text), text).toEqual({ ok: false, problem: "badLink" });
    }
  });
});

describe("the host's name and OS", () => {
  it("are cut and cleaned to what the site takes", () => {
    expect(machineName("build-01.corp.example")).toBe("build-01.corp.example");
    expect(machineName("a".repeat(100))).toBe("a".repeat(80));
    // A character of two UTF-16 units that would end past 80 is left out whole, not halved.
    expect(machineName(`${"a".repeat(79)}\u{20000}`)).toBe("a".repeat(79));
    expect(machineName("build😀")).toBe("machine");
    expect(machineName("evil\u202Ename")).toBe("machine");
    expect(machineName("   ")).toBe("machine");
    expect(machineOs("Linux 6.1.0-28-amd64")).toBe("Linux 6.1.0-28-amd64");
    expect(machineOs(`Linux ${"9".repeat(100)}\u0007`)).toBe(`Linux ${"9".repeat(74)}`);
    expect(machineOs("\u0000é")).toBe("unknown");
  });
});

describe("enrolMachine", () => {
  const ORIGIN = "https://help.example.org";
  const LINK = `${ORIGIN}/enrol-machine#${TOKEN}`;

  /** Enrols with a site that answers `reply` to what it is sent; what it was sent and what the terminal said. */
  async function enrol(reply: (body: EnrolMachineBody) => Response, file = path.join(folder, "t", "machine.json")) {
    const sent: { url: string; body: unknown }[] = [];
    const output = new PassThrough();
    const deps: EnrolDeps = {
      file,
      api: (origin) =>
        apiClient(origin, async (url, init) => {
          const body = JSON.parse(String(init.body)) as unknown;
          sent.push({ url, body });
          return reply(EnrolMachineBody.parse(body));
        }),
      host: { name: "build-01", os: "Linux 6.1.0-28-amd64" },
      newKey: () => SEED,
      output,
      env: { LANG: "en_GB.UTF-8" },
    };
    const code = await enrolMachine(LINK, deps);
    output.end();
    return {
      code,
      sent,
      lines: String(output.read() ?? "")
        .split("\n")
        .slice(0, -1),
      file,
    };
  }

  const accepted = (body: EnrolMachineBody, id = machineIdOf(fromBase64url(body.publicKey) ?? new Uint8Array())) =>
    Response.json(
      {
        machine: {
          id,
          publicKey: body.publicKey,
          name: body.name,
          os: body.os,
          enrolledAt: 1,
          lastSeenAt: null,
          isOnline: false,
          isBusy: false,
        },
      },
      { status: 201 },
    );

  it("sends a body EnrolMachineBody takes, signed with the key it made, and saves the identity", async () => {
    const { code, sent, lines, file } = await enrol((body) => accepted(body));
    expect(code).toBe("ended");
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe(`${ORIGIN}/api/machines`);
    const body = EnrolMachineBody.parse(sent[0]?.body);
    const publicKey = fromBase64url(body.publicKey) ?? new Uint8Array();
    const signature = fromBase64url(body.signature) ?? new Uint8Array();
    expect(body).toMatchObject({ token: TOKEN, name: "build-01", os: "Linux 6.1.0-28-amd64" });
    expect(publicKey).toEqual(ed25519.getPublicKey(SEED));
    expect(ed25519.verify(signature, enrolmentMessage(ORIGIN, TOKEN), publicKey)).toBe(true);
    // A signature for another site or another token is not this one.
    expect(ed25519.verify(signature, enrolmentMessage("https://other.example", TOKEN), publicKey)).toBe(false);
    const id = toBase64url(sha256(publicKey));
    expect(await loadIdentity(file)).toEqual({
      ok: true,
      identity: { origin: ORIGIN, machineId: id, privateKey: SEED, name: "build-01" },
    });
    expect(lines).toEqual([
      en.agent.enrol.enrolling,
      en.agent.enrol.enrolled("build-01", machineFingerprint(id), file),
    ]);
  });

  it("refuses before sending anything when the machine has an identity already", async () => {
    const file = path.join(folder, "machine.json");
    await saveIdentity(file, identity("first"));
    const { code, sent, lines } = await enrol((body) => accepted(body), file);
    expect(code).toBe("failed");
    expect(sent).toEqual([]);
    expect(lines).toEqual([en.agent.enrol.already(file)]);
  });

  it("refuses before sending anything when the identity has nowhere to go", async () => {
    // A file where its directory should be: no account, root included, can make that directory.
    writeFileSync(path.join(folder, "t"), "");
    const { code, sent, lines, file } = await enrol((body) => accepted(body));
    expect(code).toBe("failed");
    expect(sent).toEqual([]);
    expect(lines).toEqual([en.agent.enrol.notSaved(file)]);
  });

  it("words each refusal from the catalogue, never the site's, and saves nothing", async () => {
    const refusal = (status: number, code: string) => () =>
      Response.json({ error: { code, message: `site says ${TOKEN}` } }, { status });
    const cases: [() => Response, string][] = [
      [refusal(403, "UNATTENDED_OFF"), en.agent.enrol.off],
      [refusal(400, "ENROLMENT_INVALID"), en.agent.enrol.linkUsed],
      [refusal(400, "MACHINE_KEY_INVALID"), en.agent.enrol.keyRefused],
      [refusal(429, "RATE_LIMITED"), en.agent.enrol.rateLimited],
      [refusal(409, "CONFLICT"), en.agent.enrol.failed],
      [refusal(400, "INVALID_NAME"), en.agent.enrol.failed],
      [() => new Response("not json", { status: 502 }), en.agent.enrol.failed],
      [() => Response.json({ machine: {} }, { status: 201 }), en.agent.enrol.failed],
      [
        () => {
          throw new TypeError("fetch failed");
        },
        en.agent.enrol.unreachable,
      ],
    ];
    for (const [reply, line] of cases) {
      const { code, lines, file } = await enrol(reply);
      expect(code, line).toBe("failed");
      expect(lines).toEqual([en.agent.enrol.enrolling, line]);
      expect(await loadIdentity(file)).toEqual({ ok: false, problem: "missing" });
    }
  });

  it("fails, saving nothing, when the site answers with another machine's id", async () => {
    const other = machineIdOf(ed25519.getPublicKey(new Uint8Array(32).fill(9)));
    const { code, lines, file } = await enrol((body) => accepted(body, other));
    expect(code).toBe("failed");
    expect(lines).toEqual([en.agent.enrol.enrolling, en.agent.enrol.failed]);
    expect(await loadIdentity(file)).toEqual({ ok: false, problem: "missing" });
  });

  it("turns away a link it cannot enrol with before anything else", async () => {
    const output = new PassThrough();
    const deps = { file: path.join(folder, "machine.json"), env: { LANG: "en_GB.UTF-8" }, output };
    const fail = () => {
      throw new Error("nothing may be reached");
    };
    const run = (link: string) =>
      enrolMachine(link, { ...deps, api: fail, host: { name: "h", os: "o" }, newKey: fail });
    expect(await run(`http://help.example.org/enrol-machine#${TOKEN}`)).toBe("badLink");
    expect(await run(`https://help.example.org/j/123456789#${TOKEN}`)).toBe("badLink");
    output.end();
    expect(String(output.read())).toBe(`${en.agent.link.insecure}\n${en.agent.enrol.badLink}\n`);
    expect(statSync(path.join(folder, "machine.json"), { throwIfNoEntry: false })).toBeUndefined();
  });
});
