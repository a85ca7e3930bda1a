// A recording's upload while it records: the recorder's blobs cut into parts of exactly `partBytes` (R2 needs every
// part but the last to be the same size), sent one after another; the rest goes with `complete`. Runtime-neutral
// (Blob only: no DOM beyond it), so that it is tested in Node.

/** What the uploader needs from the server (HTTP in the page, a fake in tests). */
export type RecordingApi = {
  putPart(id: string, part: number, bytes: Blob): Promise<{ ok: true } | { ok: false; code: string }>;
  complete(id: string, tail: Blob): Promise<{ ok: true } | { ok: false; code: string }>;
};

/**
 * Cuts a recorder's blobs into equal parts and uploads them in order, one at a time. `failed` is set by the first
 * refused upload, after which nothing more is sent.
 */
export class PartUploader {
  #pending: Blob[] = [];
  #pendingBytes = 0;
  #nextPart = 1;
  #queue: Promise<void> = Promise.resolve();
  #isFinished = false;
  /** The error code of the first refused upload. */
  failed: string | null = null;
  /** Bytes the server has taken so far. */
  uploadedBytes = 0;

  constructor(
    private readonly id: string,
    private readonly partBytes: number,
    private readonly api: RecordingApi,
    private readonly onFailure: (code: string) => void = () => {},
  ) {}

  /** Adds the recorder's next blob; every whole part it completes is queued for upload. */
  push(blob: Blob): void {
    if (this.#isFinished || blob.size === 0) return;
    this.#pending.push(blob);
    this.#pendingBytes += blob.size;
    while (this.#pendingBytes >= this.partBytes) {
      const all = new Blob(this.#pending);
      const part = all.slice(0, this.partBytes);
      const rest = all.slice(this.partBytes);
      this.#pending = rest.size > 0 ? [rest] : [];
      this.#pendingBytes = rest.size;
      const number = this.#nextPart++;
      this.#enqueue(() => this.api.putPart(this.id, number, part), part.size);
    }
  }

  /** Sends what is left as the last part and completes the recording; resolves once the server answered. */
  finish(): Promise<void> {
    if (!this.#isFinished) {
      this.#isFinished = true;
      const tail = new Blob(this.#pending);
      this.#pending = [];
      this.#enqueue(() => this.api.complete(this.id, tail), tail.size);
    }
    return this.#queue;
  }

  #enqueue(send: () => ReturnType<RecordingApi["putPart"]>, size: number): void {
    this.#queue = this.#queue.then(async () => {
      if (this.failed) return;
      const result = await send().catch(() => ({ ok: false as const, code: "NETWORK" }));
      if (result.ok) {
        this.uploadedBytes += size;
        return;
      }
      this.failed = result.code;
      this.onFailure(result.code);
    });
  }
}
