import { parseArgs } from "node:util";
import { hashToken, newToken } from "../auth/tokens.ts";
import { type D1Target, queryD1 } from "./wrangler.ts";

const DAY_MS = 86_400_000;

type MintOptions = { origin: string; isAdmin: boolean; target: D1Target; now?: number; ttlMs?: number };

/** A fresh link and the SQL that stores its token's hash; earlier unused links minted here stop working. */
async function prepareEnrolment(options: MintOptions, onlyIfNoTechnician: boolean) {
  const now = options.now ?? Date.now();
  const expiresAt = now + (options.ttlMs ?? DAY_MS);
  const token = newToken();
  const hash = await hashToken(token);
  const guard = onlyIfNoTechnician ? " WHERE NOT EXISTS (SELECT 1 FROM technicians)" : "";
  // Both values are generated here (hex and integers), so inlining them into SQL is safe.
  const sql =
    `DELETE FROM invites WHERE created_by IS NULL AND used_at IS NULL${onlyIfNoTechnician ? " AND NOT EXISTS (SELECT 1 FROM technicians)" : ""}; ` +
    `INSERT INTO invites (token_hash, is_admin, created_by, created_at, expires_at) SELECT '${hash}', ${options.isAdmin ? 1 : 0}, NULL, ${now}, ${expiresAt}${guard}`;
  return { sql, hash, url: `${new URL(options.origin).origin}/enrol#${token}`, expiresAt };
}

/** Mints a one-time enrolment link; earlier unused links minted here stop working. Only the token's hash is stored. */
export async function mintEnrolment(options: MintOptions): Promise<{ url: string; expiresAt: number }> {
  const { sql, url, expiresAt } = await prepareEnrolment(options, false);
  await queryD1(sql, options.target);
  return { url, expiresAt };
}

/**
 * While no technician is enrolled, mints the first admin's enrolment link (null once someone is): one statement, so
 * that `npm start` spends one wrangler call on it.
 */
export async function enrolFirstAdmin(options: {
  origin: string;
  target: D1Target;
}): Promise<{ url: string; expiresAt: number } | null> {
  const { sql, hash, url, expiresAt } = await prepareEnrolment({ ...options, isAdmin: true }, true);
  const rows = await queryD1<{ n: number }>(
    `${sql}; SELECT count(*) AS n FROM invites WHERE token_hash = '${hash}'`,
    options.target,
  );
  return rows.at(-1)?.n === 1 ? { url, expiresAt } : null;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      origin: { type: "string", default: "http://localhost:8787" },
      remote: { type: "boolean", default: false },
      "persist-to": { type: "string" },
      technician: { type: "boolean", default: false },
    },
  });
  const target: D1Target = values.remote ? { remote: true } : { persistTo: values["persist-to"] };
  const { url, expiresAt } = await mintEnrolment({ origin: values.origin, isAdmin: !values.technician, target });
  console.log(
    `One-time enrolment link for ${values.technician ? "a technician" : "an admin"} (valid until ${new Date(expiresAt).toISOString()}):\n\n  ${url}\n`,
  );
}
