import type { Context } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as z from "zod/mini";
import {
  type PlaybackUrl,
  RecordingId,
  type RecordingList,
  RecordingListQuery,
  type StartedRecording,
  TransferredFile,
} from "#protocol/recordings.ts";
import { SessionCode } from "#protocol/room.ts";
import { newToken } from "../auth/tokens.ts";
import {
  addPart,
  findRecording,
  insertRecording,
  listRecordings,
  type RecordingRow,
  recordingConsent,
  recordingKey,
  toSummary,
} from "../db/recordings.ts";
import { findSession, isLive } from "../db/sessions.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import { requireTechnician } from "../middleware/auth.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { validate } from "../middleware/validate.ts";
import { deleteRecording, finishRecording, type RecordingDeps } from "../recordings/finish.ts";
import { isPlaybackValid, PLAYBACK_TTL_MS, signPlayback } from "../recordings/playback-token.ts";
import { mayRecord } from "../recordings/policy.ts";
import type { RecordingStore } from "../recordings/store.ts";
import type { AppEnv } from "../types.ts";

// Session recordings: the technician's page starts one, sends its parts as it records, and completes it; the console
// lists, plays (through a short-lived signed address) and deletes them. Every step is in the audit log.

const CodeParam = z.object({ code: SessionCode });
const IdParam = z.object({ id: RecordingId });
const PartParam = z.object({
  id: RecordingId,
  part: z.pipe(z.string().check(z.regex(/^[1-9][0-9]{0,4}$/)), z.transform(Number)),
});
const MediaQuery = z.strictObject({
  exp: z.pipe(z.string().check(z.regex(/^[0-9]{1,15}$/)), z.transform(Number)),
  sig: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)),
});

/**
 * The host's recordings store, whose failures (R2's, or the Deno host's disk: full, or gone) are
 * RECORDING_STORE_FAILED to the technician's page, which says so and stops recording: the parts taken before stay,
 * and the sweep makes them a recording. Nothing of a failed step is in D1 or the audit log.
 */
function storeOf(c: Context<AppEnv>): RecordingStore {
  const store = c.get("host").recordings.store;
  const guarded =
    <A extends unknown[], R>(operation: string, run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await run(...args);
      } catch (err) {
        log({ event: "recording_store_failed", operation, message: String(err).slice(0, 200) });
        throw new AppError(
          "RECORDING_STORE_FAILED",
          503,
          "The recordings store failed; the parts it took before are kept. Try again later.",
        );
      }
    };
  return {
    begin: guarded("begin", (key) => store.begin(key)),
    putPart: guarded("putPart", (key, uploadId, part, bytes) => store.putPart(key, uploadId, part, bytes)),
    complete: guarded("complete", (key, uploadId, parts) => store.complete(key, uploadId, parts)),
    abort: guarded("abort", (key, uploadId) => store.abort(key, uploadId)),
    get: guarded("get", (key) => store.get(key)),
    delete: guarded("delete", (key) => store.delete(key)),
  };
}

function depsOf(c: Context<AppEnv>): RecordingDeps {
  const host = c.get("host");
  return {
    db: c.env.DB,
    store: storeOf(c),
    audit: (input) => host.audit(input),
    retentionDays: c.get("config").RECORDING_RETENTION_DAYS,
  };
}

/** The session's row, if the signed-in technician owns it and it is live. */
async function ownedLiveSession(c: Context<AppEnv>, code: string) {
  const row = await findSession(c.env.DB, code);
  if (!row) throw new AppError("SESSION_NOT_FOUND", 404, "There is no session with this code.");
  if (row.technician_id !== c.get("technician").id) {
    throw new AppError("NOT_OWNER", 403, "Only the technician who owns this session may do this.");
  }
  if (!isLive(row, Date.now())) throw new AppError("SESSION_ENDED", 409, "This session has ended.");
  return row;
}

/** A recording the signed-in technician may see: their own, or any for an admin. */
async function visibleRecording(c: Context<AppEnv>, id: string): Promise<RecordingRow> {
  const row = await findRecording(c.env.DB, id);
  const technician = c.get("technician");
  if (!row || (row.technician_id !== technician.id && !technician.isAdmin)) {
    throw new AppError("NOT_FOUND", 404, "There is no such recording.");
  }
  return row;
}

/** An upload of the signed-in technician that is still taking parts. */
async function ownUpload(c: Context<AppEnv>, id: string): Promise<RecordingRow & { upload_id: string }> {
  const row = await findRecording(c.env.DB, id);
  if (!row || row.technician_id !== c.get("technician").id) {
    throw new AppError("NOT_FOUND", 404, "There is no such recording.");
  }
  if (row.state !== "uploading" || row.upload_id === null) {
    throw new AppError("RECORDING_PART_INVALID", 409, "This recording is already complete.");
  }
  return row as RecordingRow & { upload_id: string };
}

/** A part's bytes, at most `max`: refused before reading when the declared length is larger. */
function partLimit(c: Context<AppEnv>) {
  return bodyLimit({
    maxSize: c.get("config").RECORDING_PART_BYTES,
    onError: () => {
      throw new AppError("PAYLOAD_TOO_LARGE", 413, "A recording part is larger than RECORDING_PART_BYTES.");
    },
  });
}

/** Routes under /api/sessions/:code: starting a recording, and a file transfer's record. */
export const sessionRecordings = new Hono<AppEnv>()
  .post("/:code/recordings", requireTechnician, validate("param", CodeParam), async (c) => {
    const { code } = c.req.valid("param");
    const config = c.get("config");
    await ownedLiveSession(c, code);
    const policy = config.RECORDING_POLICY;
    if (!mayRecord(policy, policy === "off" ? null : await recordingConsent(c.env.DB, code))) {
      throw new AppError(
        "RECORDING_NOT_ALLOWED",
        403,
        policy === "off" ? "This organisation does not record sessions." : "The customer has not allowed recording.",
      );
    }
    const host = c.get("host");
    const id = newToken(16);
    const now = Date.now();
    const uploadId = await storeOf(c).begin(recordingKey({ session_code: code, id }));
    await insertRecording(c.env.DB, { id, session: code, technicianId: c.get("technician").id, uploadId, now });
    await host.recordings.sweepBy(now + config.RECORDING_ABANDON_S * 1000);
    await host.audit({
      actor: `technician:${c.get("technician").id}`,
      session: code,
      type: "recording_started",
      data: { recording: id, policy },
    });
    return c.json<StartedRecording>({ id, partBytes: config.RECORDING_PART_BYTES }, 201);
  })
  .post(
    "/:code/files",
    requireTechnician,
    validate("param", CodeParam),
    jsonBody(1_024),
    validate("json", TransferredFile),
    async (c) => {
      const { code } = c.req.valid("param");
      await ownedLiveSession(c, code);
      const file = c.req.valid("json");
      await c.get("host").audit({
        actor: `technician:${c.get("technician").id}`,
        session: code,
        type: "file_transferred",
        data: { name: file.name.slice(0, 200), size: file.size, sha256: file.sha256, direction: file.direction },
      });
      return c.body(null, 204);
    },
  );

/** Routes under /api/recordings. */
export const recordings = new Hono<AppEnv>()
  .get("/", requireTechnician, validate("query", RecordingListQuery), async (c) => {
    const { session } = c.req.valid("query");
    const technician = c.get("technician");
    const rows = await listRecordings(c.env.DB, { session, technicianId: technician.isAdmin ? null : technician.id });
    return c.json<RecordingList>({ recordings: rows.map(toSummary) });
  })
  .put(
    "/:id/parts/:part",
    requireTechnician,
    validate("param", PartParam),
    (c, next) => partLimit(c)(c, next),
    async (c) => {
      const { id, part } = c.req.valid("param");
      const row = await ownUpload(c, id);
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const partBytes = c.get("config").RECORDING_PART_BYTES;
      // Every part but the last is exactly RECORDING_PART_BYTES (R2's rule); the last comes with complete.
      if (bytes.length !== partBytes || part !== row.parts + 1) {
        throw new AppError(
          "RECORDING_PART_INVALID",
          409,
          `Part ${row.parts + 1} is expected next, of exactly ${partBytes} bytes.`,
        );
      }
      const etag = await storeOf(c).putPart(recordingKey(row), row.upload_id, part, bytes);
      const now = Date.now();
      if (!(await addPart(c.env.DB, id, { part, etag, size: bytes.length }, now))) {
        throw new AppError("RECORDING_PART_INVALID", 409, `Part ${part} arrived twice.`);
      }
      await c.get("host").recordings.sweepBy(now + c.get("config").RECORDING_ABANDON_S * 1000);
      return c.json({ part });
    },
  )
  .post(
    "/:id/complete",
    requireTechnician,
    validate("param", IdParam),
    (c, next) => partLimit(c)(c, next),
    async (c) => {
      const { id } = c.req.valid("param");
      let row = await ownUpload(c, id);
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const now = Date.now();
      if (bytes.length > 0) {
        const part = row.parts + 1;
        const etag = await storeOf(c).putPart(recordingKey(row), row.upload_id, part, bytes);
        if (!(await addPart(c.env.DB, id, { part, etag, size: bytes.length }, now))) {
          throw new AppError(
            "RECORDING_PART_INVALID",
            409,
            "This recording changed meanwhile; it is complete already.",
          );
        }
        row = await ownUpload(c, id);
      }
      const done = await finishRecording(depsOf(c), row, now, `technician:${c.get("technician").id}`, "stopped");
      return c.json({ id, size: done?.size ?? 0, sha256: done?.sha256 ?? null });
    },
  )
  .post("/:id/play", requireTechnician, validate("param", IdParam), async (c) => {
    const { id } = c.req.valid("param");
    const row = await visibleRecording(c, id);
    if (row.state !== "complete") throw new AppError("CONFLICT", 409, "This recording is still being uploaded.");
    const expiresAt = Date.now() + PLAYBACK_TTL_MS;
    const sig = await signPlayback(c.get("config").JWT_SECRET, id, expiresAt);
    await c.get("host").audit({
      actor: `technician:${c.get("technician").id}`,
      session: row.session_code,
      type: "recording_played",
      data: { recording: id, sha256: row.sha256 },
    });
    return c.json<PlaybackUrl>({ url: `/api/recordings/${id}/media?exp=${expiresAt}&sig=${sig}`, expiresAt });
  })
  .get("/:id/media", validate("param", IdParam), validate("query", MediaQuery), async (c) => {
    const { id } = c.req.valid("param");
    const { exp, sig } = c.req.valid("query");
    if (!(await isPlaybackValid(c.get("config").JWT_SECRET, id, exp, sig, Date.now()))) {
      throw new AppError(
        "PLAYBACK_LINK_INVALID",
        403,
        "This playback link has expired or is not valid; play it again.",
      );
    }
    const row = await findRecording(c.env.DB, id);
    const object = row?.state === "complete" ? await storeOf(c).get(recordingKey(row)) : null;
    if (!object) throw new AppError("NOT_FOUND", 404, "There is no such recording.");
    return new Response(object.body, {
      headers: {
        "Content-Type": "video/webm",
        "Content-Length": String(object.size),
        "Cache-Control": "private, no-store",
      },
    });
  })
  .delete("/:id", requireTechnician, validate("param", IdParam), async (c) => {
    const { id } = c.req.valid("param");
    const row = await visibleRecording(c, id);
    await deleteRecording(depsOf(c), row, `technician:${c.get("technician").id}`, "deleted");
    return c.body(null, 204);
  });
