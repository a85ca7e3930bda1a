import * as z from "zod/mini";
import { type ChannelName, MAX_CONTROL_BYTES } from "./control.ts";
import { type FrameResult, parseFrame } from "./parse.ts";

// The data channels between the customer's side (page or agent) and a technician's page, as one table: peer to
// peer inside DTLS, each negotiated with a fixed id so that both ends have them at once. Each has its ordering and
// reliability, a size cap and a schema; client/core/channels.ts opens them and routes what the schemas accept.

export type ChannelSpec = {
  /** The negotiated SCTP stream id, the same on both ends. */
  id: number;
  ordered: boolean;
  /** Unset: reliable. 0: sent once, never retransmitted (a late pointer position is worth nothing). */
  maxRetransmits?: number;
  /** Largest message accepted, in bytes. */
  maxBytes: number;
  /** Binary frames (ArrayBuffer) rather than JSON text. */
  isBinary: boolean;
};

/** Payload bytes of one file chunk; with its header, the file channel's largest message. */
export const FILE_CHUNK_BYTES = 65_536;
/** A file chunk's header: kind (1 byte), transfer id (4 bytes), chunk index (4 bytes), big-endian. */
export const FILE_HEADER_BYTES = 9;
const FILE_CHUNK_KIND = 1;

export const CHANNELS: Readonly<Record<ChannelName, ChannelSpec>> = {
  /** Sharing state, liveness; chat, permissions, clipboard and drawing will join it. */
  control: { id: 0, ordered: true, maxBytes: MAX_CONTROL_BYTES, isBinary: false },
  /** The technician's pointer: unordered, never retransmitted, newest wins. */
  pointer: { id: 1, ordered: false, maxRetransmits: 0, maxBytes: 256, isBinary: false },
  /** Clicks, keys and wheel for the native agent: reliable and ordered. */
  input: { id: 2, ordered: true, maxBytes: 1_024, isBinary: false },
  /** File chunks: reliable, ordered, binary with a small framed header. */
  file: { id: 3, ordered: true, maxBytes: FILE_HEADER_BYTES + FILE_CHUNK_BYTES, isBinary: true },
};

/** A coordinate on the shared picture, from 0 (left or top) to 1 (right or bottom). */
const Unit = z.number().check(z.gte(0), z.lte(1));
/** Each sender numbers its pointer and input messages from 0; a number not above the last one seen is out of order. */
const Seq = z.int().check(z.gte(0), z.lte(0x7fff_ffff));

/**
 * Technician → customer: where the technician points, at most 60 times a second; `isAway` when the pointer left the
 * picture (its coordinates are then the last place it was).
 */
export const PointerMessage = z.object({
  type: z.literal("pointer"),
  seq: Seq,
  x: Unit,
  y: Unit,
  isAway: z.optional(z.boolean()),
});
export type PointerMessage = z.infer<typeof PointerMessage>;

const Button = z.object({
  type: z.literal("button"),
  seq: Seq,
  button: z.enum(["left", "middle", "right"]),
  isDown: z.boolean(),
  x: Unit,
  y: Unit,
});
/** A key by its physical code (KeyboardEvent.code), never the text it types. */
const Key = z.object({
  type: z.literal("key"),
  seq: Seq,
  code: z.string().check(z.minLength(1), z.maxLength(32), z.regex(/^[A-Za-z0-9]+$/)),
  isDown: z.boolean(),
});
const Delta = z.number().check(z.gte(-10_000), z.lte(10_000));
const Wheel = z.object({ type: z.literal("wheel"), seq: Seq, dx: Delta, dy: Delta });

/** Technician → agent: clicks, keys and the wheel, in order. */
export const InputMessage = z.discriminatedUnion("type", [Button, Key, Wheel]);
export type InputMessage = z.infer<typeof InputMessage>;

const FileChunkHeader = z.object({
  kind: z.literal(FILE_CHUNK_KIND),
  transfer: z.int().check(z.gte(1), z.lte(0xffff_ffff)),
  index: z.int().check(z.gte(0), z.lte(0xffff_ffff)),
});

/** One piece of a file on its way: the transfer it belongs to, its place in it, and its bytes. */
export type FileChunk = { transfer: number; index: number; data: Uint8Array };

export function parsePointerMessage(raw: string | ArrayBuffer): FrameResult<PointerMessage> {
  return parseFrame(PointerMessage, raw, CHANNELS.pointer.maxBytes);
}

export function parseInputMessage(raw: string | ArrayBuffer): FrameResult<InputMessage> {
  return parseFrame(InputMessage, raw, CHANNELS.input.maxBytes);
}

/** A chunk as it goes on the wire: the header, then the bytes. */
export function encodeFileChunk({ transfer, index, data }: FileChunk): Uint8Array<ArrayBuffer> {
  const frame = new Uint8Array(FILE_HEADER_BYTES + data.byteLength);
  const view = new DataView(frame.buffer);
  view.setUint8(0, FILE_CHUNK_KIND);
  view.setUint32(1, transfer);
  view.setUint32(5, index);
  frame.set(data, FILE_HEADER_BYTES);
  return frame;
}

/** Size first, then the header against its schema; the bytes after it are the chunk, copied out of the frame. */
export function parseFileChunk(raw: ArrayBuffer): FrameResult<FileChunk> {
  if (raw.byteLength > CHANNELS.file.maxBytes) {
    return {
      ok: false,
      error: { code: "MESSAGE_TOO_LARGE", message: `Messages may be at most ${CHANNELS.file.maxBytes} bytes.` },
    };
  }
  if (raw.byteLength <= FILE_HEADER_BYTES) {
    return { ok: false, error: { code: "MESSAGE_INVALID", message: "A file chunk needs a header and some bytes." } };
  }
  const view = new DataView(raw);
  const header = FileChunkHeader.safeParse({
    kind: view.getUint8(0),
    transfer: view.getUint32(1),
    index: view.getUint32(5),
  });
  if (!header.success) {
    return { ok: false, error: { code: "MESSAGE_INVALID", message: "The file chunk's header is not valid." } };
  }
  const { transfer, index } = header.data;
  return { ok: true, msg: { transfer, index, data: new Uint8Array(raw.slice(FILE_HEADER_BYTES)) } };
}
