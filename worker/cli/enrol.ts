import { existsSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { hashToken, newToken } from "../auth/tokens.ts";
import { mintEnrolmentLink } from "../db/enrolment.ts";
import { SqliteD1 } from "../deno/d1-sqlite.ts";
import { type D1Target, queryD1 } from "./wrangler.ts";

// `npm run enrol`: a one-time enrolment link, written where the server will look for it: wrangler's D1 (local dev
// state, or the deployed database with --remote) or, with --deno, the Deno host's SQLite file.

const DAY_MS = 86_400_000;
const root = path.resolve(import.meta.dirname, "../..");

/** The Deno host's data folder when TETHER_DATA_DIR is not set, as worker/deno/main.ts has it. */
export const DENO_DATA_DIR = path.join(root, ".tether-deno");

/** Where a link is stored: wrangler's D1 (local state or deployed), or the data folder of a Deno host. */
export type EnrolTarget = D1Target | { denoDataDir: string };

/** Writes the link into the Deno host's D1 file through the same query module the server uses. */
async function mintForDeno(
  dataDir: string,
  origin: string,
  options: { isAdmin: boolean; now?: number; ttlMs?: number },
): Promise<{ url: string; expiresAt: number }> {
  const file = path.join(dataDir, "d1.sqlite");
  // The host creates and migrates this file when it starts; a link in a file it never opens would enrol nobody.
  if (!existsSync(file)) {
    throw new Error(
      `there is no Deno host database at ${file}; start the host once (npm run start:deno), or pass --data-dir with its TETHER_DATA_DIR`,
    );
  }
  // The running host has the file open too; SQLite locks it for our one short transaction (waiting if the host writes).
  const sqlite = new DatabaseSync(file, { enableForeignKeyConstraints: true, timeout: 5000 });
  try {
    return await mintEnrolmentLink(new SqliteD1(sqlite), origin, options);
  } finally {
    sqlite.close();
  }
}

/** Mints a one-time enrolment link; earlier unused links minted here stop working. Only the token's hash is stored. */
export async function mintEnrolment(options: {
  origin: string;
  isAdmin: boolean;
  target: EnrolTarget;
  now?: number;
  ttlMs?: number;
}): Promise<{ url: string; expiresAt: number }> {
  const origin = new URL(options.origin).origin;
  if ("denoDataDir" in options.target) return mintForDeno(options.target.denoDataDir, origin, options);
  const now = options.now ?? Date.now();
  const expiresAt = now + (options.ttlMs ?? DAY_MS);
  const token = newToken();
  const hash = await hashToken(token);
  // Both values are generated here (hex and integers), so inlining them into SQL is safe.
  await queryD1(
    `DELETE FROM invites WHERE created_by IS NULL AND used_at IS NULL; INSERT INTO invites (token_hash, is_admin, created_by, created_at, expires_at) VALUES ('${hash}', ${options.isAdmin ? 1 : 0}, NULL, ${now}, ${expiresAt})`,
    options.target,
  );
  return { url: `${origin}/enrol#${token}`, expiresAt };
}

function fail(message: string): never {
  console.error(`\nNo enrolment link: ${message}\n`);
  process.exit(1);
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      origin: { type: "string" },
      remote: { type: "boolean", default: false },
      "persist-to": { type: "string" },
      deno: { type: "boolean", default: false },
      "data-dir": { type: "string" },
      technician: { type: "boolean", default: false },
    },
  });
  if (values.deno && (values.remote || values["persist-to"] !== undefined)) {
    fail("--deno writes the Deno host's database; --remote and --persist-to are for wrangler's D1");
  }
  if (values["data-dir"] !== undefined && !values.deno) fail("--data-dir is a Deno host's data folder; add --deno");
  const target: EnrolTarget = values.deno
    ? { denoDataDir: path.resolve(values["data-dir"] ?? process.env.TETHER_DATA_DIR ?? DENO_DATA_DIR) }
    : values.remote
      ? { remote: true }
      : { persistTo: values["persist-to"] };
  // Where the server listens by default: PORT, as `npm start` and `npm run start:deno` read it, else their default.
  const origin = values.origin ?? `http://localhost:${process.env.PORT ?? (values.deno ? 8000 : 8787)}`;
  const { url, expiresAt } = await mintEnrolment({ origin, isAdmin: !values.technician, target }).catch(
    (err: unknown) => fail(err instanceof Error ? err.message : String(err)),
  );
  console.log(
    `One-time enrolment link for ${values.technician ? "a technician" : "an admin"} (valid until ${new Date(expiresAt).toISOString()}):\n\n  ${url}\n`,
  );
}
