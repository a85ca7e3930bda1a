import type { AuditInput } from "#protocol/audit.ts";
import {
  insertCheckpointStatement,
  insertEntryStatement,
  lastEntry,
  latestKeptAt,
  readHead,
  setHeadStatement,
} from "../../worker/db/audit.ts";
import { formatEntry, GENESIS_PREV, lineHash, nextEntry, toHex } from "./entry.ts";
import { equalHashes, Frontier } from "./merkle.ts";
import {
  fromBase64,
  type NoteSigner,
  openCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  toBase64,
  verifierKeyOf,
} from "./note.ts";

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

/** The frontier as audit_head stores it. */
function formatFrontier(frontier: Frontier): string {
  return JSON.stringify(frontier.nodes().map(([size, hash]) => [size, toBase64(hash)]));
}

/** The stored frontier, or null when it is not one. */
function readFrontier(text: string): Frontier | null {
  let nodes: unknown;
  try {
    nodes = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(nodes) || nodes.length > 64) return null;
  const pairs: [number, Uint8Array][] = [];
  for (const node of nodes) {
    const hash = Array.isArray(node) && typeof node[1] === "string" ? fromBase64(node[1]) : null;
    if (!hash || typeof node[0] !== "number") return null;
    pairs.push([node[0], hash]);
  }
  return Frontier.restore(pairs);
}

/**
 * The one writer of an organisation's audit log, on any runtime. Appends run one at a time: each numbers, times and
 * links its entry, signs the new tree's checkpoint, and writes both in one atomic batch (the checkpoint replacing the
 * head, and kept in the history once a minute and at each session's end) before it answers. So every stored entry
 * is covered by a signed checkpoint, an acknowledged entry is stored, and a crash leaves either the whole append or
 * none of it. The head also holds the writer's state (the tree's frontier, the last leaf hash), so a start reads a
 * row, not the log; a failed write drops the cache and the next append reads the head back. Before it appends, the
 * writer checks that the head is its own signature over exactly the stored entries' end: it never signs on after
 * entries it did not write.
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
      const prev = toHex(hash);
      const statements = [
        insertEntryStatement(db, entry, line),
        setHeadStatement(db, { size: frontier.size, note, frontier: formatFrontier(frontier), last_hash: prev }),
      ];
      if (isKept) statements.push(insertCheckpointStatement(db, frontier.size, note, now));
      try {
        await db.batch(statements);
      } catch (err) {
        this.head = null;
        throw err;
      }
      this.head = { frontier, prev, keptAt: isKept ? now : head.keptAt };
      return seq;
    });
  }

  /** Runs `task` after every earlier one: a Durable Object's RPCs interleave at each await otherwise. */
  private run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * The head, read back from storage when not cached, and checked: signed by this writer's key, its frontier giving
   * the signed root, and the newest stored entry being the last one it signed.
   */
  private async load(): Promise<LogHead> {
    if (this.head) return this.head;
    const { db, signer } = this.runtime;
    const [stored, last, keptAt] = await Promise.all([readHead(db), lastEntry(db), latestKeptAt(db)]);
    const damaged = (why: string) =>
      new Error(`The audit log is damaged (${why}); run npm run audit:verify to see where.`);
    if (!stored) {
      if (last) throw damaged("entries without a signed head");
      this.head = { frontier: new Frontier(), prev: GENESIS_PREV, keptAt };
      return this.head;
    }
    const key = parseVerifierKey(verifierKeyOf(signer));
    const opened = key ? openCheckpoint(stored.note, key) : null;
    const frontier = readFrontier(stored.frontier);
    if (!opened?.ok || !frontier) throw damaged("its head is not a checkpoint signed by this log's key");
    const { checkpoint } = opened;
    if (frontier.size !== checkpoint.size || !equalHashes(frontier.root(), checkpoint.root)) {
      throw damaged("its head's state is not the tree it signed");
    }
    if (!last || last.seq !== checkpoint.size - 1 || toHex(lineHash(last.entry)) !== stored.last_hash) {
      throw damaged("its newest entry is not the last one it signed");
    }
    this.head = { frontier, prev: stored.last_hash, keptAt };
    return this.head;
  }
}
