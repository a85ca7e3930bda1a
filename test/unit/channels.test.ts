import { describe, expect, it } from "vitest";
import { CHANNEL_NAMES } from "../../client/core/channels.ts";
import { CHANNELS, encodeFileChunk, FILE_CHUNK_BYTES, type FileChunk } from "../../worker/protocol/channels.ts";
import type { ChannelName } from "../../worker/protocol/control.ts";
import { asReceived, fuzzPayload, Rng } from "../helpers/fuzz.ts";
import { connected, end } from "../helpers/memory-channels.ts";

// The data channels of one connection, as client/core/channels.ts opens and routes them, between two ends joined by
// in-memory stand-ins for the runtime's data channels (the browser's or the agent's): what the table promises, and
// that nothing a far end sends can throw or stop the channels working.

const chunk = (transfer: number, index: number, bytes = 4): FileChunk => ({
  transfer,
  index,
  data: new Uint8Array(bytes).fill(index % 256),
});

describe("the data channels' table", () => {
  it("opens every channel negotiated, with its id, ordering and reliability, binary where it says", () => {
    const { raw } = end(() => 0);
    expect(Object.keys(raw).sort()).toEqual(["control", "file", "input", "pointer"]);
    for (const name of CHANNEL_NAMES) {
      const { id, ordered, maxRetransmits, isBinary } = CHANNELS[name];
      expect(raw[name].init).toEqual({
        negotiated: true,
        id,
        ordered,
        ...(maxRetransmits === undefined ? {} : { maxRetransmits }),
      });
      expect(raw[name].binaryType).toBe(isBinary ? "arraybuffer" : "blob");
    }
    expect(new Set(CHANNEL_NAMES.map((name) => CHANNELS[name].id)).size).toBe(CHANNEL_NAMES.length);
    expect(CHANNELS.pointer).toMatchObject({ ordered: false, maxRetransmits: 0 });
    expect(CHANNELS.input.maxRetransmits).toBeUndefined();
  });

  it("routes each channel's messages to its own handler, numbered in order", () => {
    const { a, b } = connected();
    expect(a.channels.sendControl({ type: "sharing", state: "live", surface: "monitor" })).toBe(true);
    expect(a.channels.sendPointer({ type: "pointer", x: 0.25, y: 1 })).toBe(true);
    expect(a.channels.sendPointer({ type: "pointer", x: 0.5, y: 0 })).toBe(true);
    expect(a.channels.sendInput({ type: "key", code: "KeyA", isDown: true })).toBe(true);
    expect(a.channels.sendFileChunk(chunk(7, 0, FILE_CHUNK_BYTES))).toBe(true);
    expect(a.channels.sendFileChunk(chunk(7, 1))).toBe(true);
    expect(b.heard.control).toEqual([{ type: "sharing", state: "live", surface: "monitor" }]);
    expect(b.heard.pointer.map((m) => [m.seq, m.x])).toEqual([
      [0, 0.25],
      [1, 0.5],
    ]);
    expect(b.heard.input).toEqual([{ type: "key", code: "KeyA", isDown: true, seq: 0 }]);
    expect(b.heard.file.map((c) => [c.transfer, c.index, c.data.byteLength])).toEqual([
      [7, 0, FILE_CHUNK_BYTES],
      [7, 1, 4],
    ]);
    expect(b.channels.counts.pointer).toEqual({ received: 2, malformed: 0, oversized: 0, outOfOrder: 0 });
    expect(b.heard.dropped).toEqual([]);
  });

  it("says false, and sends nothing, on a channel that is not open", () => {
    const { channels } = end(() => 0);
    expect(channels.sendControl({ type: "ping", nonce: "n" })).toBe(false);
    expect(channels.sendPointer({ type: "pointer", x: 0, y: 0 })).toBe(false);
    expect(channels.sendFileChunk(chunk(1, 0))).toBe(false);
  });

  it("drops and counts what is oversized, malformed or of the wrong kind, and tells the sender", () => {
    const { a, b } = connected();
    b.raw.pointer.deliver(JSON.stringify({ type: "pointer", seq: 0, x: 0.5, y: 0.5, pad: "x".repeat(300) }));
    b.raw.input.deliver("{not json");
    b.raw.input.deliver(JSON.stringify({ type: "key", seq: 1, code: "Key A", isDown: true }));
    b.raw.control.deliver(new ArrayBuffer(8));
    b.raw.file.deliver("text on the file channel");
    b.raw.file.deliver(new ArrayBuffer(CHANNELS.file.maxBytes + 1));
    b.raw.file.deliver(encodeFileChunk(chunk(1, 0)).buffer.slice(0, 9));
    expect(b.heard.dropped).toEqual([
      "pointer oversized",
      "input malformed",
      "input malformed",
      "control malformed",
      "file malformed",
      "file oversized",
      "file malformed",
    ]);
    // Each (channel, reason) is told once: the second malformed input and the second malformed file message are not.
    expect(a.heard.told).toEqual([
      "pointer oversized",
      "input malformed",
      "control malformed",
      "file malformed",
      "file oversized",
    ]);
    expect(b.channels.counts.input).toEqual({ received: 0, malformed: 2, oversized: 0, outOfOrder: 0 });
    // And the channels still work.
    a.channels.sendInput({ type: "wheel", dx: 0, dy: -3 });
    expect(b.heard.input).toEqual([{ type: "wheel", dx: 0, dy: -3, seq: 0 }]);
  });

  it("drops pointer and input messages that come out of order, and file chunks that skip or repeat", () => {
    const { b } = connected();
    const pointer = (seq: number) => JSON.stringify({ type: "pointer", seq, x: 0, y: 0 });
    for (const seq of [3, 1, 3, 4]) b.raw.pointer.deliver(pointer(seq));
    expect(b.heard.pointer.map((m) => m.seq)).toEqual([3, 4]);
    expect(b.channels.counts.pointer).toEqual({ received: 2, malformed: 0, oversized: 0, outOfOrder: 2 });
    const key = (seq: number) => JSON.stringify({ type: "key", seq, code: "Enter", isDown: false });
    for (const seq of [0, 0, 1]) b.raw.input.deliver(key(seq));
    expect(b.heard.input.map((m) => m.seq)).toEqual([0, 1]);
    const send = (c: FileChunk) => b.raw.file.deliver(encodeFileChunk(c).buffer);
    for (const c of [chunk(5, 1), chunk(5, 0), chunk(5, 0), chunk(5, 2), chunk(5, 1), chunk(6, 0)]) send(c);
    expect(b.heard.file.map((c) => `${c.transfer}:${c.index}`)).toEqual(["5:0", "5:1", "6:0"]);
    b.channels.endTransfer(6);
    send(chunk(6, 1));
    expect(b.channels.counts.file).toEqual({ received: 3, malformed: 0, oversized: 0, outOfOrder: 4 });
  });

  it("tells the sender about one kind of drop at most once a second", () => {
    const { a, b, clock } = connected();
    const burst = () => {
      for (let i = 0; i < 10; i++) b.raw.pointer.deliver("[]");
    };
    burst();
    clock.now = 999;
    burst();
    expect(a.heard.told).toEqual(["pointer malformed"]);
    clock.now = 1_000;
    burst();
    expect(a.heard.told).toEqual(["pointer malformed", "pointer malformed"]);
    expect(b.channels.counts.pointer.malformed).toBe(30);
  });

  it("survives thousands of mutated messages on every channel and still carries each one", () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20_261_202);
    const { a, b } = connected();
    const templates: Record<ChannelName, Record<string, unknown>> = {
      control: { type: "sharing", state: "live", surface: "window" },
      pointer: { type: "pointer", seq: 1, x: 0.5, y: 0.5 },
      input: { type: "button", seq: 1, button: "left", isDown: true, x: 0.1, y: 0.9 },
      file: { type: "chunk" },
    };
    let sent = 0;
    for (const name of CHANNEL_NAMES) {
      const rng = Rng.derive(seed, `channel ${name}`);
      for (let i = 0; i < 750; i++) {
        const fuzzed = fuzzPayload(rng, templates[name], { maxBytes: CHANNELS[name].maxBytes });
        let data = asReceived(fuzzed.data);
        // The file channel reads bytes: a random header and body, or the mutated text's bytes.
        if (name === "file" && typeof data === "string" && rng.int(2) === 0) {
          const bytes = new Uint8Array(rng.int(40));
          for (let j = 0; j < bytes.length; j++) bytes[j] = rng.int(256);
          data = bytes.buffer;
        }
        expect(() => b.raw[name].deliver(data), `${name}: ${fuzzed.how} (seed ${seed})`).not.toThrow();
        sent++;
      }
    }
    const counted = CHANNEL_NAMES.reduce((sum, name) => {
      const c = b.channels.counts[name];
      return sum + c.received + c.malformed + c.oversized + c.outOfOrder;
    }, 0);
    expect(counted).toBe(sent);
    // Whatever came before, each channel still carries a valid message from the real sender.
    const before = { control: b.heard.control.length, input: b.heard.input.length, file: b.heard.file.length };
    a.channels.sendControl({ type: "sharing", state: "paused", surface: "browser" });
    a.channels.sendInput({ type: "key", code: "Escape", isDown: true });
    a.channels.sendFileChunk(chunk(99, 0));
    expect(b.heard.control.length).toBe(before.control + 1);
    expect(b.heard.file.length).toBe(before.file + 1);
    // The fuzz may have pushed the input sequence far ahead; a sender starting at 0 is then out of order, and told.
    expect(b.heard.input.length + b.channels.counts.input.outOfOrder).toBeGreaterThan(before.input);
  });
});
