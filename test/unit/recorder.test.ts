import { describe, expect, it } from "vitest";
import { PartUploader, type RecordingApi } from "../../client/web/src/lib/part-uploader.ts";

// The technician page's part uploader: the recorder's blobs cut into parts of exactly `partBytes`, uploaded in order
// one at a time, the rest sent with complete; the first refusal stops it.

type Call = { kind: "part" | "complete"; part?: number; bytes: number[] };

function fakeApi(refusePart?: number) {
  const calls: Call[] = [];
  let active = 0;
  let maxActive = 0;
  const api: RecordingApi = {
    async putPart(_id, part, blob) {
      active++;
      maxActive = Math.max(maxActive, active);
      const bytes = [...new Uint8Array(await blob.arrayBuffer())];
      active--;
      calls.push({ kind: "part", part, bytes });
      return part === refusePart ? { ok: false, code: "RECORDING_PART_INVALID" } : { ok: true };
    },
    async complete(_id, blob) {
      calls.push({ kind: "complete", bytes: [...new Uint8Array(await blob.arrayBuffer())] });
      return { ok: true };
    },
  };
  return { api, calls, maxActive: () => maxActive };
}

const blob = (...bytes: number[]) => new Blob([new Uint8Array(bytes)]);

describe("PartUploader", () => {
  it("cuts blobs into equal parts across their boundaries, in order, one upload at a time", async () => {
    const { api, calls, maxActive } = fakeApi();
    const uploader = new PartUploader("id", 4, api);
    uploader.push(blob(1, 2, 3));
    uploader.push(blob(4, 5));
    uploader.push(blob(6, 7, 8, 9, 10, 11));
    uploader.push(blob());
    uploader.push(blob(12, 13));
    await uploader.finish();
    expect(calls).toEqual([
      { kind: "part", part: 1, bytes: [1, 2, 3, 4] },
      { kind: "part", part: 2, bytes: [5, 6, 7, 8] },
      { kind: "part", part: 3, bytes: [9, 10, 11, 12] },
      { kind: "complete", bytes: [13] },
    ]);
    expect(maxActive()).toBe(1);
    expect(uploader.uploadedBytes).toBe(13);
  });

  it("completes with an empty tail when the data ended on a part's edge, and takes nothing after finish", async () => {
    const { api, calls } = fakeApi();
    const uploader = new PartUploader("id", 2, api);
    uploader.push(blob(1, 2));
    await uploader.finish();
    uploader.push(blob(3, 4));
    await uploader.finish();
    expect(calls).toEqual([
      { kind: "part", part: 1, bytes: [1, 2] },
      { kind: "complete", bytes: [] },
    ]);
  });

  it("stops at the first refusal and says why", async () => {
    const { api, calls } = fakeApi(1);
    const failures: string[] = [];
    const uploader = new PartUploader("id", 2, api, (code) => failures.push(code));
    uploader.push(blob(1, 2, 3, 4, 5));
    await uploader.finish();
    expect(calls.map((c) => c.kind)).toEqual(["part"]);
    expect(uploader.failed).toBe("RECORDING_PART_INVALID");
    expect(failures).toEqual(["RECORDING_PART_INVALID"]);
  });
});
