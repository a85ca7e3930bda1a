import { CHANNEL_NAMES, type ChannelEvents, Channels, type DataChannelLike } from "../../client/core/channels.ts";
import type { FileChunk, InputMessage, PointerMessage } from "../../worker/protocol/channels.ts";
import type { ChannelName, ControlMessage, DropReason } from "../../worker/protocol/control.ts";

// Two ends of a connection's data channels joined by in-memory stand-ins for the runtime's (the browser's or the
// agent's): what arrives on each end is parsed and routed by client/core/channels.ts, as it is in a page.

/** One end of a channel: delivers synchronously to its peer, as an open SCTP stream would (in order). */
export class MemoryChannel implements DataChannelLike {
  readyState = "connecting";
  binaryType = "blob";
  peer: MemoryChannel | null = null;
  /** While held, sends queue up (bufferedAmount grows) until `drain()`, as a slow network would. */
  isHeld = false;
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  readonly #queue: unknown[] = [];
  readonly #listeners = {
    open: [] as (() => void)[],
    close: [] as (() => void)[],
    bufferedamountlow: [] as (() => void)[],
    message: [] as ((e: { data: unknown }) => void)[],
  };

  constructor(readonly init: { id: number; ordered: boolean; maxRetransmits?: number }) {}

  send(data: string | Uint8Array<ArrayBuffer>): void {
    if (this.readyState !== "open") throw new Error("InvalidStateError");
    const payload = typeof data === "string" ? data : data.slice().buffer;
    if (!this.isHeld) {
      this.peer?.deliver(payload);
      return;
    }
    this.#queue.push(payload);
    this.bufferedAmount += typeof payload === "string" ? payload.length : payload.byteLength;
  }

  /** Delivers what was held, and says the queue is low again. */
  drain(): void {
    for (const payload of this.#queue.splice(0)) this.peer?.deliver(payload);
    this.bufferedAmount = 0;
    for (const listener of this.#listeners.bufferedamountlow) listener();
  }

  /** What arrives from the far end, however it was made (the fuzz sends raw payloads this way). */
  deliver(data: unknown): void {
    for (const listener of this.#listeners.message) listener({ data });
  }

  addEventListener(type: "open" | "close" | "bufferedamountlow", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: string, listener: never): void {
    this.#listeners[type as "open"].push(listener);
  }

  open(): void {
    this.readyState = "open";
    for (const listener of this.#listeners.open) listener();
  }
}

export type Heard = {
  control: ControlMessage[];
  pointer: PointerMessage[];
  input: InputMessage[];
  file: FileChunk[];
  dropped: string[];
  told: string[];
};

export function end(now: () => number) {
  const heard: Heard = { control: [], pointer: [], input: [], file: [], dropped: [], told: [] };
  const raw = {} as Record<ChannelName, MemoryChannel>;
  const events: ChannelEvents = {
    onControl: (msg) => heard.control.push(msg),
    onPointer: (msg) => heard.pointer.push(msg),
    onInput: (msg) => heard.input.push(msg),
    onFileChunk: (chunk) => heard.file.push(chunk),
    onDropped: (channel: ChannelName, reason: DropReason, byPeer: boolean) =>
      (byPeer ? heard.told : heard.dropped).push(`${channel} ${reason}`),
  };
  const channels = new Channels(
    (label, init) => {
      raw[label] = new MemoryChannel(init);
      return raw[label];
    },
    events,
    now,
  );
  return { channels, heard, raw };
}

/** Two ends with every channel open; `clock.now` is both ends' time. */
export function connected() {
  const clock = { now: 0 };
  const a = end(() => clock.now);
  const b = end(() => clock.now);
  for (const name of CHANNEL_NAMES) {
    a.raw[name].peer = b.raw[name];
    b.raw[name].peer = a.raw[name];
    a.raw[name].open();
    b.raw[name].open();
  }
  return { a, b, clock };
}

/** Two ends with every channel open, each routing to its own `events`. */
export function joined(eventsA: ChannelEvents, eventsB: ChannelEvents, now: () => number = () => 0) {
  const raw = { a: {} as Record<ChannelName, MemoryChannel>, b: {} as Record<ChannelName, MemoryChannel> };
  const open = (side: "a" | "b") => (label: ChannelName, init: { id: number; ordered: boolean }) => {
    raw[side][label] = new MemoryChannel(init);
    return raw[side][label];
  };
  const a = new Channels(open("a"), eventsA, now);
  const b = new Channels(open("b"), eventsB, now);
  for (const name of CHANNEL_NAMES) {
    raw.a[name].peer = raw.b[name];
    raw.b[name].peer = raw.a[name];
    raw.a[name].open();
    raw.b[name].open();
  }
  return { a, b, raw };
}
