/** Remembers a minted relay credential so it can be revoked when its session ends. */
export async function recordTurnCredential(
  db: D1Database,
  code: string,
  username: string,
  expiresAt: number,
): Promise<void> {
  await db
    .prepare("INSERT OR IGNORE INTO turn_credentials (username, code, expires_at) VALUES (?, ?, ?)")
    .bind(username, code, expiresAt)
    .run();
}

/** The still-valid relay credentials of a session. */
export async function listTurnCredentials(db: D1Database, code: string, now: number): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT username FROM turn_credentials WHERE code = ? AND expires_at > ? LIMIT 500")
    .bind(code, now)
    .all<{ username: string }>();
  return results.map((r) => r.username);
}

/** Forgets credentials that were revoked or have expired anyway. */
export async function forgetTurnCredentials(db: D1Database, code: string): Promise<void> {
  await db.prepare("DELETE FROM turn_credentials WHERE code = ?").bind(code).run();
}
