import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { hex, type RecordingStore } from "../recordings/store.ts";

/** Whether `path` exists. */
async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** A whole file's size and SHA-256. */
async function hashFile(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hex(hash.digest()) };
}

/**
 * The Deno host's recordings store: files under `root` (the data directory's `recordings`). An upload's parts are
 * files in `uploads/<id>/` until `complete` writes them one after another into the object's file, and then removes
 * them; completing again an upload whose parts are gone reads the object it became.
 */
export function fileStore(root: string): RecordingStore {
  const uploadDir = (uploadId: string) => {
    if (!/^[0-9a-f]{32}$/.test(uploadId)) throw new Error("not an upload id");
    return join(root, "uploads", uploadId);
  };
  const objectPath = (key: string) => {
    if (!/^[A-Za-z0-9_/-]+\.webm$/.test(key) || key.includes("..")) throw new Error("not a recording key");
    return join(root, "objects", key);
  };
  return {
    async begin() {
      const uploadId = randomBytes(16).toString("hex");
      await mkdir(uploadDir(uploadId), { recursive: true });
      return uploadId;
    },
    async putPart(_key, uploadId, part, bytes) {
      await writeFile(join(uploadDir(uploadId), String(part)), bytes);
      return hex(createHash("sha256").update(bytes).digest());
    },
    async complete(key, uploadId, parts) {
      const path = objectPath(key);
      // Completed before, and only the database did not hear of it: the object is there to be read.
      if (!(await exists(uploadDir(uploadId)))) return hashFile(path);
      await mkdir(dirname(path), { recursive: true });
      const out = await open(path, "w");
      const hash = createHash("sha256");
      let size = 0;
      try {
        for (const { part } of [...parts].sort((a, b) => a.part - b.part)) {
          for await (const chunk of createReadStream(join(uploadDir(uploadId), String(part)))) {
            const bytes = chunk as Buffer;
            hash.update(bytes);
            size += bytes.length;
            await out.write(bytes);
          }
        }
      } finally {
        await out.close();
      }
      await rm(uploadDir(uploadId), { recursive: true, force: true });
      return { size, sha256: hex(hash.digest()) };
    },
    async abort(_key, uploadId) {
      await rm(uploadDir(uploadId), { recursive: true, force: true });
    },
    async get(key) {
      const path = objectPath(key);
      try {
        const { size } = await stat(path);
        return { size, body: Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array> };
      } catch {
        return null;
      }
    },
    async delete(key) {
      await rm(objectPath(key), { force: true });
    },
  };
}

/** The uploads on disk (for tests: what an aborted upload leaves behind). */
export async function uploadsOnDisk(root: string): Promise<string[]> {
  try {
    return await readdir(join(root, "uploads"));
  } catch {
    return [];
  }
}
