import { hex, type RecordingStore } from "./store.ts";

/**
 * Recordings in an R2 bucket, as multipart uploads; the SHA-256 is read back from the completed object. Completing
 * again an upload that completed (when D1 failed to mark it) reads the object it became.
 */
export function r2Store(bucket: R2Bucket): RecordingStore {
  return {
    async begin(key) {
      const upload = await bucket.createMultipartUpload(key, { httpMetadata: { contentType: "video/webm" } });
      return upload.uploadId;
    },
    async putPart(key, uploadId, part, bytes) {
      const uploaded = await bucket.resumeMultipartUpload(key, uploadId).uploadPart(part, bytes);
      return uploaded.etag;
    },
    async complete(key, uploadId, parts) {
      try {
        await bucket
          .resumeMultipartUpload(key, uploadId)
          .complete(parts.map(({ part, etag }) => ({ partNumber: part, etag })));
      } catch (err) {
        // Completed before, and only D1 did not hear of it: the object is there to be read.
        if (!(await bucket.head(key))) throw err;
      }
      const object = await bucket.get(key);
      if (!object) throw new Error("the completed recording is missing");
      const digest = new crypto.DigestStream("SHA-256");
      await object.body.pipeTo(digest);
      return { size: object.size, sha256: hex(await digest.digest) };
    },
    async abort(key, uploadId) {
      await bucket.resumeMultipartUpload(key, uploadId).abort();
    },
    async get(key) {
      const object = await bucket.get(key);
      return object ? { size: object.size, body: object.body } : null;
    },
    async delete(key) {
      await bucket.delete(key);
    },
  };
}
