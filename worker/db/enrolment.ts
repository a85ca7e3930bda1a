import { hashToken, newToken } from "../auth/tokens.ts";

const DAY_MS = 86_400_000;

/**
 * While no technician is enrolled, mints a one-time link that enrols the first admin (as `npm start` does); earlier
 * unused enrolment links stop working. Only the token's hash is stored. Null once someone is enrolled.
 */
export async function firstAdminLink(
  db: D1Database,
  origin: string,
  now = Date.now(),
): Promise<{ url: string; expiresAt: number } | null> {
  const enrolled = await db.prepare("SELECT count(*) AS n FROM technicians").first<number>("n");
  if (enrolled) return null;
  const token = newToken();
  const expiresAt = now + DAY_MS;
  await db.batch([
    db.prepare("DELETE FROM invites WHERE created_by IS NULL AND used_at IS NULL"),
    db
      .prepare(
        "INSERT INTO invites (token_hash, is_admin, created_by, created_at, expires_at) VALUES (?, 1, NULL, ?, ?)",
      )
      .bind(await hashToken(token), now, expiresAt),
  ]);
  // The token travels in the fragment, which browsers never send to a server.
  return { url: `${origin}/enrol#${token}`, expiresAt };
}
