import os from "node:os";
import path from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import {
  type EnrolMachineBody,
  enrolmentMessage,
  MachineName,
  MachineResponse,
  machineFingerprint,
} from "#protocol/machines.ts";
import { normaliseName } from "#protocol/names.ts";
import { toBase64url } from "../../core/base64url.ts";
import { machineIdOf } from "../../core/machine-handshake.ts";
import type { ApiErrorCode, CallApi } from "../../web/src/lib/api.ts";
import { siteApi } from "../node-runtime.ts";
import { plain, terminalText } from "../terminal.ts";
import { parseEnrolmentLink } from "./enrolment-link.ts";
import { defaultIdentityFile, prepareIdentityFile, saveIdentity } from "./identity.ts";

// `enrol LINK [--identity FILE]`: enrols this machine for unattended access with the one-time link an admin made in
// the console. The machine makes its Ed25519 key here, and sends the site only the public half, with a signature over
// the site and the token that proves it holds the private one; its identity is saved once the site has taken it. The
// site's own words never reach the terminal (nor does the token): every outcome is one of the catalogue's.

/** What enrolling depends on, passed in so that a test can run it with its own site and key. */
export type EnrolDeps = {
  /** Where the machine's identity is kept (an absolute path: the terminal names it). */
  file: string;
  /** The API client for the site at `origin` (siteApi: Node's fetch, with the Origin header the site requires). */
  api: (origin: string) => CallApi;
  /** The machine's host name and operating system, as the OS tells them. */
  host: { name: string; os: string };
  /** A new Ed25519 private key (a 32-byte seed). */
  newKey: () => Uint8Array;
  output: NodeJS.WritableStream;
  /** The environment, for the terminal's language. */
  env: Record<string, string | undefined>;
};

/**
 * How an enrolment ended, as the name of its exit code in exit-codes.ts (enrolled: `ended`; the link cannot be used:
 * `badLink`), which main.ts turns into the number.
 */
export type EnrolExit = "ended" | "failed" | "badLink";

/** The terminal's words for the refusals a person can act on; the others (a conflict, a bad answer) are "failed". */
const FAILURES: Partial<Record<ApiErrorCode, "off" | "linkUsed" | "keyRefused" | "rateLimited" | "unreachable">> = {
  UNATTENDED_OFF: "off",
  ENROLMENT_INVALID: "linkUsed",
  MACHINE_KEY_INVALID: "keyRefused",
  RATE_LIMITED: "rateLimited",
  NETWORK: "unreachable",
};

/** The longest name and OS text the site takes (MachineName, MachineOs). */
const MAX_TEXT = 80;

/** A host name as a machine's name: normalised and cut to what MachineName takes, else "machine". */
export function machineName(hostname: string): string {
  let cut = "";
  // Whole characters only: half of a surrogate pair would make the name one the site refuses.
  for (const char of normaliseName(hostname)) {
    if (cut.length + char.length > MAX_TEXT) break;
    cut += char;
  }
  const parsed = MachineName.safeParse(cut);
  return parsed.success ? parsed.data : "machine";
}

/** An OS's type and release as MachineOs takes it: printable ASCII, at most 80 characters, else "unknown". */
export function machineOs(description: string): string {
  const printable = description.replace(/[^\x20-\x7e]/g, "").trim();
  return printable.slice(0, MAX_TEXT).trim() || "unknown";
}

/** Enrols this machine with the link in `linkText`; resolves with how it ended. */
export async function enrolMachine(linkText: string, deps: EnrolDeps): Promise<EnrolExit> {
  const text = terminalText(deps.env);
  const words = text.agent.enrol;
  const say = (line: string) => deps.output.write(`${line}\n`);
  const parsed = parseEnrolmentLink(linkText);
  if (!parsed.ok) {
    say(parsed.problem === "insecure" ? text.agent.link.insecure : words.badLink);
    return "badLink";
  }
  const { origin, token } = parsed.link;
  // Before anything is sent: a used link cannot be had back, so the key must have somewhere to go.
  const place = await prepareIdentityFile(deps.file);
  if (place !== "ready") {
    say(place === "exists" ? words.already(deps.file) : words.notSaved(deps.file));
    return "failed";
  }
  say(words.enrolling);
  const privateKey = deps.newKey();
  const publicKey = ed25519.getPublicKey(privateKey);
  const machineId = machineIdOf(publicKey);
  const body: EnrolMachineBody = {
    token,
    publicKey: toBase64url(publicKey),
    name: machineName(deps.host.name),
    os: machineOs(deps.host.os),
    signature: toBase64url(ed25519.sign(enrolmentMessage(origin, token), privateKey)),
  };
  const answer = await deps.api(origin)("POST", "/api/machines", MachineResponse, body);
  if (!answer.ok) {
    say(words[FAILURES[answer.code] ?? "failed"]);
    return "failed";
  }
  // The id is the key's hash, on both ends: another id means the site did not enrol this key.
  const { machine } = answer.data;
  if (machine.id !== machineId) {
    say(words.failed);
    return "failed";
  }
  const saved = await saveIdentity(deps.file, { origin, machineId, privateKey, name: machine.name });
  if (saved !== "saved") {
    say(saved === "exists" ? words.already(deps.file) : words.notSaved(deps.file));
    return "failed";
  }
  say(words.enrolled(plain(machine.name), machineFingerprint(machineId), deps.file));
  return "ended";
}

/**
 * The `enrol` command on this machine, with `args` after the word: `LINK [--identity FILE]` (a system service keeps
 * its identity in /var/lib/tether-agent/machine.json, say). Resolves with how it ended.
 */
export function enrolCommand(
  args: readonly string[],
  env: Record<string, string | undefined>,
  output: NodeJS.WritableStream,
): Promise<EnrolExit> {
  let linkText = "";
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--identity") file = args[++i] ?? "";
    else if (!arg.startsWith("--") && linkText === "") linkText = arg;
  }
  // `--identity` without a file is not the command the console showed: the link's text is refused as incomplete.
  return enrolMachine(file === "" ? "" : linkText, {
    file: path.resolve(file ?? defaultIdentityFile(env, os.homedir())),
    api: siteApi,
    host: { name: os.hostname(), os: `${os.type()} ${os.release()}` },
    newKey: () => ed25519.utils.randomSecretKey(),
    output,
    env,
  });
}
