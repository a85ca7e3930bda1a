import { GENESIS_PREV, lineHash, readEntry, toHex } from "./entry.ts";
import { equalHashes, Frontier, type Hash } from "./merkle.ts";
import { type Checkpoint, openCheckpoint, toBase64, type VerifierKey } from "./note.ts";

// The whole-log check that `npm run audit:verify` and the tests run: every signed checkpoint against the pinned key,
// every entry's form, sequence number and link to the one before, every leaf and root, and consistency with a
// checkpoint saved by an earlier run. The first problem ends the check and names the entry where it was found.

export type LogProblem = {
  /**
   * The first entry found bad (for a missing tail, the first missing one); null when no entry is to blame. When the
   * evidence narrows it to a range (a broken link blames either end; a wrong root, any entry since the last right
   * one), `seq` is the range's start and `upTo` its end.
   */
  seq: number | null;
  upTo: number | null;
  message: string;
};

/** A sound log: its size and its latest checkpoint (null for an empty log that never signed one). */
export type LogVerdict =
  | { ok: true; size: number; checkpoint: Checkpoint | null; note: string | null }
  | ({ ok: false } & LogProblem);

export type LogToVerify = {
  /** The stored lines, in storage order (which must be seq order). */
  lines: readonly string[];
  /** Every signed checkpoint the log holds (the head and the kept ones), in any order. */
  checkpoints: readonly string[];
  /** The log's pinned verifier key. */
  key: VerifierKey;
  /** A checkpoint note kept from an earlier run, if any: the log must extend it. */
  saved?: string | null;
};

/** Checks a whole log; the first problem found is the verdict. */
export function verifyLog(log: LogToVerify): LogVerdict {
  const opened: { checkpoint: Checkpoint; note: string }[] = [];
  for (const note of log.checkpoints) {
    const result = openCheckpoint(note, log.key);
    if (!result.ok)
      return { ok: false, seq: null, upTo: null, message: `A stored checkpoint is not valid: ${result.reason}.` };
    opened.push({ checkpoint: result.checkpoint, note });
  }
  let saved: Checkpoint | null = null;
  if (log.saved) {
    const result = openCheckpoint(log.saved, log.key);
    if (!result.ok)
      return { ok: false, seq: null, upTo: null, message: `The saved checkpoint is not valid: ${result.reason}.` };
    saved = result.checkpoint;
  }
  opened.sort((a, b) => a.checkpoint.size - b.checkpoint.size);
  const latest = opened.at(-1) ?? null;

  // The roots the checkpoints claim, by size, to compare as the tree grows past each size.
  const claims = new Map<number, Hash[]>();
  for (const { checkpoint } of opened)
    claims.set(checkpoint.size, [...(claims.get(checkpoint.size) ?? []), checkpoint.root]);
  if (saved) claims.set(saved.size, [...(claims.get(saved.size) ?? []), saved.root]);

  const frontier = new Frontier();
  /** The largest size whose signed root matched: the entries before it are sound. */
  let soundSize = 0;
  const checkRoot = (): LogProblem | null => {
    const roots = claims.get(frontier.size);
    if (!roots) return null;
    const root = frontier.root();
    if (roots.every((claimed) => equalHashes(claimed, root))) {
      soundSize = frontier.size;
      return null;
    }
    // The chain held up to here, so an entry since the last sound size was changed along with every link after it.
    return {
      seq: soundSize,
      upTo: frontier.size - 1,
      message: `The root of the first ${frontier.size} entries is not the one signed for that size (${toBase64(root)}): an entry from ${soundSize} to ${frontier.size - 1} was changed, and the links after it rewritten.`,
    };
  };

  let prev = GENESIS_PREV;
  const rootProblem = checkRoot();
  if (rootProblem) return { ok: false, ...rootProblem };
  for (const [index, line] of log.lines.entries()) {
    const read = readEntry(line);
    if (!read.ok)
      return { ok: false, seq: index, upTo: index, message: `Entry ${index} cannot be read: ${read.reason}.` };
    const { entry } = read;
    if (entry.seq !== index) {
      return {
        ok: false,
        seq: index,
        upTo: index,
        message: `Entry ${index} holds sequence number ${entry.seq}: entries were removed, inserted or reordered here.`,
      };
    }
    if (entry.prev !== prev) {
      return {
        ok: false,
        seq: Math.max(0, index - 1),
        upTo: index,
        message: `Entry ${index} does not link to entry ${index - 1}: one of them was changed, or entries were inserted or removed between them.`,
      };
    }
    const hash = lineHash(line);
    prev = toHex(hash);
    frontier.push(hash);
    const problem = checkRoot();
    if (problem) return { ok: false, ...problem };
  }

  const size = log.lines.length;
  // The writer signs every append in the same write: an entry past the latest checkpoint was put there by someone else.
  const signedSize = latest?.checkpoint.size ?? 0;
  if (signedSize < size) {
    return {
      ok: false,
      seq: signedSize,
      upTo: size - 1,
      message: `Entries from ${signedSize} on are not covered by any signed checkpoint: they were added to storage, not by the log.`,
    };
  }
  if (latest && latest.checkpoint.size > size) {
    return {
      ok: false,
      seq: size,
      upTo: latest.checkpoint.size - 1,
      message: `The log holds ${size} entries but a checkpoint signed ${latest.checkpoint.size}: entries from ${size} on were removed.`,
    };
  }
  if (saved && saved.size > size) {
    return {
      ok: false,
      seq: size,
      upTo: saved.size - 1,
      message: `The log holds ${size} entries but the saved checkpoint covers ${saved.size}: entries from ${size} on were removed.`,
    };
  }
  return { ok: true, size, checkpoint: latest?.checkpoint ?? null, note: latest?.note ?? null };
}
