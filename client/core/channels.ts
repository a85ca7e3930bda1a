import {
  CHANNELS,
  encodeFileChunk,
  type FileChunk,
  type InputMessage,
  type PointerMessage,
  parseFileChunk,
  parseInputMessage,
  parsePointerMessage,
} from "#protocol/channels.ts";
import { type ChannelName, type ControlMessage, type DropReason, parseControlMessage } from "#protocol/control.ts";
import type { FrameResult } from "#protocol/parse.ts";

// The one place that opens a connection's data channels (the table in protocol/channels.ts) and routes what arrives
// on them: every message is parsed against its channel's cap and schema, pointer and input messages must come in
// order, and file chunks one after another per transfer. Anything else is dropped and counted, the far end is told
// (at most once a second per channel and reason), and nothing that arrives can break the connection. No DOM here: the
// browser pages pass RTCPeerConnection's data channels and the native agent passes its own.

/** What this code needs of a data channel; the browser's RTCDataChannel is one. */
export interface DataChannelLike {
  readonly readyState: string;
  binaryType: string;
  /** Bytes queued to send, and the level under which `bufferedamountlow` fires: the file channel's backpressure. */
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  send(data: string | Uint8Array<ArrayBuffer>): void;
  addEventListener(type: "open" | "close" | "bufferedamountlow", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
}

export type DataChannelInit = { negotiated: true; id: number; ordered: boolean; maxRetransmits?: number };

/** Opens one negotiated channel: `(label, init) => pc.createDataChannel(label, init)`. */
export type OpenChannel = (label: ChannelName, init: DataChannelInit) => DataChannelLike;

export type ChannelEvents = {
  onOpen?(name: ChannelName): void;
  onControl?(msg: ControlMessage): void;
  onPointer?(msg: PointerMessage): void;
  onInput?(msg: InputMessage): void;
  onFileChunk?(chunk: FileChunk): void;
  /** Something was dropped: here (`byPeer` false) or, as the far end says, there. */
  onDropped?(channel: ChannelName, reason: DropReason, byPeer: boolean): void;
};

export type ChannelCounts = { received: number } & Record<DropReason, number>;

export const CHANNEL_NAMES = Object.keys(CHANNELS) as ChannelName[];
/** The far end hears about drops on one channel for one reason at most this often. */
const TELL_INTERVAL_MS = 1_000;
/** File transfers whose next chunk index is remembered; the oldest is forgotten beyond this. */
const MAX_TRANSFERS = 64;

/** A parsed message with the channel it came on. */
type Routed =
  | { channel: "control"; msg: ControlMessage }
  | { channel: "pointer"; msg: PointerMessage }
  | { channel: "input"; msg: InputMessage }
  | { channel: "file"; msg: FileChunk };

const invalidType: FrameResult<never> = {
  ok: false,
  error: { code: "MESSAGE_INVALID", message: "This channel carries another kind of message." },
};

function routed<C extends Routed["channel"]>(
  channel: C,
  parsed: FrameResult<Extract<Routed, { channel: C }>["msg"]>,
): FrameResult<Routed> {
  return parsed.ok ? { ok: true, msg: { channel, msg: parsed.msg } as Routed } : parsed;
}

/** Parses what arrived on `name` against that channel's kind of frame, cap and schema. */
function parseOn(name: ChannelName, data: unknown): FrameResult<Routed> {
  if (name === "file") return data instanceof ArrayBuffer ? routed("file", parseFileChunk(data)) : invalidType;
  if (typeof data !== "string") return invalidType;
  switch (name) {
    case "control":
      return routed("control", parseControlMessage(data));
    case "pointer":
      return routed("pointer", parsePointerMessage(data));
    case "input":
      return routed("input", parseInputMessage(data));
  }
}

type WithoutSeq<T> = T extends unknown ? Omit<T, "seq"> : never;

/** An input message as its sender gives it: the channel numbers it. */
export type InputWithoutSeq = WithoutSeq<InputMessage>;

const emptyCounts = (): ChannelCounts => ({ received: 0, malformed: 0, oversized: 0, outOfOrder: 0 });

/** The file channel takes chunks until this much is queued, then waits until it drains to the low mark. */
export const FILE_HIGH_WATER_BYTES = 1_048_576;
export const FILE_LOW_WATER_BYTES = 262_144;

export class Channels {
  /** Per channel: messages accepted, and messages dropped by reason. */
  readonly counts: Record<ChannelName, ChannelCounts>;
  readonly #channels: Record<ChannelName, DataChannelLike>;
  readonly #events: ChannelEvents;
  readonly #now: () => number;
  /** The last sequence number received, and the last one sent, on the numbered channels. */
  #received = { pointer: -1, input: -1 };
  #sent = { pointer: -1, input: -1 };
  /** Transfer id → the index its next chunk must have. */
  #nextChunk = new Map<number, number>();
  /** "channel reason" → when the far end was last told. */
  #told = new Map<string, number>();
  /** Senders waiting for the file channel to drain. */
  #fileWaiters: ((isOpen: boolean) => void)[] = [];

  constructor(open: OpenChannel, events: ChannelEvents, now: () => number = Date.now) {
    this.#events = events;
    this.#now = now;
    const counts = {} as Record<ChannelName, ChannelCounts>;
    const channels = {} as Record<ChannelName, DataChannelLike>;
    for (const name of CHANNEL_NAMES) {
      const { id, ordered, maxRetransmits, isBinary } = CHANNELS[name];
      const channel = open(name, {
        negotiated: true,
        id,
        ordered,
        ...(maxRetransmits === undefined ? {} : { maxRetransmits }),
      });
      if (isBinary) channel.binaryType = "arraybuffer";
      if (name === "file") {
        channel.bufferedAmountLowThreshold = FILE_LOW_WATER_BYTES;
        channel.addEventListener("bufferedamountlow", () => this.#wakeFileWaiters(channel.readyState === "open"));
        channel.addEventListener("close", () => this.#wakeFileWaiters(false));
      }
      channel.addEventListener("open", () => events.onOpen?.(name));
      channel.addEventListener("message", (event) => this.#receive(name, event.data));
      channels[name] = channel;
      counts[name] = emptyCounts();
    }
    this.#channels = channels;
    this.counts = counts;
  }

  isOpen(name: ChannelName): boolean {
    return this.#channels[name].readyState === "open";
  }

  /**
   * Resolves when the file channel can take more (its queue under FILE_HIGH_WATER_BYTES, else once it drained to the
   * low mark); false when the channel closed meanwhile.
   */
  fileRoom(): Promise<boolean> {
    const channel = this.#channels.file;
    if (channel.readyState !== "open") return Promise.resolve(false);
    if (channel.bufferedAmount < FILE_HIGH_WATER_BYTES) return Promise.resolve(true);
    return new Promise((resolve) => this.#fileWaiters.push(resolve));
  }

  #wakeFileWaiters(isOpen: boolean): void {
    for (const wake of this.#fileWaiters.splice(0)) wake(isOpen);
  }

  /** Each send is false when its channel is not open (nothing is queued for later). */
  sendControl(msg: ControlMessage): boolean {
    return this.#send("control", JSON.stringify(msg));
  }

  sendPointer(msg: WithoutSeq<PointerMessage>): boolean {
    if (!this.isOpen("pointer")) return false;
    return this.#send("pointer", JSON.stringify({ ...msg, seq: ++this.#sent.pointer }));
  }

  sendInput(msg: InputWithoutSeq): boolean {
    if (!this.isOpen("input")) return false;
    return this.#send("input", JSON.stringify({ ...msg, seq: ++this.#sent.input }));
  }

  sendFileChunk(chunk: FileChunk): boolean {
    return this.#send("file", encodeFileChunk(chunk));
  }

  /** Forgets a finished or cancelled transfer: a chunk of it that still arrives is out of order. */
  endTransfer(transfer: number): void {
    this.#nextChunk.set(transfer, Number.POSITIVE_INFINITY);
  }

  #send(name: ChannelName, data: string | Uint8Array<ArrayBuffer>): boolean {
    const channel = this.#channels[name];
    if (channel.readyState !== "open") return false;
    try {
      channel.send(data);
      return true;
    } catch {
      // Closed between the check and the send, or its buffer is full.
      return false;
    }
  }

  #receive(name: ChannelName, data: unknown): void {
    const parsed = parseOn(name, data);
    if (!parsed.ok) {
      this.#drop(name, parsed.error.code === "MESSAGE_TOO_LARGE" ? "oversized" : "malformed");
      return;
    }
    const routed = parsed.msg;
    if (!this.#isInOrder(routed)) {
      this.#drop(name, "outOfOrder");
      return;
    }
    this.counts[name].received++;
    const events = this.#events;
    switch (routed.channel) {
      case "control":
        if (routed.msg.type === "dropped") events.onDropped?.(routed.msg.channel, routed.msg.reason, true);
        else events.onControl?.(routed.msg);
        return;
      case "pointer":
        events.onPointer?.(routed.msg);
        return;
      case "input":
        events.onInput?.(routed.msg);
        return;
      case "file":
        events.onFileChunk?.(routed.msg);
        return;
    }
  }

  #isInOrder(routed: Routed): boolean {
    switch (routed.channel) {
      case "control":
        return true;
      case "pointer":
      case "input":
        return this.#inOrder(routed.channel, routed.msg.seq);
      case "file":
        return this.#isNextChunk(routed.msg);
    }
  }

  #inOrder(name: "pointer" | "input", seq: number): boolean {
    if (seq <= this.#received[name]) return false;
    this.#received[name] = seq;
    return true;
  }

  #isNextChunk({ transfer, index }: FileChunk): boolean {
    const expected = this.#nextChunk.get(transfer) ?? 0;
    if (index !== expected) return false;
    this.#nextChunk.delete(transfer);
    this.#nextChunk.set(transfer, index + 1);
    if (this.#nextChunk.size > MAX_TRANSFERS) {
      const [oldest] = this.#nextChunk.keys();
      if (oldest !== undefined) this.#nextChunk.delete(oldest);
    }
    return true;
  }

  #drop(name: ChannelName, reason: DropReason): void {
    this.counts[name][reason]++;
    this.#events.onDropped?.(name, reason, false);
    const key = `${name} ${reason}`;
    const now = this.#now();
    const last = this.#told.get(key);
    if (last !== undefined && now - last < TELL_INTERVAL_MS) return;
    if (this.sendControl({ type: "dropped", channel: name, reason })) this.#told.set(key, now);
  }
}
