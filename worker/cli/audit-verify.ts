import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { lineHash } from "../../durable-objects/audit-log/entry.ts";
import { verifyConsistency, verifyInclusion } from "../../durable-objects/audit-log/merkle.ts";
import {
  fromBase64,
  openCheckpoint,
  parseVerifierKey,
  type VerifierKey,
  verifierKeyOf,
} from "../../durable-objects/audit-log/note.ts";
import { type LogVerdict, verifyLog } from "../../durable-objects/audit-log/verify.ts";
import { auditSigner } from "../config.ts";
import { readCheckpoints, readLines } from "../db/audit.ts";
import { SqliteD1 } from "../deno/d1-sqlite.ts";
import { parseWranglerVars } from "../deno/wrangler-vars.ts";
import { DENO_DATA_DIR } from "./enrol.ts";
import { localDatabaseId, localObjectId } from "./local-d1.ts";

// `npm run audit:verify`: checks an audit log end to end against a pinned key. Where the log is read from:
//   (default)          the local dev state of `npm start` (PERSIST_TO or .wrangler/state), or --persist-to DIR
//   --deno [--data-dir] the Deno host's database (TETHER_DATA_DIR or .tether-deno)
//   --sqlite FILE      any SQLite file holding the log's tables
//   --remote URL       a deployed Worker, as an admin: the `tether_session` cookie in TETHER_SESSION
//   --file FILE        an export (GET /api/audit/export): a header line with the checkpoints, then the entries
// The key is --key or AUDIT_VERIFIER_KEY (what `npm start` prints); for local state it defaults to the one .dev.vars
// holds. --checkpoint FILE keeps the latest checkpoint between runs: the log must extend the one saved there.
// Exit codes: 0 sound, 1 tampered (the first bad entry is named), 2 could not check.

const root = path.resolve(import.meta.dirname, "../..");

type Source =
  | { kind: "sqlite"; file: string }
  | { kind: "remote"; url: string; session: string }
  | { kind: "file"; file: string };

/** A log as the verifier reads it. */
type LoadedLog = { lines: string[]; checkpoints: string[] };

class UsageError extends Error {}

/** The verifier key of the dev signing key in .dev.vars, named as wrangler.toml names the log. */
export function devVerifierKey(dir = root): string | null {
  const devVars = path.join(dir, ".dev.vars");
  if (!existsSync(devVars)) return null;
  const key = readFileSync(devVars, "utf8").match(/^AUDIT_SIGNING_KEY=(.*)$/m)?.[1];
  const vars = parseWranglerVars(readFileSync(path.join(dir, "wrangler.toml"), "utf8"));
  const signer = auditSigner({ ...(vars.ok ? vars.vars : {}), AUDIT_SIGNING_KEY: key });
  return signer.ok ? verifierKeyOf(signer.signer) : null;
}

async function loadSqlite(file: string): Promise<LoadedLog> {
  if (!existsSync(file)) throw new UsageError(`there is no database at ${file}`);
  const sqlite = new DatabaseSync(file, { readOnly: true, timeout: 5000 });
  try {
    const db = new SqliteD1(sqlite);
    const [lines, checkpoints] = await Promise.all([readLines(db), readCheckpoints(db)]);
    return { lines, checkpoints };
  } catch (err) {
    throw new UsageError(`the audit log could not be read from ${file}: ${err instanceof Error ? err.message : err}`);
  } finally {
    sqlite.close();
  }
}

/** Parses an export: the header line `{"checkpoints":[...]}`, then one entry per line. */
export function parseExport(text: string): LoadedLog {
  const [header, ...rest] = text.split("\n");
  let checkpoints: unknown;
  try {
    checkpoints = (JSON.parse(header ?? "") as { checkpoints?: unknown }).checkpoints;
  } catch {
    checkpoints = undefined;
  }
  if (!Array.isArray(checkpoints) || !checkpoints.every((note) => typeof note === "string")) {
    throw new UsageError('the export does not start with a {"checkpoints": [...]} line');
  }
  // The last line ends with a newline; nothing else may be empty.
  const lines = rest.at(-1) === "" ? rest.slice(0, -1) : rest;
  return { lines, checkpoints };
}

async function getJson<T>(source: Extract<Source, { kind: "remote" }>, pathAndQuery: string): Promise<T> {
  const res = await fetch(new URL(pathAndQuery, source.url), {
    headers: { cookie: `tether_session=${source.session}` },
  });
  if (!res.ok) throw new UsageError(`${pathAndQuery} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as T;
}

async function loadRemote(source: Extract<Source, { kind: "remote" }>): Promise<LoadedLog> {
  const res = await fetch(new URL("/api/audit/export", source.url), {
    headers: { cookie: `tether_session=${source.session}` },
  });
  if (!res.ok) throw new UsageError(`the export answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return parseExport(await res.text());
}

/** Checks the server's own proofs against the verified tree: consistency from the saved size, inclusion of the last. */
async function checkRemoteProofs(
  source: Extract<Source, { kind: "remote" }>,
  verdict: Extract<LogVerdict, { ok: true }>,
  saved: { size: number; root: Uint8Array } | null,
  lastLeaf: Uint8Array | null,
): Promise<string | null> {
  const checkpoint = verdict.checkpoint;
  if (!checkpoint || checkpoint.size === 0) return null;
  const decode = (hashes: string[]) => hashes.map((h) => fromBase64(h) ?? new Uint8Array(0));
  if (saved && saved.size > 0) {
    const { proof } = await getJson<{ proof: string[] }>(
      source,
      `/api/audit/proof/consistency?from=${saved.size}&to=${checkpoint.size}`,
    );
    if (!verifyConsistency(saved.size, checkpoint.size, decode(proof), saved.root, checkpoint.root)) {
      return "the server's consistency proof from the saved checkpoint does not verify";
    }
  }
  const seq = checkpoint.size - 1;
  const { proof } = await getJson<{ proof: string[] }>(
    source,
    `/api/audit/proof/inclusion?seq=${seq}&size=${checkpoint.size}`,
  );
  if (!lastLeaf || !verifyInclusion(lastLeaf, seq, checkpoint.size, decode(proof), checkpoint.root)) {
    return "the server's inclusion proof of the last entry does not verify";
  }
  return null;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      remote: { type: "string" },
      file: { type: "string" },
      sqlite: { type: "string" },
      deno: { type: "boolean", default: false },
      "data-dir": { type: "string" },
      "persist-to": { type: "string" },
      key: { type: "string" },
      checkpoint: { type: "string" },
      "print-key": { type: "boolean", default: false },
    },
  });
  if (values["print-key"]) {
    const key = devVerifierKey();
    if (!key) throw new UsageError(".dev.vars holds no AUDIT_SIGNING_KEY yet; run npm start once");
    console.log(key);
    return 0;
  }
  const chosen = [values.remote, values.file, values.sqlite, values.deno || undefined].filter((v) => v !== undefined);
  if (chosen.length > 1) throw new UsageError("choose one of --remote, --file, --sqlite and --deno");
  let source: Source;
  if (values.remote !== undefined) {
    const session = process.env.TETHER_SESSION;
    if (!session)
      throw new UsageError("--remote needs an admin's sign-in: the tether_session cookie in TETHER_SESSION");
    source = { kind: "remote", url: new URL(values.remote).origin, session };
  } else if (values.file !== undefined) {
    source = { kind: "file", file: path.resolve(values.file) };
  } else if (values.sqlite !== undefined) {
    source = { kind: "sqlite", file: path.resolve(values.sqlite) };
  } else if (values.deno) {
    const dataDir = path.resolve(values["data-dir"] ?? process.env.TETHER_DATA_DIR ?? DENO_DATA_DIR);
    source = { kind: "sqlite", file: path.join(dataDir, "d1.sqlite") };
  } else {
    const stateDir = path.resolve(values["persist-to"] ?? process.env.PERSIST_TO ?? path.join(root, ".wrangler/state"));
    const id = localDatabaseId(readFileSync(path.join(root, "wrangler.toml"), "utf8"));
    const name = `${localObjectId("miniflare-D1DatabaseObject", id)}.sqlite`;
    source = { kind: "sqlite", file: path.join(stateDir, "v3/d1/miniflare-D1DatabaseObject", name) };
  }

  const keyText = values.key ?? process.env.AUDIT_VERIFIER_KEY ?? (source.kind === "sqlite" ? devVerifierKey() : null);
  if (!keyText) throw new UsageError("pin the log's key with --key or AUDIT_VERIFIER_KEY (npm start prints it)");
  const key: VerifierKey | null = parseVerifierKey(keyText);
  if (!key) throw new UsageError("the key is not an Ed25519 verifier key (name+id+key)");

  const savedFile = values.checkpoint ? path.resolve(values.checkpoint) : null;
  const saved = savedFile && existsSync(savedFile) ? readFileSync(savedFile, "utf8") : null;

  const log =
    source.kind === "sqlite"
      ? await loadSqlite(source.file)
      : source.kind === "file"
        ? parseExport(readFileSync(source.file, "utf8"))
        : await loadRemote(source);
  const verdict = verifyLog({ ...log, key, saved });
  if (!verdict.ok) {
    const where =
      verdict.seq === null
        ? ""
        : verdict.upTo !== null && verdict.upTo > verdict.seq
          ? ` (entries ${verdict.seq} to ${verdict.upTo})`
          : ` (entry ${verdict.seq})`;
    console.error(`Audit log TAMPERED${where}: ${verdict.message}`);
    return 1;
  }
  if (source.kind === "remote") {
    const opened = saved ? openCheckpoint(saved, key) : null;
    const last = log.lines.at(-1);
    const problem = await checkRemoteProofs(
      source,
      verdict,
      opened?.ok ? opened.checkpoint : null,
      last ? lineHash(last) : null,
    );
    if (problem) {
      console.error(`Audit log TAMPERED: ${problem}.`);
      return 1;
    }
  }
  if (savedFile && verdict.note) writeFileSync(savedFile, verdict.note);
  console.log(
    `Audit log sound: ${verdict.size} entries, every link, leaf and root checked against ${key.name}${saved ? ", extending the saved checkpoint" : ""}.`,
  );
  return 0;
}

if (import.meta.main) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`The audit log could not be checked: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(2);
    },
  );
}
