import { parseArgs } from "node:util";
import { hashToken, newToken } from "../auth/tokens.ts";
import { type D1Target, queryD1 } from "./wrangler.ts";

const DAY_MS = 86_400_000;

/** Mints a one-time enrolment link; earlier unused links minted here stop working. Only the token's hash is stored. */
export async function mintEnrolment(options: {
  origin: string;
  isAdmin: boolean;
  target: D1Target;
  now?: number;
  ttlMs?: number;
}): Promise<{ url: string; expiresAt: number }> {
  const now = options.now ?? Date.now();
  const expiresAt = now + (options.ttlMs ?? DAY_MS);
  const token = newToken();
  const hash = await hashToken(token);
  // Both values are generated here (hex and integers), so inlining them into SQL is safe.
  await queryD1(
    `DELETE FROM invites WHERE created_by IS NULL AND used_at IS NULL; INSERT INTO invites (token_hash, is_admin, created_by, created_at, expires_at) VALUES ('${hash}', ${options.isAdmin ? 1 : 0}, NULL, ${now}, ${expiresAt})`,
    options.target,
  );
  return { url: `${new URL(options.origin).origin}/enrol#${token}`, expiresAt };
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
