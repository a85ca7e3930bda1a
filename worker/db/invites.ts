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

/** An invite not yet used nor expired, as the admin console lists it (by its token's hash, never the token). */
export type OpenInviteRow = {
  tokenHash: string;
  isAdmin: boolean;
  createdAt: number;
  expiresAt: number;
  createdBy: string | null;
};

/** The open invites at `now` (at most 500), newest first, with the name of the admin who made each. */
export async function listOpenInvites(db: D1Database, now: number): Promise<OpenInviteRow[]> {
  const { results } = await db
    .prepare(
      `SELECT i.token_hash, i.is_admin, i.created_at, i.expires_at, t.display_name AS created_by
       FROM invites i LEFT JOIN technicians t ON t.id = i.created_by
       WHERE i.used_at IS NULL AND i.expires_at > ? ORDER BY i.created_at DESC LIMIT 500`,
    )
    .bind(now)
    .all<{ token_hash: string; is_admin: number; created_at: number; expires_at: number; created_by: string | null }>();
  return results.map((row) => ({
    tokenHash: row.token_hash,
    isAdmin: row.is_admin === 1,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    createdBy: row.created_by,
  }));
}

/** Deletes an unused invite so its link enrols no one; false when there is no such open invite. */
export async function revokeInvite(db: D1Database, tokenHash: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM invites WHERE token_hash = ? AND used_at IS NULL").bind(tokenHash).run();
  return result.meta.changes > 0;
}
