import * as z from "zod/mini";
import { type FrameResult, parseFrame } from "./parse.ts";

// The `control` data channel between the customer's page and a technician's: peer to peer, inside DTLS, so no
// server ever sees it. Both ends parse what they receive, as they do with the server's frames.

/** Largest control message accepted, in bytes. */
export const MAX_CONTROL_BYTES = 16_384;

/** What the customer is sending right now: the picture, nothing (paused), or no capture at all (stopped). */
export const SharingState = z.enum(["live", "paused", "stopped"]);
export type SharingState = z.infer<typeof SharingState>;

/**
 * What kind of surface the customer picked in the browser's picker (MediaTrackSettings.displaySurface), or their
 * camera (a phone, which cannot share its screen).
 */
export const Surface = z.enum(["monitor", "window", "browser", "camera", "unknown"]);
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
 * beside it; the receiver keeps its own time of arrival too. `isClipboard`: text pushed for the other person's
 * clipboard, which their page offers to copy at a click (it never writes a clipboard by itself). `from: "owner"`: on
 * a colleague's connection, the owning technician's message, which the customer's page passes on beside the
 * customer's own (a colleague reads along; only the owner writes to the customer).
 */
export const Chat = z.object({
  type: z.literal("chat"),
  id: ChatId,
  text: z.string().check(z.minLength(1), z.maxLength(MAX_CHAT_CHARS)),
  sentAt: z.int().check(z.nonnegative()),
  isClipboard: z.optional(z.boolean()),
  from: z.optional(z.literal("owner")),
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

/**
 * A file transfer's number: each side numbers its own (the customer's side odd, a technician's even), so that a
 * cancel names one transfer whichever side sends it.
 */
const TransferId = z.int().check(z.gte(1), z.lte(0xffff_ffff));

/** Either way: a file the sender offers; nothing of it is sent before the receiver accepts. */
export const FileOffer = z.object({
  type: z.literal("fileOffer"),
  transfer: TransferId,
  name: z.string().check(z.minLength(1), z.maxLength(255)),
  size: z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER)),
  mime: z.string().check(z.maxLength(127)),
});
/** The receiver's answer to an offer. */
export const FileAnswer = z.object({ type: z.literal("fileAnswer"), transfer: TransferId, isAccepted: z.boolean() });
/** Either side stops a transfer (offered, or under way). */
export const FileCancel = z.object({ type: z.literal("fileCancel"), transfer: TransferId });
/** The sender has sent every chunk: the file's SHA-256 (hex), which the receiver checks before it offers Save. */
export const FileDone = z.object({
  type: z.literal("fileDone"),
  transfer: TransferId,
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
});

/**
 * Customer → technician, on open and on every change, only when the organisation records sessions: whether the
 * customer allows recording now (under RECORDING_POLICY "always" unless they stopped it). The server checks the same
 * from the room's consent record before it takes a recording.
 */
export const RecordingConsent = z.object({ type: z.literal("recordingConsent"), isAllowed: z.boolean() });
/** Technician → customer: whether a recording runs now, for the customer's ● REC badge. */
export const Recording = z.object({ type: z.literal("recording"), isOn: z.boolean() });

/**
 * Where the customer shares a browser tab from a browser that can zoom it (Captured Surface Control), what the
 * technician may do with its zoom: nothing ("unavailable": not a tab, paused or stopped), ask the customer
 * ("offered": they have not allowed it), or zoom it ("allowed"). A browser without the API never sends this.
 */
export const TabZoomState = z.enum(["unavailable", "offered", "allowed"]);
export type TabZoomState = z.infer<typeof TabZoomState>;

/** A browser zoom level in percent (Chromium's run from 25 to 500). */
const ZoomPercent = z.int().check(z.gte(1), z.lte(1_000));

/**
 * Customer → technician, on open and on every change: whether the technician may zoom the shared tab, its zoom level
 * now (null when unknown) and whether it can go further in or out.
 */
export const TabZoom = z.object({
  type: z.literal("tabZoom"),
  state: TabZoomState,
  level: z.nullable(ZoomPercent),
  canZoomIn: z.boolean(),
  canZoomOut: z.boolean(),
});
export type TabZoom = z.infer<typeof TabZoom>;

/** One step of the shared tab's zoom: in, out, or back to the tab's own level. */
export const ZoomStep = z.enum(["in", "out", "reset"]);
export type ZoomStep = z.infer<typeof ZoomStep>;

/** Technician → customer: zoom the shared tab one step; the customer's page applies it only while allowed. */
export const TabZoomStep = z.object({ type: z.literal("tabZoomStep"), step: ZoomStep });

/**
 * Customer's native agent → technician, on open and on every change: whether the person at the machine lets the
 * technician control its mouse and keyboard now (the `input` channel is acted on only while they do). A customer's
 * page, which cannot be controlled, never sends it.
 */
export const RemoteControl = z.object({ type: z.literal("remoteControl"), isAllowed: z.boolean() });

/**
 * Technician → customer's page: the technician asks to control the mouse and keyboard, which a browser cannot give.
 * The page offers its person the native agent, which joins the same session in the page's place.
 */
export const AskControl = z.object({ type: z.literal("askControl") });

/** Most screens (monitors) an agent offers; a machine with more offers the first ones. */
export const MAX_SCREENS = 16;

/** One screen of the agent's machine: where it lies on the desktop, in pixels. */
const ScreenRect = z.object({
  x: z.int().check(z.gte(-32_768), z.lte(32_767)),
  y: z.int().check(z.gte(-32_768), z.lte(32_767)),
  width: z.int().check(z.gte(1), z.lte(65_535)),
  height: z.int().check(z.gte(1), z.lte(65_535)),
});
export type ScreenRect = z.infer<typeof ScreenRect>;

/**
 * Customer's native agent → technician, on open and on every change: the machine's screens (monitors) and which one
 * is shown (and controlled) now. A customer's page, which shares what its person picked, never sends it.
 */
export const Screens = z
  .object({
    type: z.literal("screens"),
    screens: z.array(ScreenRect).check(z.minLength(1), z.maxLength(MAX_SCREENS)),
    shown: z.int().check(z.gte(0), z.lt(MAX_SCREENS)),
  })
  .check(z.refine((msg) => msg.shown < msg.screens.length, "shown must be one of the screens"));
export type Screens = z.infer<typeof Screens>;

/** Technician → customer's native agent: show (and control) this screen of its `screens` instead. */
export const ShowScreen = z.object({
  type: z.literal("showScreen"),
  index: z.int().check(z.gte(0), z.lt(MAX_SCREENS)),
});

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
  FileOffer,
  FileAnswer,
  FileCancel,
  FileDone,
  RecordingConsent,
  Recording,
  TabZoom,
  TabZoomStep,
  RemoteControl,
  AskControl,
  Screens,
  ShowScreen,
]);
export type ControlMessage = z.infer<typeof ControlMessage>;

/** Parses one control message: size first, then JSON, then the schema. */
export function parseControlMessage(raw: string | ArrayBuffer): FrameResult<ControlMessage> {
  return parseFrame(ControlMessage, raw, MAX_CONTROL_BYTES);
}
