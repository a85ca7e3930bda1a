import * as z from "zod/mini";
import { type FrameResult, parseFrame } from "./parse.ts";

// The `control` data channel between the customer's page and a technician's: peer to peer, inside DTLS, so no
// server ever sees it. Both ends parse what they receive, as they do with the server's frames.

/** Largest control message accepted, in bytes. */
export const MAX_CONTROL_BYTES = 16_384;

/** What the customer is sending right now: the picture, nothing (paused), or no capture at all (stopped). */
export const SharingState = z.enum(["live", "paused", "stopped"]);
export type SharingState = z.infer<typeof SharingState>;

/** What kind of surface the customer picked in the browser's picker (MediaTrackSettings.displaySurface). */
export const Surface = z.enum(["monitor", "window", "browser", "unknown"]);
export type Surface = z.infer<typeof Surface>;

const Nonce = z.string().check(z.minLength(1), z.maxLength(32), z.regex(/^[A-Za-z0-9_-]+$/));

/** Customer → technician, on open and on every change: what is being shared. */
export const Sharing = z.object({ type: z.literal("sharing"), state: SharingState, surface: Surface });
/** Either way: is the other page still on the far end of this connection? */
export const Ping = z.object({ type: z.literal("ping"), nonce: Nonce });
export const Pong = z.object({ type: z.literal("pong"), nonce: Nonce });

/** The data channels of a connection (protocol/channels.ts has their table). */
export const ChannelName = z.enum(["control", "pointer", "input", "file"]);
export type ChannelName = z.infer<typeof ChannelName>;

/** Why a message on a data channel was dropped unread. */
export const DropReason = z.enum(["malformed", "oversized", "outOfOrder"]);
export type DropReason = z.infer<typeof DropReason>;

/** Either way: the far end dropped something this end sent (said at most once a second per channel and reason). */
export const Dropped = z.object({ type: z.literal("dropped"), channel: ChannelName, reason: DropReason });

/** Longest chat message, in characters: a few paragraphs, well under the channel's cap in UTF-8. */
export const MAX_CHAT_CHARS = 2_000;

/** A chat message's id: the sender's own counter, so the other page can say up to which one it has read. */
const ChatId = z.int().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER));

/**
 * Either way: a chat message. Text only, shown as text; `sentAt` is the sender's clock (ms since the epoch), shown
 * beside it; the receiver keeps its own time of arrival too.
 */
export const Chat = z.object({
  type: z.literal("chat"),
  id: ChatId,
  text: z.string().check(z.minLength(1), z.maxLength(MAX_CHAT_CHARS)),
  sentAt: z.int().check(z.nonnegative()),
});
/** Either way: the other page has shown this page's chat messages up to `upTo` (its id) to its person. */
export const ChatRead = z.object({ type: z.literal("chatRead"), upTo: ChatId });

/** The colours a technician draws with. */
export const StrokeColour = z.enum(["red", "yellow", "blue", "green"]);
export type StrokeColour = z.infer<typeof StrokeColour>;

/** Most points one stroke message carries; a longer stroke goes in several messages with the same id. */
export const MAX_STROKE_POINTS = 64;

/** A point on the shared picture, [x, y] from 0 to 1. */
const Point = z.tuple([z.number().check(z.gte(0), z.lte(1)), z.number().check(z.gte(0), z.lte(1))]);

/**
 * Technician → customer: part of a freehand stroke over the shared picture. Points of the same `id` extend it;
 * `isEnd` says the pen lifted, and from then on the stroke fades.
 */
export const Stroke = z.object({
  type: z.literal("stroke"),
  id: z.int().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER)),
  colour: StrokeColour,
  points: z.array(Point).check(z.maxLength(MAX_STROKE_POINTS)),
  isEnd: z.boolean(),
});
/** Technician → customer: wipe every drawing now. */
export const ClearDrawing = z.object({ type: z.literal("clearDrawing") });

/** Every message on the `control` data channel. */
export const ControlMessage = z.discriminatedUnion("type", [
  Sharing,
  Ping,
  Pong,
  Dropped,
  Chat,
  ChatRead,
  Stroke,
  ClearDrawing,
]);
export type ControlMessage = z.infer<typeof ControlMessage>;

/** Parses one control message: size first, then JSON, then the schema. */
export function parseControlMessage(raw: string | ArrayBuffer): FrameResult<ControlMessage> {
  return parseFrame(ControlMessage, raw, MAX_CONTROL_BYTES);
}
