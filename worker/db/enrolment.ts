import { hashToken, newToken } from "../auth/tokens.ts";

const DAY_MS = 86_400_000;

/**
 * Mints a one-time link that enrols an admin or a technician, valid for `ttlMs`; earlier unused links minted this way
 * (not the console's invites) stop working. Only the token's hash is stored.
 */
export async function mintEnrolmentLink(
  db: D1Database,
  origin: string,
  options: { isAdmin: boolean; now?: number; ttlMs?: number },
): Promise<{ url: string; expiresAt: number }> {
  const now = options.now ?? Date.now();
  const token = newToken();
  const expiresAt = now + (options.ttlMs ?? DAY_MS);
  await db.batch([
    db.prepare("DELETE FROM invites WHERE created_by IS NULL AND used_at IS NULL"),
    db
      .prepare(
        "INSERT INTO invites (token_hash, is_admin, created_by, created_at, expires_at) VALUES (?, ?, NULL, ?, ?)",
      )
      .bind(await hashToken(token), options.isAdmin ? 1 : 0, now, expiresAt),
  ]);
  // The token travels in the fragment, which browsers never send to a server.
  return { url: `${origin}/enrol#${token}`, expiresAt };
}

/**
 * While no technician is enrolled, mints a one-time link that enrols the first admin (as `npm start` does); earlier
 * unused enrolment links stop working. Null once someone is enrolled.
 */
export async function firstAdminLink(
  db: D1Database,
  origin: string,
  now = Date.now(),
): Promise<{ url: string; expiresAt: number } | null> {
  const enrolled = await db.prepare("SELECT count(*) AS n FROM technicians").first<number>("n");
  if (enrolled) return null;
  return mintEnrolmentLink(db, origin, { isAdmin: true, now });
}
