import type { AuditInput } from "#protocol/audit.ts";
import { insertCheckpointStatement, insertEntryStatement, latestCheckpoint, readLines } from "../../worker/db/audit.ts";
import { formatEntry, GENESIS_PREV, lineHash, nextEntry, readEntry, toHex } from "./entry.ts";
import { Frontier } from "./merkle.ts";
import { type NoteSigner, signCheckpoint } from "./note.ts";

/** A log that grows is signed at least this often. */
export const CHECKPOINT_INTERVAL_MS = 60_000;

/** What a host lends the log's writer: the database, the signing key, a clock and one wake-up. */
export type AuditWriterRuntime = {
  db: D1Database;
  /** The log's key; its name is the checkpoints' origin. */
  signer: NoteSigner;
  now(): number;
  /** Asks for `tick()` at `at` or soon after (the Durable Object's alarm, a timer on Deno); a later ask replaces it. */
  wakeAt(at: number): Promise<void>;
};

/**
 * The writer's cache of storage: where the chain and the tree stand, and the size last signed (-1 before the first
 * checkpoint, so that an empty log gets one too).
 */
type LogHead = { frontier: Frontier; prev: string; signedSize: number; firstUnsignedAt: number | null };

/**
 * The one writer of an organisation's audit log, on any runtime. Appends run one at a time: each numbers, times and
 * links its entry, writes it (with a checkpoint when one is due, in the same atomic batch) and only then answers, so
 * an acknowledged entry is stored. A failed write drops the cache, and the next append reads the log back: whatever
 * did or did not land, the next entry follows the last stored one, with no gap and no repeat.
 */
export class AuditWriter {
  private head: LogHead | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly runtime: AuditWriterRuntime) {}

  /** Appends one entry; resolves with its seq once it is stored. */
  append(input: AuditInput): Promise<number> {
    return this.run(async () => {
      const head = await this.load();
      const now = this.runtime.now();
      const seq = head.frontier.size;
      const entry = nextEntry(input, seq, now, head.prev);
      const line = formatEntry(entry);
      const hash = lineHash(line);
      const firstUnsignedAt = head.firstUnsignedAt ?? now;
      // A session's end is signed at once; otherwise a minute after the first entry not yet signed.
      const isSigned = input.type === "session_ended" || now >= firstUnsignedAt + CHECKPOINT_INTERVAL_MS;
      const statements = [insertEntryStatement(this.runtime.db, entry, line)];
      let checkpoint: string | null = null;
      if (isSigned) {
        const frontier = head.frontier.copy();
        frontier.push(hash);
        checkpoint = this.sign(frontier);
        statements.push(insertCheckpointStatement(this.runtime.db, seq + 1, checkpoint, now));
      }
      try {
        await this.runtime.db.batch(statements);
      } catch (err) {
        this.head = null;
        throw err;
      }
      head.frontier.push(hash);
      head.prev = toHex(hash);
      if (isSigned) {
        head.signedSize = seq + 1;
        head.firstUnsignedAt = null;
      } else {
        head.firstUnsignedAt = firstUnsignedAt;
        await this.runtime.wakeAt(firstUnsignedAt + CHECKPOINT_INTERVAL_MS);
      }
      return seq;
    });
  }

  /** The wake-up: signs a checkpoint when entries were added since the last. Throws (to be retried) on failure. */
  tick(): Promise<void> {
    return this.run(async () => {
      const head = await this.load();
      if (head.frontier.size === head.signedSize) return;
      const size = head.frontier.size;
      try {
        await this.runtime.db.batch([
          insertCheckpointStatement(this.runtime.db, size, this.sign(head.frontier), this.runtime.now()),
        ]);
      } catch (err) {
        this.head = null;
        throw err;
      }
      head.signedSize = size;
      head.firstUnsignedAt = null;
    });
  }

  private sign(frontier: Frontier): string {
    return signCheckpoint(
      { origin: this.runtime.signer.name, size: frontier.size, root: frontier.root() },
      this.runtime.signer,
    );
  }

  /** Runs `task` after every earlier one: a Durable Object's RPCs interleave at each await otherwise. */
  private run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** The head, read back from storage when not cached: every line is hashed again, and must chain. */
  private async load(): Promise<LogHead> {
    if (this.head) return this.head;
    const [lines, latest] = await Promise.all([readLines(this.runtime.db), latestCheckpoint(this.runtime.db)]);
    const frontier = new Frontier();
    let prev = GENESIS_PREV;
    for (const [index, line] of lines.entries()) {
      const read = readEntry(line);
      // Appending after a broken log would sign over the damage: refuse, and let `audit:verify` say where it is.
      if (!read.ok || read.entry.seq !== index || read.entry.prev !== prev) {
        throw new Error(`The audit log is damaged at entry ${index}; run npm run audit:verify.`);
      }
      const hash = lineHash(line);
      frontier.push(hash);
      prev = toHex(hash);
    }
    const signedSize = latest?.size ?? -1;
    const head: LogHead = { frontier, prev, signedSize, firstUnsignedAt: null };
    // Entries a crash left unsigned, or an empty log's first checkpoint: signed at once.
    if (frontier.size > signedSize) await this.runtime.wakeAt(this.runtime.now());
    this.head = head;
    return head;
  }
}
