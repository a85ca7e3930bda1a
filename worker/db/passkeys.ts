/** A passkey as verification needs it. */
export type StoredPasskey = {
  id: string;
  technicianId: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
};

/** A freshly verified passkey, ready to store. */
export type NewPasskey = { id: string; publicKey: Uint8Array; counter: number; transports: string[] };

/** A passkey as its owner sees it in the console. */
export type PasskeySummary = { id: string; name: string | null; createdAt: number; lastUsedAt: number | null };

type PasskeyRow = { id: string; technician_id: string; public_key: unknown; counter: number; transports: string };

/** D1 hands BLOBs back as arrays of numbers (or ArrayBuffers, depending on the path). */
function toBytes(value: unknown): Uint8Array<ArrayBuffer> {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) {
    const bytes = new Uint8Array(value.byteLength);
    bytes.set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    return bytes;
  }
  if (Array.isArray(value)) return new Uint8Array(value as number[]);
  throw new TypeError("passkeys.public_key is not a BLOB");
}

function parseTransports(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === "string") : [];
  } catch {
    return [];
  }
}

/** The statement that inserts a passkey for `technicianId`, if that technician exists (0 rows otherwise). */
export function insertPasskeyStatement(
  db: D1Database,
  technicianId: string,
  passkey: NewPasskey,
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      "INSERT INTO passkeys (id, technician_id, public_key, counter, transports, created_at) SELECT ?, id, ?, ?, ?, ? FROM technicians WHERE id = ?",
    )
    .bind(passkey.id, passkey.publicKey, passkey.counter, JSON.stringify(passkey.transports), now, technicianId);
}

/** True when a D1 error is the primary-key clash of a credential registered twice. */
export function isDuplicatePasskey(err: unknown): boolean {
  return err instanceof Error && /UNIQUE constraint failed: passkeys\.id/.test(err.message);
}

/** Adds a passkey to an existing technician; "missing" when the technician is gone, "duplicate" when already registered. */
export async function addPasskey(
  db: D1Database,
  technicianId: string,
  passkey: NewPasskey,
  now: number,
): Promise<"added" | "missing" | "duplicate"> {
  try {
    const result = await insertPasskeyStatement(db, technicianId, passkey, now).run();
    return result.meta.changes === 1 ? "added" : "missing";
  } catch (err) {
    if (isDuplicatePasskey(err)) return "duplicate";
    throw err;
  }
}

/** The passkey with this credential ID, or null. */
export async function findPasskey(db: D1Database, id: string): Promise<StoredPasskey | null> {
  const row = await db
    .prepare("SELECT id, technician_id, public_key, counter, transports FROM passkeys WHERE id = ?")
    .bind(id)
    .first<PasskeyRow>();
  if (!row) return null;
  return {
    id: row.id,
    technicianId: row.technician_id,
    publicKey: toBytes(row.public_key),
    counter: row.counter,
    transports: parseTransports(row.transports),
  };
}

/** A technician's passkeys, oldest first, with transports for excludeCredentials. */
export async function listPasskeys(
  db: D1Database,
  technicianId: string,
): Promise<(PasskeySummary & { transports: string[] })[]> {
  const { results } = await db
    .prepare(
      "SELECT id, name, transports, created_at, last_used_at FROM passkeys WHERE technician_id = ? ORDER BY created_at, id",
    )
    .bind(technicianId)
    .all<{ id: string; name: string | null; transports: string; created_at: number; last_used_at: number | null }>();
  return results.map((row) => ({
    id: row.id,
    name: row.name,
    transports: parseTransports(row.transports),
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  }));
}

/**
 * Records a sign-in: moves the counter from `previous` to `next` and stamps last_used_at. Compare-and-set,
 * so of two sign-ins racing with the same counter only one wins (false for the loser).
 */
export async function recordPasskeyUse(
  db: D1Database,
  id: string,
  previous: number,
  next: number,
  now: number,
): Promise<boolean> {
  const result = await db
    .prepare(
      "UPDATE passkeys SET counter = ?, last_used_at = ? WHERE id = ? AND counter = ? AND (? > counter OR (? = 0 AND counter = 0))",
    )
    .bind(next, now, id, previous, next, next)
    .run();
  return result.meta.changes === 1;
}

/**
 * Deletes one of a technician's passkeys unless it is their last, in one statement so two concurrent
 * deletions cannot both pass the count.
 */
export async function deletePasskey(
  db: D1Database,
  technicianId: string,
  id: string,
): Promise<"deleted" | "last" | "not_found"> {
  const result = await db
    .prepare(
      "DELETE FROM passkeys WHERE id = ? AND technician_id = ? AND (SELECT count(*) FROM passkeys WHERE technician_id = ?) > 1",
    )
    .bind(id, technicianId, technicianId)
    .run();
  // Not `=== 1`: the count may include the sign-ins the deletion cascades to.
  if (result.meta.changes > 0) return "deleted";
  const owned = await db
    .prepare("SELECT 1 FROM passkeys WHERE id = ? AND technician_id = ?")
    .bind(id, technicianId)
    .first();
  return owned ? "last" : "not_found";
}

/** Names one of a technician's passkeys; the renamed passkey, or null when they have none with this id. */
export async function renamePasskey(
  db: D1Database,
  technicianId: string,
  id: string,
  name: string,
): Promise<PasskeySummary | null> {
  const row = await db
    .prepare(
      "UPDATE passkeys SET name = ? WHERE id = ? AND technician_id = ? RETURNING id, name, created_at, last_used_at",
    )
    .bind(name, id, technicianId)
    .first<{ id: string; name: string | null; created_at: number; last_used_at: number | null }>();
  return row ? { id: row.id, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at } : null;
}
