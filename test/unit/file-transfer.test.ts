import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import type { Channels } from "../../client/core/channels.ts";
import { type FileSource, FileTransfers } from "../../client/core/file-transfer.ts";
import { FILE_CHUNK_BYTES } from "../../worker/protocol/channels.ts";
import { joined } from "../helpers/memory-channels.ts";

// Files between two ends of a connection's data channels (in-memory, through the real parsers and routing), on a
// clock the test moves: offer, accept or refuse, chunks in order with backpressure, the SHA-256 checked before Save,
// cancel from either side, and what a far end cannot do (send past the size, skip a chunk, send too much).

const MAX = 40 * FILE_CHUNK_BYTES;

function source(bytes: Uint8Array, name = "report.pdf"): FileSource {
  return { name, size: bytes.byteLength, mime: "application/pdf", read: async (s, e) => bytes.slice(s, e) };
}

function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i += 65_536) crypto.getRandomValues(bytes.subarray(i, Math.min(n, i + 65_536)));
  return bytes;
}

function setUp() {
  const clock = { now: 1_000 };
  const ends: { customer?: FileTransfers; technician?: FileTransfers } = {};
  const channels = joined(
    { onControl: (msg) => ends.customer?.control(msg), onFileChunk: (c) => ends.customer?.chunk(c) },
    { onControl: (msg) => ends.technician?.control(msg), onFileChunk: (c) => ends.technician?.chunk(c) },
    () => clock.now,
  );
  const linkOf = (c: Channels) => ({
    sendControl: (msg: Parameters<Channels["sendControl"]>[0]) => c.sendControl(msg),
    sendChunk: (chunk: Parameters<Channels["sendFileChunk"]>[0]) => c.sendFileChunk(chunk),
    room: () => c.fileRoom(),
    endTransfer: (id: number) => c.endTransfer(id),
  });
  ends.customer = new FileTransfers(
    linkOf(channels.a),
    true,
    () => MAX,
    () => clock.now,
    () => {},
  );
  ends.technician = new FileTransfers(
    linkOf(channels.b),
    false,
    () => MAX,
    () => clock.now,
    () => {},
  );
  return { clock, customer: ends.customer, technician: ends.technician, raw: channels.raw };
}

/** Lets the sender's loop (promises) run until it settles. */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe("file transfers", () => {
  it("send nothing before the receiver accepts, then the whole file, checked by its SHA-256", async () => {
    const { customer, technician } = setUp();
    const bytes = randomBytes(3 * FILE_CHUNK_BYTES + 123);
    expect(technician.offer(source(bytes))).toBeNull();
    const [offered] = customer.transfers;
    expect(offered).toMatchObject({ direction: "in", name: "report.pdf", size: bytes.byteLength, state: "incoming" });
    await settle();
    expect(customer.transfers[0]?.bytes).toBe(0);
    customer.accept(offered?.id ?? 0);
    await settle();
    const digest = bytesToHex(sha256(bytes));
    expect(customer.transfers[0]).toMatchObject({ state: "done", bytes: bytes.byteLength, sha256: digest });
    expect(technician.transfers[0]).toMatchObject({ state: "done", sha256: digest });
    const parts = customer.received(offered?.id ?? 0) ?? [];
    expect(Buffer.concat(parts)).toEqual(Buffer.from(bytes));
  });

  it("give the two sides' transfers distinct numbers", async () => {
    const { customer, technician } = setUp();
    customer.offer(source(randomBytes(10), "a.txt"));
    technician.offer(source(randomBytes(10), "b.txt"));
    expect(customer.transfers.map((t) => `${t.direction}${t.id}`).sort()).toEqual(["in2", "out1"]);
    await settle();
  });

  it("wait for a full file channel to drain (backpressure), reporting progress with rate and time left", async () => {
    const { clock, customer, technician, raw } = setUp();
    const bytes = randomBytes(MAX);
    raw.a.file.isHeld = true;
    customer.offer(source(bytes, "big.bin"));
    technician.accept(technician.transfers[0]?.id ?? 0);
    clock.now += 1_000;
    await settle();
    // The loop stopped at the high-water mark rather than queue the whole file.
    expect(raw.a.file.bufferedAmount).toBeGreaterThanOrEqual(1_048_576);
    expect(raw.a.file.bufferedAmount).toBeLessThanOrEqual(1_048_576 + 2 * FILE_CHUNK_BYTES);
    const sending = customer.transfers[0];
    expect(sending?.state).toBe("sending");
    expect(sending?.bytes).toBeLessThan(bytes.byteLength);
    expect(sending?.rate).toBeGreaterThan(0);
    expect(sending?.secondsLeft).toBeGreaterThan(0);
    while (customer.transfers[0]?.state === "sending") {
      raw.a.file.drain();
      await settle();
    }
    raw.a.file.drain();
    await settle();
    expect(technician.transfers[0]).toMatchObject({ state: "done", sha256: bytesToHex(sha256(bytes)) });
  });

  it("refuse and cancel from either side, and refuse a file over the session's limit without asking", async () => {
    const { customer, technician } = setUp();
    technician.offer(source(randomBytes(100), "one"));
    customer.refuse(customer.transfers[0]?.id ?? 0);
    expect(technician.transfers[0]?.state).toBe("refused");

    expect(customer.offer(source(randomBytes(MAX + 1), "huge"))).toBe("tooLarge");
    expect(customer.offer(source(new Uint8Array(0), "empty"))).toBe("empty");

    technician.offer(source(randomBytes(5 * FILE_CHUNK_BYTES), "two"));
    const id = customer.transfers.at(-1)?.id ?? 0;
    customer.cancel(id);
    expect(technician.transfers.at(-1)?.state).toBe("cancelled");
    expect(customer.transfers.at(-1)?.state).toBe("cancelled");

    // A far end that offers more than the limit is answered no at once.
    technician.control({ type: "fileOffer", transfer: 9, name: "x", size: MAX + 1, mime: "" });
    expect(technician.transfers.find((t) => t.id === 9)?.state).toBe("refused");
  });

  it("mark a file corrupt when its bytes do not hash to the sender's SHA-256, and never offer it for saving", async () => {
    const { customer, technician, raw } = setUp();
    const bytes = randomBytes(2 * FILE_CHUNK_BYTES);
    technician.offer(source(bytes));
    // One byte changes on the way: the channel stand-in flips it in the second chunk.
    const send = raw.b.file.send.bind(raw.b.file);
    let chunks = 0;
    raw.b.file.send = (data) => {
      const frame = new Uint8Array(data as Uint8Array<ArrayBuffer>);
      if (++chunks === 2) frame[100] = (frame[100] ?? 0) ^ 0xff;
      send(frame);
    };
    const id = customer.transfers[0]?.id ?? 0;
    customer.accept(id);
    await settle();
    expect(customer.transfers[0]?.state).toBe("corrupt");
    expect(customer.received(id)).toBeNull();
  });

  it("fail a transfer whose chunks go past its size, or whose connection closes", async () => {
    const { customer } = setUp();
    customer.control({ type: "fileOffer", transfer: 4, name: "x", size: 10, mime: "" });
    customer.accept(4);
    customer.chunk({ transfer: 4, index: 0, data: new Uint8Array(11) });
    expect(customer.transfers[0]?.state).toBe("failed");
    customer.control({ type: "fileOffer", transfer: 6, name: "y", size: 10, mime: "" });
    customer.disconnected();
    expect(customer.transfers[1]?.state).toBe("failed");
  });
});
