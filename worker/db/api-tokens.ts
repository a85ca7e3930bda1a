import { type ApiToken, TokenScope } from "#protocol/tokens.ts";

// D1's api_tokens: a technician's tokens, kept as SHA-256 hashes. Revoked tokens stay (revoked_at) for the console's
// history; removing the technician removes their tokens.

type TokenRow = {
  id: string;
  name: string;
  scopes: string;
  created_at: number;
  last_used_at: number | null;
};

function scopesOf(text: string): TokenScope[] {
  return text.split(" ").filter((scope): scope is TokenScope => TokenScope.safeParse(scope).success);
}

function tokenInfo(row: TokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    scopes: scopesOf(row.scopes),
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export type NewToken = {
  id: string;
  tokenHash: string;
  technicianId: string;
  name: string;
  scopes: TokenScope[];
  createdAt: number;
};

export async function insertToken(db: D1Database, token: NewToken): Promise<ApiToken> {
  const row = await db
    .prepare(
      `INSERT INTO api_tokens (id, token_hash, technician_id, name, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?)
       RETURNING id, name, scopes, created_at, last_used_at`,
    )
    .bind(token.id, token.tokenHash, token.technicianId, token.name, token.scopes.join(" "), token.createdAt)
    .first<TokenRow>();
  if (!row) throw new Error("API token not stored");
  return tokenInfo(row);
}

/** A technician's tokens that are not revoked, newest first. */
export async function listTokens(db: D1Database, technicianId: string): Promise<ApiToken[]> {
  const { results } = await db
    .prepare(
      `SELECT id, name, scopes, created_at, last_used_at FROM api_tokens
       WHERE technician_id = ? AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 100`,
    )
    .bind(technicianId)
    .all<TokenRow>();
  return results.map(tokenInfo);
}

/** Revokes one of `technicianId`'s tokens; false when they have no such live token. */
export async function revokeToken(db: D1Database, technicianId: string, id: string, now: number): Promise<boolean> {
  const result = await db
    .prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND technician_id = ? AND revoked_at IS NULL")
    .bind(now, id, technicianId)
    .run();
  return result.meta.changes > 0;
}

/** The technician a live token with `scope` acts for, as stored now; records the use. Null when none. */
export async function technicianOfToken(
  db: D1Database,
  tokenHash: string,
  scope: TokenScope,
  now: number,
): Promise<{ tokenId: string; id: string; name: string; isAdmin: boolean } | null> {
  const row = await db
    .prepare(
      `SELECT k.id AS token_id, k.scopes, t.id, t.display_name, t.is_admin
       FROM api_tokens k JOIN technicians t ON t.id = k.technician_id
       WHERE k.token_hash = ? AND k.revoked_at IS NULL`,
    )
    .bind(tokenHash)
    .first<{ token_id: string; scopes: string; id: string; display_name: string; is_admin: number }>();
  if (!row || !scopesOf(row.scopes).includes(scope)) return null;
  await db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").bind(now, row.token_id).run();
  return { tokenId: row.token_id, id: row.id, name: row.display_name, isAdmin: row.is_admin === 1 };
}
