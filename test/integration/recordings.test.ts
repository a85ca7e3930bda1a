import { runDurableObjectAlarm, SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AuditEntry } from "#protocol/audit.ts";
import type { ErrorBody } from "#protocol/errors.ts";
import type { PlaybackUrl, RecordingList, StartedRecording } from "#protocol/recordings.ts";
import { readLines } from "../../worker/db/audit.ts";
import { recordingKey } from "../../worker/db/recordings.ts";
import { r2Store } from "../../worker/recordings/r2-store.ts";
import { payloadOf } from "../../worker/webhooks/events.ts";
import { RECORDING_SWEEPER_NAME } from "../../worker/workers-host.ts";
import { ORIGIN, openPair } from "../helpers/workers/ws.ts";

// Recordings on Workers with a local R2 bucket: the customer's consent (RECORDING_POLICY "ask", vitest.config.ts),
// a multi-part upload of synthetic bytes, playback through a signed link, deletion, an abandoned upload finished by
// the RecordingSweeper's alarm, and the audit log's record of each.

const PART = 5 * 1024 * 1024;

function call(cookie: string, method: string, path: string, body?: BodyInit) {
  return SELF.fetch(`${ORIGIN}${path}`, { method, headers: { Origin: ORIGIN, Cookie: cookie }, body });
}

const synthetic = (size: number, seed: number) => Uint8Array.from({ length: size }, (_, i) => (i * 7 + seed) & 0xff);

async function sha256(...parts: Uint8Array[]): Promise<string> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sessionEntries(code: string): Promise<AuditEntry[]> {
  return (await readLines(env.DB))
    .map((line) => JSON.parse(line) as AuditEntry)
    .filter((entry) => entry.session === code);
}

/** A confirmed pair whose customer allowed recording; resolves once the owner may start one. */
async function allowedPair() {
  const pair = await openPair();
  const cookie = pair.owner.cookie;
  const refused = await call(cookie, "POST", `/api/sessions/${pair.code}/recordings`);
  expect(refused.status).toBe(403);
  expect(((await refused.json()) as ErrorBody).error.code).toBe("RECORDING_NOT_ALLOWED");
  pair.customer.client.send({ type: "consent", permission: "record", isGiven: true });
  let started: StartedRecording | null = null;
  await expect
    .poll(
      async () => {
        const res = await call(cookie, "POST", `/api/sessions/${pair.code}/recordings`);
        if (res.status === 201) started = (await res.json()) as StartedRecording;
        return res.status;
      },
      { timeout: 30_000 },
    )
    .toBe(201);
  if (!started) throw new Error("no recording started");
  return { ...pair, cookie, started: started as StartedRecording };
}

describe("recordings", () => {
  it("uploads in equal parts, completes with its SHA-256, plays through a short-lived link and is deleted", async () => {
    const { code, cookie, started } = await allowedPair();
    expect(started.partBytes).toBe(PART);
    const parts = [synthetic(PART, 1), synthetic(PART, 2)];
    const tail = synthetic(1_000, 3);

    const short = await call(cookie, "PUT", `/api/recordings/${started.id}/parts/1`, synthetic(1_000, 0));
    expect(((await short.json()) as ErrorBody).error.code).toBe("RECORDING_PART_INVALID");
    const skipped = await call(cookie, "PUT", `/api/recordings/${started.id}/parts/2`, parts[1]);
    expect(((await skipped.json()) as ErrorBody).error.code).toBe("RECORDING_PART_INVALID");
    for (const [i, part] of parts.entries()) {
      expect((await call(cookie, "PUT", `/api/recordings/${started.id}/parts/${i + 1}`, part)).status).toBe(200);
    }
    const done = await call(cookie, "POST", `/api/recordings/${started.id}/complete`, tail);
    expect(done.status).toBe(200);
    const hash = await sha256(...parts, tail);
    expect(await done.json()).toEqual({ id: started.id, size: 2 * PART + 1_000, sha256: hash });

    const list = (await (await call(cookie, "GET", `/api/recordings?session=${code}`)).json()) as RecordingList;
    expect(list.recordings).toMatchObject([{ id: started.id, state: "complete", sha256: hash }]);

    const play = (await (await call(cookie, "POST", `/api/recordings/${started.id}/play`)).json()) as PlaybackUrl;
    const media = await SELF.fetch(`${ORIGIN}${play.url}`);
    expect(media.status).toBe(200);
    expect(media.headers.get("content-type")).toBe("video/webm");
    expect(await sha256(new Uint8Array(await media.arrayBuffer()))).toBe(hash);
    // Another expiry breaks the signature; another recording's id too.
    const tampered = play.url.replace(/exp=(\d+)/, (_, exp: string) => `exp=${Number(exp) - 1}`);
    const refused = await SELF.fetch(`${ORIGIN}${tampered}`);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as ErrorBody).error.code).toBe("PLAYBACK_LINK_INVALID");

    expect((await call(cookie, "DELETE", `/api/recordings/${started.id}`)).status).toBe(204);
    const after = (await (await call(cookie, "GET", `/api/recordings?session=${code}`)).json()) as RecordingList;
    expect(after.recordings).toEqual([]);
    expect((await SELF.fetch(`${ORIGIN}${play.url}`)).status).toBe(404);

    const entries = await sessionEntries(code);
    const recording = entries.filter((e) => e.type.startsWith("recording_") || e.type.startsWith("consent_"));
    expect(recording.map((e) => e.type)).toEqual([
      "consent_given",
      "recording_started",
      "recording_stopped",
      "recording_played",
      "recording_deleted",
    ]);
    expect(recording[0]?.data).toEqual({ permission: "record" });
    expect(recording[2]?.data).toMatchObject({ reason: "stopped", parts: 3, size: 2 * PART + 1_000, sha256: hash });
    // Helpdesk webhooks hear of it as recording.available.
    expect(await payloadOf(env.DB, recording[2] as AuditEntry)).toMatchObject({
      type: "recording.available",
      data: { session: code, recording: started.id, size: 2 * PART + 1_000, sha256: hash, reason: "stopped" },
    });
    // The playback link's signature is in no entry.
    expect(JSON.stringify(entries)).not.toContain(play.url.split("sig=")[1] ?? "-");
  });

  it("refuses a recording once the customer took recording back, and someone else's session", async () => {
    const { code, cookie, customer, started } = await allowedPair();
    customer.client.send({ type: "consent", permission: "record", isGiven: false });
    await expect
      .poll(async () => (await call(cookie, "POST", `/api/sessions/${code}/recordings`)).status, { timeout: 30_000 })
      .toBe(403);
    const other = await openPair();
    const res = await call(other.owner.cookie, "PUT", `/api/recordings/${started.id}/parts/1`, synthetic(PART, 1));
    expect(res.status).toBe(404);
  });

  it("finishes an upload a closed tab left from its parts, and drops one with none, at the sweeper's alarm", async () => {
    const { code, cookie, started } = await allowedPair();
    const part = synthetic(PART, 5);
    expect((await call(cookie, "PUT", `/api/recordings/${started.id}/parts/1`, part)).status).toBe(200);
    const empty = (await (await call(cookie, "POST", `/api/sessions/${code}/recordings`)).json()) as StartedRecording;
    // The tab is gone: both uploads went silent long ago.
    await env.DB.prepare("UPDATE recordings SET updated_at = updated_at - 3600000 WHERE session_code = ?")
      .bind(code)
      .run();
    const sweeper = env.RECORDING_SWEEPER.get(env.RECORDING_SWEEPER.idFromName(RECORDING_SWEEPER_NAME));
    expect(await runDurableObjectAlarm(sweeper)).toBe(true);

    const list = (await (await call(cookie, "GET", `/api/recordings?session=${code}`)).json()) as RecordingList;
    const hash = await sha256(part);
    expect(list.recordings).toMatchObject([{ id: started.id, state: "complete", size: PART, sha256: hash }]);
    expect(list.recordings.some((r) => r.id === empty.id)).toBe(false);
    const stopped = (await sessionEntries(code)).filter((e) => e.type === "recording_stopped");
    // The upload that sent nothing left nothing to fetch: no webhook for it.
    const empties = stopped.filter((e) => e.data.parts === 0);
    expect(await payloadOf(env.DB, empties[0] as AuditEntry)).toBeNull();
    expect(stopped.map((e) => [e.actor, e.data.reason, e.data.parts])).toEqual(
      expect.arrayContaining([
        ["system", "abandoned", 1],
        ["system", "abandoned", 0],
      ]),
    );
  });

  it("completes again an upload that completed (D1 did not hear of it) from the R2 object it became", async () => {
    const store = r2Store(env.RECORDINGS);
    const key = recordingKey({ session_code: "123456789", id: "IIIIIIIIIIIIIIIIIIIIII" });
    const uploadId = await store.begin(key);
    const bytes = synthetic(1_000, 9);
    const parts = [{ part: 1, etag: await store.putPart(key, uploadId, 1, bytes) }];
    const done = await store.complete(key, uploadId, parts);
    expect(done).toEqual({ size: 1_000, sha256: await sha256(bytes) });
    expect(await store.complete(key, uploadId, parts)).toEqual(done);
    await store.delete(key);
  });

  it("records a completed file transfer's name, size and SHA-256, never its content", async () => {
    const { code, owner } = await openPair();
    const file = { name: "report.pdf", size: 1234, sha256: "a".repeat(64), direction: "fromCustomer" };
    const res = await SELF.fetch(`${ORIGIN}/api/sessions/${code}/files`, {
      method: "POST",
      headers: { Origin: ORIGIN, Cookie: owner.cookie, "Content-Type": "application/json" },
      body: JSON.stringify(file),
    });
    expect(res.status).toBe(204);
    const entry = (await sessionEntries(code)).find((e) => e.type === "file_transferred");
    expect(entry).toMatchObject({ actor: `technician:${owner.technician.id}`, data: file });
  });
});
