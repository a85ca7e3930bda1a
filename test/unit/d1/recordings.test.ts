import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { addPart, findRecording, insertRecording, recordingKey } from "../../../worker/db/recordings.ts";
import { SqliteD1 } from "../../../worker/deno/d1-sqlite.ts";
import { fileStore, uploadsOnDisk } from "../../../worker/deno/recording-files.ts";
import { Sweep } from "../../../worker/deno/sweep.ts";
import type { AuditInput } from "../../../worker/protocol/audit.ts";
import { finishRecording, type RecordingDeps } from "../../../worker/recordings/finish.ts";
import type { RecordingStore } from "../../../worker/recordings/store.ts";
import { SESSION_END_GRACE_MS, SWEEP_RETRY_MS, sweepRecordings } from "../../../worker/recordings/sweep.ts";
import { migratedDatabase } from "../../helpers/audit-log.ts";
import { TestTimers } from "../../helpers/test-timers.ts";

// Recordings over the real migrations in an in-memory SQLite and the Deno host's file store, on a clock the test
// moves: a multi-part upload put together with its SHA-256, an upload a closed tab left finished from its parts (or
// dropped when it sent none), and recordings deleted after their retention.

const T0 = 1_800_000_000_000;
const ABANDON_MS = 600_000;
const DAY_MS = 86_400_000;
const PART = 5 * 1024 * 1024;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** `setUp`'s store fails to complete the keys in `failing`, as a full disk or an R2 outage would. */
function failingStore(store: RecordingStore) {
  const failing = new Set<string>();
  const wrapped: RecordingStore = {
    ...store,
    complete: (key, uploadId, parts) =>
      failing.has(key)
        ? Promise.reject(new Error("ENOSPC: no space left on device"))
        : store.complete(key, uploadId, parts),
  };
  return { wrapped, failing };
}

function setUp() {
  const root = mkdtempSync(join(tmpdir(), "tether-recordings-"));
  dirs.push(root);
  const db = new SqliteD1(migratedDatabase());
  const { wrapped: store, failing } = failingStore(fileStore(root));
  const audits: AuditInput[] = [];
  const deps: RecordingDeps = {
    db,
    store,
    audit: async (input) => audits.push(input),
    retentionDays: 7,
  };
  const timers = new TestTimers(T0);
  const sweep = new Sweep(
    "recording sweep",
    (now) => sweepRecordings(deps, now, ABANDON_MS),
    () => timers.now(),
    timers,
  );
  /** Starts a recording and uploads `parts` of synthetic bytes; returns the bytes sent. */
  async function upload(id: string, parts: Uint8Array[], now = T0) {
    const key = recordingKey({ session_code: "123456789", id });
    const uploadId = await store.begin(key);
    await insertRecording(db, { id, session: "123456789", technicianId: "tech-1", uploadId, now });
    for (const [i, bytes] of parts.entries()) {
      const etag = await store.putPart(key, uploadId, i + 1, bytes);
      expect(await addPart(db, id, { part: i + 1, etag, size: bytes.length }, now)).toBe(true);
    }
  }
  return { root, db, store, failing, deps, audits, timers, sweep, upload };
}

function must<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error("expected a value");
  return value;
}

function bytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}
const sha256 = (...parts: Uint8Array[]) => {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
};

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// Parts of 5 MiB written to disk and hashed: generous bounds for a loaded machine.
describe("recordings", { timeout: 60_000 }, () => {
  it("puts a multi-part upload together in order, with its size and SHA-256 in the audit log", async () => {
    const { db, store, deps, audits, upload } = setUp();
    const parts = [bytes(PART, 1), bytes(PART, 2), bytes(1234, 3)];
    await upload("AAAAAAAAAAAAAAAAAAAAAA", parts);
    const row = await findRecording(db, "AAAAAAAAAAAAAAAAAAAAAA");
    expect(row?.parts).toBe(3);
    const done = await finishRecording(deps, must(row), T0 + 1, "technician:tech-1", "stopped");
    expect(done).toEqual({ size: 2 * PART + 1234, sha256: sha256(...parts) });
    const stored = await findRecording(db, "AAAAAAAAAAAAAAAAAAAAAA");
    expect(stored).toMatchObject({ state: "complete", upload_id: null, sha256: sha256(...parts) });
    expect(stored?.delete_at).toBe(T0 + 1 + 7 * DAY_MS);
    const object = await store.get(recordingKey(must(stored)));
    expect(object?.size).toBe(2 * PART + 1234);
    expect(sha256(await readAll(must(object).body))).toBe(sha256(...parts));
    expect(audits).toEqual([
      {
        actor: "technician:tech-1",
        session: "123456789",
        type: "recording_stopped",
        data: {
          recording: "AAAAAAAAAAAAAAAAAAAAAA",
          reason: "stopped",
          parts: 3,
          size: 2 * PART + 1234,
          sha256: sha256(...parts),
        },
      },
    ]);
  });

  it("refuses a part out of order", async () => {
    const { db, upload } = setUp();
    await upload("BBBBBBBBBBBBBBBBBBBBBB", []);
    expect(await addPart(db, "BBBBBBBBBBBBBBBBBBBBBB", { part: 2, etag: "x", size: 1 }, T0)).toBe(false);
    expect((await findRecording(db, "BBBBBBBBBBBBBBBBBBBBBB"))?.parts).toBe(0);
  });

  it("finishes an upload left silent from its parts, and drops one that sent none, at the grace's end", async () => {
    const { root, db, store, audits, timers, sweep, upload } = setUp();
    const sent = bytes(PART, 9);
    await upload("CCCCCCCCCCCCCCCCCCCCCC", [sent]);
    await upload("DDDDDDDDDDDDDDDDDDDDDD", [], T0 + 1_000);
    await sweep.start();
    expect([...timers.pending.values()].map((t) => t.at)).toEqual([T0 + ABANDON_MS]);

    timers.advanceTo(T0 + ABANDON_MS - 1);
    expect((await findRecording(db, "CCCCCCCCCCCCCCCCCCCCCC"))?.state).toBe("uploading");
    timers.advanceTo(T0 + ABANDON_MS);
    await vi.waitFor(async () => expect((await findRecording(db, "CCCCCCCCCCCCCCCCCCCCCC"))?.state).toBe("complete"));
    const row = await findRecording(db, "CCCCCCCCCCCCCCCCCCCCCC");
    expect(row?.sha256).toBe(sha256(sent));
    expect(sha256(await readAll(must(await store.get(recordingKey(must(row)))).body))).toBe(sha256(sent));
    expect(audits[0]).toMatchObject({ actor: "system", type: "recording_stopped", data: { reason: "abandoned" } });

    // The empty one is due a second later: aborted, its row and its upload's directory gone.
    await vi.waitFor(() => expect([...timers.pending.values()].map((t) => t.at)).toEqual([T0 + 1_000 + ABANDON_MS]));
    timers.advanceTo(T0 + 1_000 + ABANDON_MS);
    await vi.waitFor(async () => expect(await findRecording(db, "DDDDDDDDDDDDDDDDDDDDDD")).toBeNull());
    expect(await uploadsOnDisk(root)).toEqual([]);
    expect(audits[1]).toMatchObject({ type: "recording_stopped", data: { reason: "abandoned", parts: 0 } });
  });

  it("finishes an upload of an ended session once the end's grace is over, before its silence would", async () => {
    const { db, timers, sweep, upload } = setUp();
    await upload("FFFFFFFFFFFFFFFFFFFFFF", [bytes(PART, 4)]);
    await db
      .prepare("INSERT INTO sessions (code, technician_id, created_at, expires_at, ended_at) VALUES (?, NULL, ?, ?, ?)")
      .bind("123456789", T0, T0 + 3_600_000, T0 + 1_000)
      .run();
    await sweep.start();
    expect([...timers.pending.values()].map((t) => t.at)).toEqual([T0 + 1_000 + SESSION_END_GRACE_MS]);
    timers.advanceTo(T0 + 1_000 + SESSION_END_GRACE_MS);
    await vi.waitFor(async () => expect((await findRecording(db, "FFFFFFFFFFFFFFFFFFFFFF"))?.state).toBe("complete"));
  });

  it("leaves a recording it cannot finish (its store failed) as it was, finishes the others, and tries again", async () => {
    const { db, failing, audits, timers, sweep, upload } = setUp();
    const [first, second] = [bytes(PART, 5), bytes(PART, 6)];
    await upload("GGGGGGGGGGGGGGGGGGGGGG", [first]);
    await upload("HHHHHHHHHHHHHHHHHHHHHH", [second], T0 + 1);
    const firstKey = recordingKey({ session_code: "123456789", id: "GGGGGGGGGGGGGGGGGGGGGG" });
    failing.add(firstKey);
    timers.advanceTo(T0 + ABANDON_MS + 1);
    await sweep.start();
    // The first stays as it was, out of the audit log; the second is finished; the sweep comes back a minute later.
    expect((await findRecording(db, "GGGGGGGGGGGGGGGGGGGGGG"))?.state).toBe("uploading");
    expect((await findRecording(db, "HHHHHHHHHHHHHHHHHHHHHH"))?.state).toBe("complete");
    expect([...timers.pending.values()].map((t) => t.at)).toEqual([T0 + ABANDON_MS + 1 + SWEEP_RETRY_MS]);

    failing.delete(firstKey);
    timers.advanceTo(T0 + ABANDON_MS + 1 + SWEEP_RETRY_MS);
    await vi.waitFor(async () => expect((await findRecording(db, "GGGGGGGGGGGGGGGGGGGGGG"))?.state).toBe("complete"));
    expect((await findRecording(db, "GGGGGGGGGGGGGGGGGGGGGG"))?.sha256).toBe(sha256(first));
    expect(audits.map((a) => [a.type, a.data.recording, a.data.sha256])).toEqual([
      ["recording_stopped", "HHHHHHHHHHHHHHHHHHHHHH", sha256(second)],
      ["recording_stopped", "GGGGGGGGGGGGGGGGGGGGGG", sha256(first)],
    ]);
  });

  it("completes again an upload that completed (the database did not hear of it) from its object", async () => {
    const { store } = setUp();
    const key = recordingKey({ session_code: "123456789", id: "IIIIIIIIIIIIIIIIIIIIII" });
    const uploadId = await store.begin(key);
    const sent = bytes(1_000, 7);
    const parts = [{ part: 1, etag: await store.putPart(key, uploadId, 1, sent) }];
    const done = await store.complete(key, uploadId, parts);
    expect(done).toEqual({ size: 1_000, sha256: sha256(sent) });
    expect(await store.complete(key, uploadId, parts)).toEqual(done);
  });

  it("deletes a recording when its retention ends, and then waits for nothing", async () => {
    const { db, store, deps, audits, timers, sweep, upload } = setUp();
    await upload("EEEEEEEEEEEEEEEEEEEEEE", []);
    const parts = [bytes(10, 1)];
    const key = recordingKey({ session_code: "123456789", id: "EEEEEEEEEEEEEEEEEEEEEE" });
    const row = must(await findRecording(db, "EEEEEEEEEEEEEEEEEEEEEE"));
    await addPart(
      db,
      row.id,
      { part: 1, etag: await store.putPart(key, must(row.upload_id), 1, must(parts[0])), size: 10 },
      T0,
    );
    await finishRecording(deps, must(await findRecording(db, row.id)), T0, "technician:tech-1", "stopped");
    await sweep.start();
    expect([...timers.pending.values()].map((t) => t.at)).toEqual([T0 + 7 * DAY_MS]);
    timers.advanceTo(T0 + 7 * DAY_MS);
    await vi.waitFor(async () => expect(await findRecording(db, row.id)).toBeNull());
    expect(await store.get(key)).toBeNull();
    expect(audits.at(-1)).toMatchObject({ actor: "system", type: "recording_deleted", data: { reason: "retention" } });
    await vi.waitFor(() => expect(timers.pending.size).toBe(0));
  });
});
