import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { AuditInput } from "#protocol/audit.ts";
import { AuditWriter } from "../../durable-objects/audit-log/AuditWriter.ts";
import {
  type NoteSigner,
  parseVerifierKey,
  type VerifierKey,
  verifierKeyOf,
} from "../../durable-objects/audit-log/note.ts";
import { applyMigrations, readMigrations, SqliteD1 } from "../../worker/deno/d1-sqlite.ts";

// An audit log in an in-memory SQLite database with the real migrations, its writer on a clock the test moves, and
// the ways an attacker with raw access to storage would tamper with it.

const root = path.resolve(import.meta.dirname, "../..");

export const TEST_SIGNER: NoteSigner = { name: "tether.test/audit", seed: new Uint8Array(32).fill(5) };
export const TEST_KEY: VerifierKey = parseVerifierKey(verifierKeyOf(TEST_SIGNER)) as VerifierKey;

/** A database with every migration applied. */
export function migratedDatabase(file = ":memory:"): DatabaseSync {
  const sqlite = new DatabaseSync(file);
  applyMigrations(sqlite, readMigrations(path.join(root, "worker/db/migrations")));
  return sqlite;
}

export type TestLog = {
  sqlite: DatabaseSync;
  db: SqliteD1;
  writer: AuditWriter;
  clock: { now: number };
  /** Makes the next batch fail before it runs (nothing stored) or after it committed (stored, answer lost). */
  failNext(when: "before" | "after"): void;
};

/** A fresh log (or the one in `sqlite`) and its writer, signing with `signer`. */
export function testLog(sqlite = migratedDatabase(), signer: NoteSigner = TEST_SIGNER): TestLog {
  const db = new SqliteD1(sqlite);
  const clock = { now: 1_700_000_000_000 };
  let failure: "before" | "after" | null = null;
  const flaky = {
    prepare: (query: string) => db.prepare(query),
    batch: async (statements: D1PreparedStatement[]) => {
      const when = failure;
      failure = null;
      if (when === "before") throw new Error("connection lost before the write");
      const results = await db.batch(statements);
      if (when === "after") throw new Error("connection lost after the write");
      return results;
    },
  } as unknown as D1Database;
  const writer = new AuditWriter({
    db: flaky,
    signer,
    now: () => clock.now,
  });
  return {
    sqlite,
    db,
    writer,
    clock,
    failNext: (when) => {
      failure = when;
    },
  };
}

/** A typical event, varied by `i`. */
export function sampleInput(i: number): AuditInput {
  const types = ["sign_in_succeeded", "session_created", "handshake_succeeded", "passkey_added"] as const;
  return {
    actor: `technician:tech-${i % 3}`,
    session: i % 2 === 0 ? String(100_000_000 + i) : null,
    type: types[i % types.length] as AuditInput["type"],
    data: { technician: `tech-${i % 3}`, n: i },
  };
}

/** Stored lines and checkpoints, as a verifier reads them. */
export function storedLog(sqlite: DatabaseSync): { lines: string[]; checkpoints: string[] } {
  const lines = (sqlite.prepare("SELECT entry FROM audit_entries ORDER BY seq").all() as { entry: string }[]).map(
    (row) => row.entry,
  );
  const kept = sqlite.prepare("SELECT note FROM audit_checkpoints ORDER BY size").all() as { note: string }[];
  const head = sqlite.prepare("SELECT note FROM audit_head").all() as { note: string }[];
  const checkpoints = [...kept, ...head].map((row) => row.note);
  return { lines, checkpoints };
}

/** Drops the append-only triggers, as someone with raw access to the database can. */
export function dropGuards(sqlite: DatabaseSync): void {
  for (const name of [
    "audit_entries_no_update",
    "audit_entries_no_delete",
    "audit_checkpoints_no_update",
    "audit_checkpoints_no_delete",
  ]) {
    sqlite.exec(`DROP TRIGGER IF EXISTS ${name}`);
  }
}
