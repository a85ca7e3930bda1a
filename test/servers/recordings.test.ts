import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ErrorBody } from "#protocol/errors.ts";
import type { PlaybackUrl, RecordingList, StartedRecording } from "#protocol/recordings.ts";
import type { CreatedSession } from "#protocol/sessions.ts";
import { newSeatKey } from "../helpers/handshake.ts";
import { SERVER_NAMES, startServer, type TestServer } from "../helpers/node/servers.ts";
import { enrolTechnician, postJson, type SignedIn } from "../helpers/node/technicians.ts";

// The recording upload on both hosts (R2 kept by wrangler dev; files under the Deno host's data directory), with
// RECORDING_POLICY "always": parts of exactly RECORDING_PART_BYTES, the rest with complete, its SHA-256, playback
// through a signed link and deletion.

const PART = 5 * 1024 * 1024;
const VARS = { RECORDING_POLICY: "always", RATE_CREATE_PER_MIN: "10000" };

const synthetic = (size: number, seed: number) => Uint8Array.from({ length: size }, (_, i) => (i * 13 + seed) & 0xff);
const sha256 = (...parts: Uint8Array[]) => {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
};

describe.each(SERVER_NAMES)("%s", (name) => {
  let server: TestServer;
  let tech: SignedIn;

  beforeAll(async () => {
    server = await startServer(name, { vars: VARS });
    tech = await enrolTechnician(server, "Rory Recorder");
  });

  afterAll(async () => {
    await server?.stop();
  });

  const call = (method: string, path: string, body?: Uint8Array) =>
    fetch(`${server.origin}${path}`, {
      method,
      headers: { Origin: server.origin, Cookie: tech.cookie },
      body: body as BodyInit | undefined,
    });

  it("takes equal parts, completes with the SHA-256, plays through a signed link and deletes", async () => {
    const { customerKeyHash } = await newSeatKey();
    const created = await postJson(server, "/api/sessions", { customerKeyHash }, tech.cookie);
    const { code } = (await created.json()) as CreatedSession;
    const start = await call("POST", `/api/sessions/${code}/recordings`);
    expect(start.status).toBe(201);
    const { id, partBytes } = (await start.json()) as StartedRecording;
    expect(partBytes).toBe(PART);

    const part = synthetic(PART, 1);
    const tail = synthetic(4_321, 2);
    const wrong = await call("PUT", `/api/recordings/${id}/parts/1`, synthetic(10, 0));
    expect(((await wrong.json()) as ErrorBody).error.code).toBe("RECORDING_PART_INVALID");
    expect((await call("PUT", `/api/recordings/${id}/parts/1`, part)).status).toBe(200);
    const done = await call("POST", `/api/recordings/${id}/complete`, tail);
    expect(await done.json()).toEqual({ id, size: PART + 4_321, sha256: sha256(part, tail) });

    const list = (await (await call("GET", `/api/recordings?session=${code}`)).json()) as RecordingList;
    expect(list.recordings).toMatchObject([{ id, state: "complete", sha256: sha256(part, tail) }]);
    const play = (await (await call("POST", `/api/recordings/${id}/play`)).json()) as PlaybackUrl;
    const media = await fetch(`${server.origin}${play.url}`);
    expect(media.status).toBe(200);
    expect(sha256(new Uint8Array(await media.arrayBuffer()))).toBe(sha256(part, tail));
    const forgedUrl = play.url.replace(/sig=(.)/, (_, first: string) => `sig=${first === "A" ? "B" : "A"}`);
    const forged = await fetch(`${server.origin}${forgedUrl}`);
    expect(forged.status).toBe(403);

    expect((await call("DELETE", `/api/recordings/${id}`)).status).toBe(204);
    expect((await fetch(`${server.origin}${play.url}`)).status).toBe(404);
  });
});
