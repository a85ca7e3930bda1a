import * as z from "zod/mini";

/** What a pending WebAuthn challenge was issued for, kept server-side until it is used or expires. */
export const PendingChallenge = z.discriminatedUnion("purpose", [
  z.object({
    purpose: z.literal("register"),
    inviteHash: z.string().check(z.length(64)),
    displayName: z.string().check(z.minLength(1), z.maxLength(80)),
    userId: z.string().check(z.minLength(1), z.maxLength(86)),
  }),
  z.object({ purpose: z.literal("add-passkey"), technicianId: z.string().check(z.minLength(1), z.maxLength(64)) }),
  z.object({ purpose: z.literal("login") }),
]);
export type PendingChallenge = z.infer<typeof PendingChallenge>;

/** Stores a challenge until `expiresAt`, clearing out expired ones first so the table stays small. */
export async function storeChallenge(
  db: D1Database,
  challenge: string,
  pending: PendingChallenge,
  now: number,
  expiresAt: number,
): Promise<void> {
  const { purpose, ...payload } = pending;
  await db.batch([
    db.prepare("DELETE FROM challenges WHERE expires_at <= ?").bind(now),
    db
      .prepare("INSERT INTO challenges (challenge, purpose, payload, expires_at) VALUES (?, ?, ?, ?)")
      .bind(challenge, purpose, JSON.stringify(payload), expiresAt),
  ]);
}

/** Deletes a challenge and returns what it was for; null when unknown, already used or expired. Single use. */
export async function takeChallenge(db: D1Database, challenge: string, now: number): Promise<PendingChallenge | null> {
  const row = await db
    .prepare("DELETE FROM challenges WHERE challenge = ? RETURNING purpose, payload, expires_at")
    .bind(challenge)
    .first<{ purpose: string; payload: string; expires_at: number }>();
  if (!row || row.expires_at <= now) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload);
  } catch {
    return null;
  }
  const parsed = PendingChallenge.safeParse({ ...(payload as object), purpose: row.purpose });
  return parsed.success ? parsed.data : null;
}
