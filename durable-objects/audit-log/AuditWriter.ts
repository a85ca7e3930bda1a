import type { AuditInput } from "#protocol/audit.ts";
import {
  insertCheckpointStatement,
  insertEntryStatement,
  latestKeptAt,
  readHead,
  readLines,
  setHeadStatement,
} from "../../worker/db/audit.ts";
import { formatEntry, GENESIS_PREV, lineHash, nextEntry, readEntry, toHex } from "./entry.ts";
import { equalHashes, Frontier } from "./merkle.ts";
import { type NoteSigner, openCheckpoint, parseVerifierKey, signCheckpoint, verifierKeyOf } from "./note.ts";

/** While the log grows, a checkpoint is kept in its history at least this often. */
export const CHECKPOINT_INTERVAL_MS = 60_000;

/** What a host lends the log's writer: the database, the signing key and a clock. */
export type AuditWriterRuntime = {
  db: D1Database;
  /** The log's key; its name is the checkpoints' origin. */
  signer: NoteSigner;
  now(): number;
};

/** The writer's cache of storage: where the chain and the tree stand, and when a checkpoint was last kept. */
type LogHead = { frontier: Frontier; prev: string; keptAt: number | null };

/**
 * The one writer of an organisation's audit log, on any runtime. Appends run one at a time: each numbers, times and
 * links its entry, signs the new tree's checkpoint, and writes both in one atomic batch (the checkpoint replacing the
 * head, and kept in the history once a minute and at each session's end) before it answers. So every stored entry
 * is covered by a signed checkpoint, an acknowledged entry is stored, and a crash leaves either the whole append or
 * none of it. A failed write drops the cache; the next append reads the log back and checks it against the head it
 * signed, so it never signs over entries it did not write.
 */
export class AuditWriter {
  private head: LogHead | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly runtime: AuditWriterRuntime) {}

  /** Appends one entry; resolves with its seq once it is stored. */
  append(input: AuditInput): Promise<number> {
    return this.run(async () => {
      const head = await this.load();
      const { db, signer } = this.runtime;
      const now = this.runtime.now();
      const seq = head.frontier.size;
      const entry = nextEntry(input, seq, now, head.prev);
      const line = formatEntry(entry);
      const hash = lineHash(line);
      const frontier = head.frontier.copy();
      frontier.push(hash);
      const note = signCheckpoint({ origin: signer.name, size: frontier.size, root: frontier.root() }, signer);
      const isKept =
        input.type === "session_ended" || head.keptAt === null || now >= head.keptAt + CHECKPOINT_INTERVAL_MS;
      const statements = [insertEntryStatement(db, entry, line), setHeadStatement(db, frontier.size, note)];
      if (isKept) statements.push(insertCheckpointStatement(db, frontier.size, note, now));
      try {
        await db.batch(statements);
      } catch (err) {
        this.head = null;
        throw err;
      }
      this.head = { frontier, prev: toHex(hash), keptAt: isKept ? now : head.keptAt };
      return seq;
    });
  }

  /** Runs `task` after every earlier one: a Durable Object's RPCs interleave at each await otherwise. */
  private run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** The head, read back from storage when not cached: every line is hashed again and must chain up to the head. */
  private async load(): Promise<LogHead> {
    if (this.head) return this.head;
    const { db, signer } = this.runtime;
    const [lines, stored, keptAt] = await Promise.all([readLines(db), readHead(db), latestKeptAt(db)]);
    const frontier = new Frontier();
    let prev = GENESIS_PREV;
    const damaged = (where: string) =>
      new Error(`The audit log is damaged ${where}; run npm run audit:verify to see where.`);
    for (const [index, line] of lines.entries()) {
      const read = readEntry(line);
      // Appending after a broken log would sign over the damage: refuse.
      if (!read.ok || read.entry.seq !== index || read.entry.prev !== prev) throw damaged(`at entry ${index}`);
      const hash = lineHash(line);
      frontier.push(hash);
      prev = toHex(hash);
    }
    if (stored || lines.length > 0) {
      const key = parseVerifierKey(verifierKeyOf(signer));
      const opened = stored && key ? openCheckpoint(stored.note, key) : null;
      const isSigned =
        opened?.ok && opened.checkpoint.size === frontier.size && equalHashes(opened.checkpoint.root, frontier.root());
      if (!isSigned) throw damaged("(its entries are not the ones its head checkpoint signed)");
    }
    this.head = { frontier, prev, keptAt };
    return this.head;
  }
}
