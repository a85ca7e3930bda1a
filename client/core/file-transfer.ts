import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { FILE_CHUNK_BYTES, type FileChunk } from "#protocol/channels.ts";
import type { ControlMessage } from "#protocol/control.ts";

// Files both ways over the connection's `file` channel, peer to peer: the sender offers (name, size, type), nothing
// goes before the receiver accepts, chunks of 64 KiB follow in order with backpressure, and the sender's SHA-256 of
// the whole file (hashed as it streams) comes last; the receiver hashes what arrived and offers Save only when both
// agree. Either side can cancel. No DOM and no clock of its own: the page passes the file's bytes, the channels and
// the time, and draws `transfers`.

export type TransferState =
  /** Offered by this side; waiting for the other to accept. */
  | "offered"
  /** Offered by the other side; waiting for this side's person. */
  | "incoming"
  | "sending"
  | "receiving"
  /** Received whole and its SHA-256 matches the sender's: ready to save. */
  | "done"
  | "refused"
  | "cancelled"
  /** Received whole, but its SHA-256 differs from the sender's: not offered for saving. */
  | "corrupt"
  /** The connection went, or the other side broke the rules (too big, chunks past the size). */
  | "failed";

export type Transfer = {
  id: number;
  direction: "out" | "in";
  name: string;
  size: number;
  mime: string;
  state: TransferState;
  /** Bytes sent or received so far. */
  bytes: number;
  /** Bytes per second over the transfer so far, once it started. */
  rate: number | null;
  /** Seconds left at that rate. */
  secondsLeft: number | null;
  /** The file's SHA-256 (hex): the sender's, once known; for a received file, the one both sides agree on. */
  sha256: string | null;
};

/** A file this side sends: its name, size, type and a way to read any part of it. */
export type FileSource = {
  name: string;
  size: number;
  mime: string;
  read(start: number, end: number): Promise<Uint8Array>;
};

/** What the transfers need from the connection and the page. */
export type TransferLink = {
  sendControl(msg: ControlMessage): boolean;
  sendChunk(chunk: FileChunk): boolean;
  /** Resolves when the file channel can take more; false when it closed. */
  room(): Promise<boolean>;
  /** Forgets what the channels remember of a transfer's chunk order. */
  endTransfer(id: number): void;
};

/** Why an offer of this side's was not made. */
export type OfferRefusal = "tooLarge" | "empty";

/**
 * A file being received. `claimed` is the sender's SHA-256 once its fileDone came: on the control channel, which is
 * another stream than the file's, so it can overtake the last chunks; the check waits for the whole file.
 */
type Incoming = { parts: Uint8Array[]; hash: ReturnType<typeof sha256.create>; claimed: string | null };

/** Progress is reported (and the page redrawn) at most this often while bytes flow; the end always is. */
export const PROGRESS_EVERY_MS = 100;

/** A sender reads this many chunks of its file at once, and sends them one by one. */
const READ_CHUNKS = 16;

export class FileTransfers {
  readonly #list = new Map<number, Transfer>();
  readonly #sources = new Map<number, FileSource>();
  readonly #incoming = new Map<number, Incoming>();
  readonly #startedAt = new Map<number, number>();
  readonly #reportedAt = new Map<number, number>();
  #nextId: number;
  readonly #link: TransferLink;
  readonly #maxBytes: () => number;
  readonly #now: () => number;
  readonly #onChange: () => void;

  /** The customer's side (`isCustomerSide`) numbers its transfers odd, a technician's even. */
  constructor(
    link: TransferLink,
    isCustomerSide: boolean,
    maxBytes: () => number,
    now: () => number,
    onChange: () => void,
  ) {
    this.#link = link;
    this.#maxBytes = maxBytes;
    this.#now = now;
    this.#onChange = onChange;
    this.#nextId = isCustomerSide ? 1 : 2;
  }

  /** Every transfer, oldest first. */
  get transfers(): Transfer[] {
    return [...this.#list.values()];
  }

  /** Offers `source` to the other side; a refusal says why it was not offered. */
  offer(source: FileSource): OfferRefusal | null {
    if (source.size > this.#maxBytes()) return "tooLarge";
    if (source.size === 0) return "empty";
    const id = this.#nextId;
    this.#nextId += 2;
    this.#sources.set(id, source);
    this.#list.set(id, this.#blank(id, "out", source, "offered"));
    this.#link.sendControl({
      type: "fileOffer",
      transfer: id,
      name: source.name,
      size: source.size,
      mime: source.mime,
    });
    this.#onChange();
    return null;
  }

  /** This side's person accepts an incoming file. */
  accept(id: number): void {
    const transfer = this.#list.get(id);
    if (transfer?.state !== "incoming") return;
    this.#incoming.set(id, { parts: [], hash: sha256.create(), claimed: null });
    this.#startedAt.set(id, this.#now());
    this.#set(id, { state: "receiving" });
    this.#link.sendControl({ type: "fileAnswer", transfer: id, isAccepted: true });
  }

  refuse(id: number): void {
    if (this.#list.get(id)?.state !== "incoming") return;
    this.#set(id, { state: "refused" });
    this.#link.sendControl({ type: "fileAnswer", transfer: id, isAccepted: false });
  }

  /** Stops a transfer either way; the other side is told. */
  cancel(id: number): void {
    const transfer = this.#list.get(id);
    if (!transfer || !["offered", "incoming", "sending", "receiving"].includes(transfer.state)) return;
    this.#finish(id, "cancelled");
    this.#link.sendControl({ type: "fileCancel", transfer: id });
  }

  /** The bytes of a received file whose hash matched, for the page to save. */
  received(id: number): Uint8Array[] | null {
    return this.#list.get(id)?.state === "done" ? (this.#incoming.get(id)?.parts ?? null) : null;
  }

  /** The connection closed: what was under way failed. */
  disconnected(): void {
    for (const transfer of this.#list.values()) {
      if (["offered", "incoming", "sending", "receiving"].includes(transfer.state)) this.#finish(transfer.id, "failed");
    }
  }

  /** A message from the other side on the control channel; true when it was one of the transfers'. */
  control(msg: ControlMessage): boolean {
    switch (msg.type) {
      case "fileOffer": {
        if (this.#list.has(msg.transfer)) return true;
        const transfer = this.#blank(msg.transfer, "in", msg, "incoming");
        this.#list.set(msg.transfer, transfer);
        // Too big for this session: refused without asking the person.
        if (msg.size > this.#maxBytes() || msg.size === 0) {
          this.#set(msg.transfer, { state: "refused" });
          this.#link.sendControl({ type: "fileAnswer", transfer: msg.transfer, isAccepted: false });
        }
        this.#onChange();
        return true;
      }
      case "fileAnswer":
        if (this.#list.get(msg.transfer)?.state !== "offered") return true;
        if (msg.isAccepted) void this.#send(msg.transfer);
        else this.#finish(msg.transfer, "refused");
        return true;
      case "fileCancel":
        if (this.#list.has(msg.transfer)) this.#finish(msg.transfer, "cancelled");
        return true;
      case "fileDone":
        this.#done(msg.transfer, msg.sha256);
        return true;
      default:
        return false;
    }
  }

  /** A chunk from the file channel (in order: the channels dropped any out of it). */
  chunk(chunk: FileChunk): void {
    const transfer = this.#list.get(chunk.transfer);
    const incoming = this.#incoming.get(chunk.transfer);
    if (transfer?.state !== "receiving" || !incoming) return;
    if (transfer.bytes + chunk.data.byteLength > transfer.size) {
      this.#finish(chunk.transfer, "failed");
      this.#link.sendControl({ type: "fileCancel", transfer: chunk.transfer });
      return;
    }
    incoming.parts.push(chunk.data);
    incoming.hash.update(chunk.data);
    this.#progress(chunk.transfer, transfer.bytes + chunk.data.byteLength);
    if (incoming.claimed !== null && transfer.bytes + chunk.data.byteLength === transfer.size) {
      this.#check(chunk.transfer, incoming.claimed);
    }
  }

  async #send(id: number): Promise<void> {
    const source = this.#sources.get(id);
    if (!source) return;
    this.#startedAt.set(id, this.#now());
    this.#set(id, { state: "sending" });
    const hash = sha256.create();
    let index = 0;
    const block = FILE_CHUNK_BYTES * READ_CHUNKS;
    for (let blockStart = 0; blockStart < source.size; blockStart += block) {
      const bytes = await source.read(blockStart, Math.min(source.size, blockStart + block));
      for (let offset = 0; offset < bytes.byteLength; offset += FILE_CHUNK_BYTES) {
        if (this.#list.get(id)?.state !== "sending") return;
        if (!(await this.#link.room())) return this.#finish(id, "failed");
        if (this.#list.get(id)?.state !== "sending") return;
        const data = bytes.subarray(offset, Math.min(bytes.byteLength, offset + FILE_CHUNK_BYTES));
        hash.update(data);
        if (!this.#link.sendChunk({ transfer: id, index, data })) return this.#finish(id, "failed");
        index += 1;
        this.#progress(id, blockStart + offset + data.byteLength);
      }
    }
    const digest = bytesToHex(hash.digest());
    this.#link.sendControl({ type: "fileDone", transfer: id, sha256: digest });
    this.#set(id, { state: "done", sha256: digest, secondsLeft: 0 });
    this.#sources.delete(id);
  }

  /** The sender says it sent everything: checked now if every byte is in, else when the last one arrives. */
  #done(id: number, claimed: string): void {
    const transfer = this.#list.get(id);
    const incoming = this.#incoming.get(id);
    if (transfer?.state !== "receiving" || !incoming) return;
    incoming.claimed = claimed;
    if (transfer.bytes === transfer.size) this.#check(id, claimed);
  }

  #check(id: number, claimed: string): void {
    const transfer = this.#list.get(id);
    const incoming = this.#incoming.get(id);
    if (transfer?.state !== "receiving" || !incoming) return;
    this.#link.endTransfer(id);
    const digest = bytesToHex(incoming.hash.digest());
    const isWhole = transfer.bytes === transfer.size;
    if (isWhole && digest === claimed) {
      this.#set(id, { state: "done", sha256: digest, secondsLeft: 0 });
    } else {
      this.#incoming.delete(id);
      this.#set(id, { state: isWhole ? "corrupt" : "failed", sha256: claimed });
    }
  }

  #progress(id: number, bytes: number): void {
    const transfer = this.#list.get(id);
    const started = this.#startedAt.get(id);
    if (!transfer || started === undefined) return;
    const now = this.#now();
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? bytes / seconds : null;
    const secondsLeft = rate ? (transfer.size - bytes) / rate : null;
    const next = { ...transfer, bytes, rate, secondsLeft };
    this.#list.set(id, next);
    // Every chunk counts; the page hears of it a few times a second, and at the end.
    if (bytes < transfer.size && now - (this.#reportedAt.get(id) ?? Number.NEGATIVE_INFINITY) < PROGRESS_EVERY_MS)
      return;
    this.#reportedAt.set(id, now);
    this.#onChange();
  }

  #finish(id: number, state: TransferState): void {
    this.#sources.delete(id);
    if (state !== "done") this.#incoming.delete(id);
    this.#link.endTransfer(id);
    this.#set(id, { state });
  }

  #set(id: number, patch: Partial<Transfer>): void {
    const transfer = this.#list.get(id);
    if (!transfer) return;
    this.#list.set(id, { ...transfer, ...patch });
    this.#onChange();
  }

  #blank(
    id: number,
    direction: Transfer["direction"],
    file: { name: string; size: number; mime: string },
    state: TransferState,
  ): Transfer {
    const { name, size, mime } = file;
    return { id, direction, name, size, mime, state, bytes: 0, rate: null, secondsLeft: null, sha256: null };
  }
}
