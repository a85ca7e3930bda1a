import { createHash } from "node:crypto";
import { readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "#protocol/audit.ts";
import type { ErrorBody } from "#protocol/errors.ts";
import type { PlaybackUrl, RecordingList, StartedRecording } from "#protocol/recordings.ts";
import type { CreatedSession } from "#protocol/sessions.ts";
import { newSeatKey } from "../helpers/handshake.ts";
import { upgrade } from "../helpers/node/room-socket.ts";
import { SERVER_NAMES, startServer, type TestServer } from "../helpers/node/servers.ts";
import { enrolTechnician, postJson, type SignedIn } from "../helpers/node/technicians.ts";

// The recording upload on both hosts (R2 kept by wrangler dev; files under the Deno host's data directory), with
// RECORDING_POLICY "always": parts of exactly RECORDING_PART_BYTES, the rest with complete, its SHA-256, playback
// through a signed link and deletion; an upload its page left (after the store failed under it, on Deno) finished
// from the parts it sent once the session ended, with the audit log saying so once.

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

  it("finishes an upload its page left from the parts it sent, once the session ended", async () => {
    const { seatKey, customerKeyHash } = await newSeatKey();
    const created = await postJson(server, "/api/sessions", { customerKeyHash }, tech.cookie);
    const { code } = (await created.json()) as CreatedSession;
    const { id } = (await (await call("POST", `/api/sessions/${code}/recordings`)).json()) as StartedRecording;
    const part = synthetic(PART, 3);
    expect((await call("PUT", `/api/recordings/${id}/parts/1`, part)).status).toBe(200);

    if (server.dataDir) {
      // The Deno host's store fails under the next part (its upload's folder is a file now): the page hears a code
      // of its own, and nothing of the part is taken.
      const uploads = path.join(server.dataDir, "recordings", "uploads");
      const [upload] = readdirSync(uploads);
      const folder = path.join(uploads, upload ?? "-");
      renameSync(folder, `${folder}.aside`);
      writeFileSync(folder, "");
      const failed = await call("PUT", `/api/recordings/${id}/parts/2`, synthetic(PART, 4));
      expect(failed.status).toBe(503);
      expect(((await failed.json()) as ErrorBody).error.code).toBe("RECORDING_STORE_FAILED");
      rmSync(folder);
      renameSync(`${folder}.aside`, folder);
    }

    // The page stopped; the customer ends the session, and the recording is what was taken.
    const up = await upgrade(`${server.origin.replace(/^http/, "ws")}/api/sessions/${code}/ws?role=customer`, {
      Origin: server.origin,
    });
    if (!up.ok) throw new Error(`upgrade refused: ${up.status}`);
    up.socket.send({ type: "hello", version: 1, seatKey });
    await up.socket.next("welcome");
    up.socket.send({ type: "end" });
    await up.socket.next("ended");
    up.socket.close();
    const list = async () =>
      ((await (await call("GET", `/api/recordings?session=${code}`)).json()) as RecordingList).recordings;
    await expect.poll(async () => (await list()).map((r) => r.state), { timeout: 90_000 }).toEqual(["complete"]);
    expect(await list()).toMatchObject([{ id, size: PART, sha256: sha256(part) }]);
    const play = (await (await call("POST", `/api/recordings/${id}/play`)).json()) as PlaybackUrl;
    const media = await fetch(`${server.origin}${play.url}`);
    expect(sha256(new Uint8Array(await media.arrayBuffer()))).toBe(sha256(part));

    const { entries } = (await (await call("GET", `/api/audit/entries?session=${code}`)).json()) as {
      entries: string[];
    };
    const recording = entries
      .map((line) => JSON.parse(line) as AuditEntry)
      .filter((e) => e.type.startsWith("recording_"));
    expect(recording.map((e) => [e.type, e.actor])).toEqual([
      ["recording_started", `technician:${tech.id}`],
      ["recording_stopped", "system"],
      ["recording_played", `technician:${tech.id}`],
    ]);
    expect(recording[1]?.data).toMatchObject({ recording: id, reason: "abandoned", parts: 1, sha256: sha256(part) });
    if (server.dataDir) expect(readdirSync(path.join(server.dataDir, "recordings", "uploads"))).toEqual([]);
  });
});
