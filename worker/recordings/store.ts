// Where recordings' bytes live: an R2 bucket on Workers (r2-store.ts), files under the data directory on the Deno
// host (deno/recording-files.ts). Both are multipart uploads: parts numbered from 1, every part but the last the same
// size, put together by `complete`.

/** A part as the store tagged it. */
export type StoredPart = { part: number; etag: string };

/** A stored recording's bytes, to stream to a player. */
export type StoredObject = { size: number; body: ReadableStream<Uint8Array> };

/** What routes and the sweep need of a recordings store. */
export type RecordingStore = {
  /** Starts a multipart upload to `key`; returns its id. */
  begin(key: string): Promise<string>;
  /** Stores part `part` of the upload; returns its tag. */
  putPart(key: string, uploadId: string, part: number, bytes: Uint8Array): Promise<string>;
  /** Puts the parts together as `key`, and says the whole object's size and SHA-256 (hex). */
  complete(key: string, uploadId: string, parts: StoredPart[]): Promise<{ size: number; sha256: string }>;
  /** Drops an upload and its parts. */
  abort(key: string, uploadId: string): Promise<void>;
  /** The object's bytes, or null. */
  get(key: string): Promise<StoredObject | null>;
  delete(key: string): Promise<void>;
};

/** Hex of a digest. */
export function hex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
}
