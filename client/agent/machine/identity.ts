import { randomUUID } from "node:crypto";
import { constants } from "node:fs";
import { access, link, mkdir, open, readFile, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import * as z from "zod/mini";
import { MachineId, MachineSummary } from "#protocol/machines.ts";
import { fromBase64url, toBase64url } from "../../core/base64url.ts";
import { machineIdOf } from "../../core/machine-handshake.ts";

// The machine's identity for unattended access: the site it is enrolled with, its id there, the Ed25519 private key
// that proves it is this machine, and its name. It lives in one JSON file that only the machine's account can read,
// written whole or not at all, and never replaced: losing the key loses the machine's place in the console.

/** What the machine is to the site it is enrolled with. */
export type MachineIdentity = {
  /** The site's origin, "https://help.example.org". */
  origin: string;
  /** The machine's id: base64url(SHA-256(its public key)). */
  machineId: string;
  /** The Ed25519 private key: its 32-byte seed. */
  privateKey: Uint8Array;
  /** The machine's name as the site took it. */
  name: string;
};

/** The file's form, version 1. The key is a seed of 32 bytes in base64url (43 characters). */
const IdentityFile = z.object({
  version: z.literal(1),
  origin: z.string().check(z.maxLength(2048)),
  machineId: MachineId,
  privateKey: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)),
  name: MachineSummary.shape.name,
});

/**
 * Where the identity is kept unless `--identity` says: $XDG_CONFIG_HOME/tether/machine.json, else
 * ~/.config/tether/machine.json. The XDG base directory rules ignore a relative $XDG_CONFIG_HOME.
 */
export function defaultIdentityFile(env: Record<string, string | undefined>, home: string): string {
  const config = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : null;
  return path.join(config ?? path.join(home, ".config"), "tether", "machine.json");
}

/**
 * Gets `file`'s place ready before anything is sent: its directory made (0700, only this account may look in it)
 * and writable, and no identity there yet. "exists" when there is one, "unwritable" when it could not be kept there.
 */
export async function prepareIdentityFile(file: string): Promise<"ready" | "exists" | "unwritable"> {
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await access(path.dirname(file), constants.W_OK);
  } catch {
    return "unwritable";
  }
  return (await isPresent(file)) ? "exists" : "ready";
}

async function isPresent(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    // Anything but "no such file" (a file we may not look at, say) counts as there: it is never written over.
    return (err as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

/**
 * Saves `identity` to `file` (mode 0600) in a directory made with mode 0700. It is written to a temporary file beside
 * it and then linked into place, so that a half-written identity never exists under the name; a link, unlike a
 * rename, fails when the name is taken, so an identity already there is never replaced, even by a second enrolment
 * running at the same time.
 */
export async function saveIdentity(file: string, identity: MachineIdentity): Promise<"saved" | "exists" | "failed"> {
  const json: z.infer<typeof IdentityFile> = {
    version: 1,
    origin: identity.origin,
    machineId: identity.machineId,
    privateKey: toBase64url(identity.privateKey),
    name: identity.name,
  };
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
  let isCreated = false;
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const handle = await open(temporary, "wx", 0o600);
    isCreated = true;
    try {
      await handle.writeFile(`${JSON.stringify(json, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temporary, file);
    return "saved";
  } catch (err) {
    return isCreated && (err as NodeJS.ErrnoException).code === "EEXIST" ? "exists" : "failed";
  } finally {
    if (isCreated) await unlink(temporary).catch(() => undefined);
  }
}

/** Why an identity could not be loaded: there is none, it cannot be read, or it is not one (damaged, edited). */
export type IdentityProblem = "missing" | "unreadable" | "damaged";

export type LoadedIdentity = { ok: true; identity: MachineIdentity } | { ok: false; problem: IdentityProblem };

/** Loads the identity in `file`, checked: its key must give its id, its origin must be an origin. */
export async function loadIdentity(file: string): Promise<LoadedIdentity> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    if (err instanceof SyntaxError) return { ok: false, problem: "damaged" };
    return { ok: false, problem: (err as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : "unreadable" };
  }
  const parsed = IdentityFile.safeParse(json);
  if (!parsed.success) return { ok: false, problem: "damaged" };
  const { origin, machineId, name } = parsed.data;
  const privateKey = fromBase64url(parsed.data.privateKey);
  if (!privateKey || !isOrigin(origin) || machineIdOf(ed25519.getPublicKey(privateKey)) !== machineId) {
    return { ok: false, problem: "damaged" };
  }
  return { ok: true, identity: { origin, machineId, privateKey, name } };
}

function isOrigin(text: string): boolean {
  return URL.canParse(text) && new URL(text).origin === text;
}
