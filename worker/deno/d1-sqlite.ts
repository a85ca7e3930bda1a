import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";

// D1's API over a node:sqlite database, as far as worker/db/*.ts uses it (prepare, bind, first, all, run, raw,
// batch), so that the same query modules and migrations serve the Deno host and `npm start`'s local database. D1 is
// SQLite: the SQL is unchanged. node:sqlite is synchronous, so a batch runs start to end without another request in between, like D1's.

type Row = Record<string, unknown>;

/**
 * Distinct SQL texts whose prepared statements a database keeps. The queries of worker/db/*.ts are a few dozen
 * fixed strings; SQL beyond this many is prepared for each use instead.
 */
const MAX_CACHED_STATEMENTS = 128;

/** A migration file of worker/db/migrations: its name and its SQL. */
export type Migration = { name: string; sql: string };

/** D1 takes booleans and ArrayBuffers, and refuses undefined; node:sqlite takes neither of the first two. */
function toSqlite(value: unknown, index: number): SQLInputValue {
  if (value === null || typeof value === "number" || typeof value === "string" || typeof value === "bigint") {
    return value;
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`D1_TYPE_ERROR: Type '${typeof value}' not supported for value at position ${index + 1}`);
}

/** D1 answers BLOBs as arrays of byte values. */
function fromSqlite(row: Row): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) out[key] = value instanceof Uint8Array ? [...value] : value;
  return out;
}

// Plain fields rather than parameter properties, so that Node runs this file by stripping types (npm start uses it).
class SqliteStatement implements D1PreparedStatement {
  private readonly db: SqliteD1;
  readonly sql: string;
  readonly values: SQLInputValue[];

  constructor(db: SqliteD1, sql: string, values: SQLInputValue[] = []) {
    this.db = db;
    this.sql = sql;
    this.values = values;
  }

  bind(...values: unknown[]): D1PreparedStatement {
    return new SqliteStatement(this.db, this.sql, values.map(toSqlite));
  }

  first<T = unknown>(colName: string): Promise<T | null>;
  first<T = Row>(): Promise<T | null>;
  async first<T>(colName?: string): Promise<T | null> {
    const [row] = this.db.execute(this.sql, this.values).rows;
    if (!row) return null;
    if (colName === undefined) return row as T;
    if (!(colName in row)) throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${colName})`);
    return row[colName] as T;
  }

  async run<T = Row>(): Promise<D1Result<T>> {
    return this.db.result<T>(this.sql, this.values);
  }

  async all<T = Row>(): Promise<D1Result<T>> {
    return this.db.result<T>(this.sql, this.values);
  }

  raw<T = unknown[]>(options: { columnNames: true }): Promise<[string[], ...T[]]>;
  raw<T = unknown[]>(options?: { columnNames?: false }): Promise<T[]>;
  async raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<[string[], ...T[]] | T[]> {
    const { rows, columns } = this.db.execute(this.sql, this.values);
    const values = rows.map((row) => Object.values(row) as T);
    return options?.columnNames ? [columns, ...values] : values;
  }
}

/**
 * A D1Database backed by one node:sqlite database. Each SQL text is prepared once and its statement reused: a
 * statement holds a few kB of native memory that V8 does not see, so one prepared per query piles up until a full
 * garbage collection (hundreds of them a minute under load), and the allocator keeps that high-water mark.
 */
export class SqliteD1 implements D1Database {
  private readonly sqlite: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();

  constructor(sqlite: DatabaseSync) {
    this.sqlite = sqlite;
  }

  prepare(query: string): D1PreparedStatement {
    return new SqliteStatement(this, query);
  }

  /** Runs the statements in one transaction: all of them, or none if one fails (the error is rethrown). */
  async batch<T = unknown>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
    const own = statements.map((statement) => {
      if (!(statement instanceof SqliteStatement)) throw new TypeError("D1 batch: a statement of another database");
      return statement;
    });
    this.sqlite.exec("BEGIN");
    try {
      const results = own.map((statement) => this.result<T>(statement.sql, statement.values));
      this.sqlite.exec("COMMIT");
      return results;
    } catch (err) {
      this.sqlite.exec("ROLLBACK");
      throw err;
    }
  }

  async exec(query: string): Promise<D1ExecResult> {
    const started = performance.now();
    this.sqlite.exec(query);
    // D1 counts the statements it ran; semicolons separate them in the SQL this project writes.
    const count = query.split(";").filter((part) => part.trim() !== "").length;
    return { count, duration: performance.now() - started };
  }

  withSession(): D1DatabaseSession {
    // One local database has no replicas: a session is the database itself.
    return {
      prepare: (query) => this.prepare(query),
      batch: (statements) => this.batch(statements),
      getBookmark: () => null,
    };
  }

  async dump(): Promise<ArrayBuffer> {
    throw new Error("D1 dump() is not supported by the Deno host; copy the SQLite file instead");
  }

  /** Runs one statement; its rows (BLOBs as byte arrays) and column names. */
  execute(
    sql: string,
    values: SQLInputValue[],
  ): { rows: Row[]; columns: string[]; changes: number; lastRowId: number } {
    const statement = this.statement(sql);
    const before = this.counters();
    const rows = (statement.all(...values) as Row[]).map(fromSqlite);
    const after = this.counters();
    return {
      rows,
      columns: statement.columns().map((column) => column.name),
      changes: after.changes - before.changes,
      lastRowId: after.lastRowId,
    };
  }

  /** One statement's D1Result. */
  result<T>(sql: string, values: SQLInputValue[]): D1Result<T> {
    const started = performance.now();
    const { rows, changes, lastRowId } = this.execute(sql, values);
    return {
      success: true,
      results: rows as T[],
      meta: {
        duration: performance.now() - started,
        size_after: 0,
        rows_read: rows.length,
        rows_written: changes,
        last_row_id: lastRowId,
        changed_db: changes > 0,
        changes,
      },
    };
  }

  /** The prepared statement of `sql`, prepared on first use. */
  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.sqlite.prepare(sql);
      if (this.statements.size < MAX_CACHED_STATEMENTS) this.statements.set(sql, statement);
    }
    return statement;
  }

  private counters(): { changes: number; lastRowId: number } {
    const row = this.statement("SELECT total_changes() AS changes, last_insert_rowid() AS id").get() as {
      changes: number;
      id: number;
    };
    return { changes: row.changes, lastRowId: row.id };
  }
}

/** The migration files in `dir` (worker/db/migrations), by name. */
export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".sql"))
    .map((name) => ({ name, sql: readFileSync(path.join(dir, name), "utf8") }));
}

/**
 * Applies the migrations not yet applied, in name order, each in its own transaction, recording them in
 * d1_migrations as `wrangler d1 migrations apply` does. Returns the names it applied.
 */
export function applyMigrations(sqlite: DatabaseSync, migrations: Migration[]): string[] {
  sqlite.exec(`CREATE TABLE IF NOT EXISTS d1_migrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT UNIQUE,
    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
  )`);
  const applied = new Set(
    (sqlite.prepare("SELECT name FROM d1_migrations").all() as { name: string }[]).map((row) => row.name),
  );
  const done: string[] = [];
  for (const migration of [...migrations].sort((a, b) => a.name.localeCompare(b.name))) {
    if (applied.has(migration.name)) continue;
    sqlite.exec("BEGIN");
    try {
      sqlite.exec(migration.sql);
      sqlite.prepare("INSERT INTO d1_migrations (name) VALUES (?)").run(migration.name);
      sqlite.exec("COMMIT");
    } catch (err) {
      sqlite.exec("ROLLBACK");
      throw new Error(`Migration ${migration.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    done.push(migration.name);
  }
  return done;
}
