/** An invite as stored: only the SHA-256 of its token is ever kept. */
export type Invite = { tokenHash: string; isAdmin: boolean; expiresAt: number; usedAt: number | null };

/** The invite whose token hashes to `tokenHash`, or null. */
export async function findInvite(db: D1Database, tokenHash: string): Promise<Invite | null> {
  const row = await db
    .prepare("SELECT token_hash, is_admin, expires_at, used_at FROM invites WHERE token_hash = ?")
    .bind(tokenHash)
    .first<{ token_hash: string; is_admin: number; expires_at: number; used_at: number | null }>();
  if (!row) return null;
  return { tokenHash: row.token_hash, isAdmin: row.is_admin === 1, expiresAt: row.expires_at, usedAt: row.used_at };
}

/** Stores a new invite by its token's hash. */
export async function insertInvite(
  db: D1Database,
  invite: { tokenHash: string; isAdmin: boolean; createdBy: string | null; createdAt: number; expiresAt: number },
): Promise<void> {
  await db
    .prepare("INSERT INTO invites (token_hash, is_admin, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
    .bind(invite.tokenHash, invite.isAdmin ? 1 : 0, invite.createdBy, invite.createdAt, invite.expiresAt)
    .run();
}
