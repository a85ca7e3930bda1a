import * as z from "zod/mini";

// Session recordings over HTTP: the technician's page uploads what it records in parts, the console lists, plays and
// deletes them. The customer's consent to recording travels as the room's `consent` message (permission "record").

/** Whether an organisation records sessions: never, when the customer allows it, or always (said before Allow). */
export const RecordingPolicy = z.enum(["off", "ask", "always"]);
export type RecordingPolicy = z.infer<typeof RecordingPolicy>;

/** A recording's id: 22 base64url characters (128 random bits). */
export const RecordingId = z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/));

/** The answer to POST /api/sessions/:code/recordings: where the parts go and how large each but the last must be. */
export const StartedRecording = z.object({ id: RecordingId, partBytes: z.int().check(z.positive()) });
export type StartedRecording = z.infer<typeof StartedRecording>;

/** The answer to PUT /api/recordings/:id/parts/:n. */
export const UploadedPart = z.object({ part: z.int().check(z.positive()) });

/** SHA-256 as 64 lowercase hex digits. */
const Sha256 = z.string().check(z.regex(/^[0-9a-f]{64}$/));

/** One recording as the console lists it. `state` "uploading": parts are still arriving. */
export const RecordingSummary = z.object({
  id: RecordingId,
  session: z.string().check(z.regex(/^[0-9]{9}$/)),
  technicianId: z.string().check(z.maxLength(64)),
  state: z.enum(["uploading", "complete"]),
  size: z.int().check(z.nonnegative()),
  sha256: z.nullable(Sha256),
  createdAt: z.int(),
  endedAt: z.nullable(z.int()),
  deleteAt: z.nullable(z.int()),
});
export type RecordingSummary = z.infer<typeof RecordingSummary>;

/** The answer to GET /api/recordings. */
export const RecordingList = z.object({ recordings: z.array(RecordingSummary).check(z.maxLength(500)) });
export type RecordingList = z.infer<typeof RecordingList>;

/** GET /api/recordings?session=CODE: one session's recordings, or every one the caller may see. */
export const RecordingListQuery = z.strictObject({ session: z.optional(z.string().check(z.regex(/^[0-9]{9}$/))) });

/** The answer to POST /api/recordings/:id/play: a short-lived address of its bytes. */
export const PlaybackUrl = z.object({ url: z.string().check(z.maxLength(300)), expiresAt: z.int() });
export type PlaybackUrl = z.infer<typeof PlaybackUrl>;

/** POST /api/sessions/:code/files: a file transfer the technician's page saw complete (never its content). */
export const TransferredFile = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(255)),
  size: z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER)),
  sha256: Sha256,
  direction: z.enum(["toCustomer", "fromCustomer"]),
});
export type TransferredFile = z.infer<typeof TransferredFile>;
