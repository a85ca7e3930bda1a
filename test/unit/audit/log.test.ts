import type { DatabaseSync } from "node:sqlite";
import { beforeEach, describe, expect, it } from "vitest";
import type { AuditEntry } from "#protocol/audit.ts";
import { CHECKPOINT_INTERVAL_MS } from "../../../durable-objects/audit-log/AuditWriter.ts";
import { formatEntry, lineHash, toHex } from "../../../durable-objects/audit-log/entry.ts";
import { verifierKeyOf } from "../../../durable-objects/audit-log/note.ts";
import { type LogVerdict, verifyLog } from "../../../durable-objects/audit-log/verify.ts";
import { dropGuards, sampleInput, storedLog, TEST_KEY, type TestLog, testLog } from "../../helpers/audit-log.ts";

const SIZE = 12;

/** A log of SIZE entries, a minute apart from the sixth on so that the history keeps several checkpoints. */
async function grownLog(): Promise<TestLog> {
  const log = testLog();
  for (let i = 0; i < SIZE; i++) {
    log.clock.now += i < 6 ? 1_000 : CHECKPOINT_INTERVAL_MS;
    await log.writer.append(sampleInput(i));
  }
  return log;
}

/** The verdict is a failure whose blamed range holds `seq`. */
function expectBlamed(verdict: LogVerdict, seq: number): void {
  expect(verdict.ok).toBe(false);
  if (verdict.ok) return;
  expect(verdict.seq).toBeLessThanOrEqual(seq);
  expect(verdict.upTo).toBeGreaterThanOrEqual(seq);
}

function verify(sqlite: DatabaseSync, saved?: string | null) {
  return verifyLog({ ...storedLog(sqlite), key: TEST_KEY, saved });
}

function entryAt(sqlite: DatabaseSync, seq: number): AuditEntry {
  const row = sqlite.prepare("SELECT entry FROM audit_entries WHERE seq = ?").get(seq) as { entry: string };
  return JSON.parse(row.entry) as AuditEntry;
}

/** Stores `entry` as the row of `seq`, its search columns unchanged. */
function overwrite(sqlite: DatabaseSync, seq: number, entry: AuditEntry): void {
  sqlite.prepare("UPDATE audit_entries SET seq = ?, entry = ? WHERE seq = ?").run(entry.seq, formatEntry(entry), seq);
}

/** Rewrites every link from `from` on, as a careful forger would after changing an entry. */
function relink(sqlite: DatabaseSync, from: number): void {
  const count = (sqlite.prepare("SELECT COUNT(*) AS n FROM audit_entries").get() as { n: number }).n;
  for (let seq = from; seq < count; seq++) {
    const previous = sqlite.prepare("SELECT entry FROM audit_entries WHERE seq = ?").get(seq - 1) as { entry: string };
    overwrite(sqlite, seq, { ...entryAt(sqlite, seq), prev: toHex(lineHash(previous.entry)) });
  }
}

describe("the audit log's writer", () => {
  it("numbers, times and links entries and signs each append, keeping a checkpoint a minute apart and at each end", async () => {
    const log = await grownLog();
    const verdict = verify(log.sqlite);
    expect(verdict).toMatchObject({ ok: true, size: SIZE });
    const kept = log.sqlite.prepare("SELECT size FROM audit_checkpoints ORDER BY size").all() as { size: number }[];
    // The first append, then one per minute from the seventh on.
    expect(kept.map((row) => row.size)).toEqual([1, 7, 8, 9, 10, 11, 12]);
    log.clock.now += 1_000;
    await log.writer.append({ actor: "customer", session: "123456789", type: "session_ended", data: { reason: "x" } });
    expect(log.sqlite.prepare("SELECT MAX(size) AS size FROM audit_checkpoints").get()).toEqual({ size: SIZE + 1 });
    expect(entryAt(log.sqlite, 3)).toMatchObject({
      seq: 3,
      time: 1_700_000_004_000,
      prev: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it("refuses UPDATE and DELETE on its tables while the guards stand", async () => {
    const log = await grownLog();
    expect(() => log.sqlite.exec("DELETE FROM audit_entries WHERE seq = 3")).toThrow(/append-only/);
    expect(() => log.sqlite.exec("UPDATE audit_checkpoints SET note = 'x'")).toThrow(/append-only/);
  });

  it("loses no acknowledged entry and leaves no gap when a write fails before or after it lands", async () => {
    const log = await grownLog();
    log.failNext("before");
    await expect(log.writer.append(sampleInput(100))).rejects.toThrow(/before the write/);
    expect(await log.writer.append(sampleInput(101))).toBe(SIZE);
    log.failNext("after");
    await expect(log.writer.append(sampleInput(102))).rejects.toThrow(/after the write/);
    // The unacknowledged entry landed: the next one follows it.
    expect(await log.writer.append(sampleInput(103))).toBe(SIZE + 2);
    expect(verify(log.sqlite)).toMatchObject({ ok: true, size: SIZE + 3 });
    expect(entryAt(log.sqlite, SIZE).data.n).toBe(101);
  });

  it("runs concurrent appends one at a time", async () => {
    const log = testLog();
    const seqs = await Promise.all(Array.from({ length: 20 }, (_, i) => log.writer.append(sampleInput(i))));
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(verify(log.sqlite)).toMatchObject({ ok: true, size: 20 });
  });

  it("refuses to append after entries it did not sign, or a changed last entry, rather than sign over them", async () => {
    const log = await grownLog();
    dropGuards(log.sqlite);
    const last = entryAt(log.sqlite, SIZE - 1);
    const forged: AuditEntry = { ...last, seq: SIZE, prev: toHex(lineHash(formatEntry(last))) };
    log.sqlite
      .prepare("INSERT INTO audit_entries (seq, time, actor, type, entry) VALUES (?, 0, 'system', 'x', ?)")
      .run(SIZE, formatEntry(forged));
    // A fresh writer (after a restart) reads the head back.
    await expect(testLog(log.sqlite).writer.append(sampleInput(1))).rejects.toThrow(/not the last one it signed/);
    log.sqlite.prepare("DELETE FROM audit_entries WHERE seq = ?").run(SIZE);
    overwrite(log.sqlite, SIZE - 1, { ...last, data: { n: -1 } });
    await expect(testLog(log.sqlite).writer.append(sampleInput(1))).rejects.toThrow(/not the last one it signed/);
    log.sqlite.exec("UPDATE audit_head SET frontier = '[]'");
    await expect(testLog(log.sqlite).writer.append(sampleInput(1))).rejects.toThrow(/not the tree it signed/);
  });

  it("goes on after a restart under a key whose verifier key's base64 holds a '+'", async () => {
    // Half of all keys do; the head a restarted writer reads back must open with every one of them.
    const signer = { name: "tether.test/audit", seed: new Uint8Array(32).fill(8) };
    expect(verifierKeyOf(signer).split("+").length).toBeGreaterThan(3);
    const log = testLog(undefined, signer);
    for (let i = 0; i < 3; i++) await log.writer.append(sampleInput(i));
    expect(await testLog(log.sqlite, signer).writer.append(sampleInput(3))).toBe(3);
  });

  it("starts from its head without reading the log; a changed older entry is still found, under the roots signed after it", async () => {
    const log = await grownLog();
    dropGuards(log.sqlite);
    overwrite(log.sqlite, 4, { ...entryAt(log.sqlite, 4), data: { n: 999 } });
    const restarted = testLog(log.sqlite);
    expect(await restarted.writer.append(sampleInput(50))).toBe(SIZE);
    expectBlamed(verify(log.sqlite), 4);
  });
});

describe("tampering with stored entries", () => {
  let log: TestLog;
  let savedNote: string;

  beforeEach(async () => {
    log = await grownLog();
    const verdict = verify(log.sqlite);
    if (!verdict.ok || !verdict.note) throw new Error("the fresh log does not verify");
    savedNote = verdict.note;
    dropGuards(log.sqlite);
  });

  // Each case tampers at every position in turn, on a fresh copy of the log.
  const positions = Array.from({ length: SIZE }, (_, i) => i);

  it.each(positions)("an edited entry %i is found", async (seq) => {
    overwrite(log.sqlite, seq, { ...entryAt(log.sqlite, seq), data: { n: -1 } });
    const verdict = verify(log.sqlite);
    // The changed entry breaks the next one's link or the next signed root, which blame it.
    expectBlamed(verdict, seq);
  });

  it.each(positions)("an edited entry %i with every later link rewritten is found by the signed roots", async (seq) => {
    overwrite(log.sqlite, seq, { ...entryAt(log.sqlite, seq), actor: "customer" });
    relink(log.sqlite, seq + 1);
    const verdict = verify(log.sqlite);
    expectBlamed(verdict, seq);
    expect(!verdict.ok && verdict.message).toMatch(/not the one signed/);
  });

  it.each(positions)("a deleted entry %i is found", async (seq) => {
    log.sqlite.prepare("DELETE FROM audit_entries WHERE seq = ?").run(seq);
    expectBlamed(verify(log.sqlite), seq);
  });

  it.each(positions)("a deleted entry %i with later ones renumbered and relinked is found", async (seq) => {
    log.sqlite.prepare("DELETE FROM audit_entries WHERE seq = ?").run(seq);
    for (let next = seq + 1; next < SIZE; next++)
      overwrite(log.sqlite, next, { ...entryAt(log.sqlite, next), seq: next - 1 });
    relink(log.sqlite, Math.max(seq, 1));
    expectBlamed(verify(log.sqlite), seq);
  });

  it.each([...positions, SIZE])(
    "an entry inserted at %i (later ones renumbered, all relinked) is found",
    async (seq) => {
      for (let next = SIZE - 1; next >= seq; next--)
        overwrite(log.sqlite, next, { ...entryAt(log.sqlite, next), seq: next + 1 });
      const forged: AuditEntry = { ...entryAt(log.sqlite, seq === 0 ? 1 : seq - 1), seq, type: "technician_removed" };
      log.sqlite
        .prepare("INSERT INTO audit_entries (seq, time, actor, type, entry) VALUES (?, 0, 'system', 'x', ?)")
        .run(seq, formatEntry(forged));
      relink(log.sqlite, Math.max(seq, 1));
      if (seq === 0) overwrite(log.sqlite, 0, { ...entryAt(log.sqlite, 0), prev: "0".repeat(64) });
      expect(verify(log.sqlite).ok).toBe(false);
    },
  );

  it.each(positions.slice(0, -1))("entries %i and the next swapped are found", async (seq) => {
    const [a, b] = [entryAt(log.sqlite, seq), entryAt(log.sqlite, seq + 1)];
    overwrite(log.sqlite, seq, { ...b, seq });
    overwrite(log.sqlite, seq + 1, { ...a, seq: seq + 1 });
    expectBlamed(verify(log.sqlite), seq);
  });

  it.each(positions)("the log cut to %i entries is found by its head", async (size) => {
    log.sqlite.prepare("DELETE FROM audit_entries WHERE seq >= ?").run(size);
    expectBlamed(verify(log.sqlite), size);
  });

  it.each(positions)(
    "the log cut to %i entries with its checkpoints rolled back is found by the saved checkpoint",
    async (size) => {
      log.sqlite.prepare("DELETE FROM audit_entries WHERE seq >= ?").run(size);
      log.sqlite.prepare("DELETE FROM audit_checkpoints WHERE size > ?").run(size);
      const older = log.sqlite.prepare("SELECT size, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1").get() as
        | { size: number; note: string }
        | undefined;
      if (older) log.sqlite.prepare("UPDATE audit_head SET size = ?, note = ?").run(older.size, older.note);
      else log.sqlite.exec("DELETE FROM audit_head");
      // Without the earlier run's checkpoint, a rollback to a checkpoint the log really signed looks sound...
      if (older?.size === size || size === 0) expect(verify(log.sqlite).ok).toBe(true);
      // ...with it, never.
      const verdict = verify(log.sqlite, savedNote);
      expect(verdict.ok).toBe(false);
    },
  );

  it("an entry appended to storage behind the writer's back is found", async () => {
    const last = entryAt(log.sqlite, SIZE - 1);
    const prev = toHex(lineHash(formatEntry(last)));
    const forged: AuditEntry = { ...last, seq: SIZE, prev, type: "technician_enrolled" };
    log.sqlite
      .prepare("INSERT INTO audit_entries (seq, time, actor, type, entry) VALUES (?, 0, 'system', 'x', ?)")
      .run(SIZE, formatEntry(forged));
    expectBlamed(verify(log.sqlite), SIZE);
  });

  it("an entry stored in another JSON form than the canonical one is found", async () => {
    const line = formatEntry(entryAt(log.sqlite, 2)).replace('"seq":2', '"seq": 2');
    log.sqlite.prepare("UPDATE audit_entries SET entry = ? WHERE seq = 2").run(line);
    expectBlamed(verify(log.sqlite), 2);
  });

  it("a checkpoint signed by another key is refused", async () => {
    const note = storedLog(log.sqlite).checkpoints.at(-1) as string;
    log.sqlite
      .prepare("UPDATE audit_head SET note = ?")
      .run(note.replace(/ [A-Za-z0-9+/=]+\n$/, ` ${"A".repeat(92)}\n`));
    expect(verify(log.sqlite).ok).toBe(false);
  });
});
