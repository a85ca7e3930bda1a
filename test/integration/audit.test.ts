import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type {
  AuditCheckpointResponse,
  AuditEntriesPage,
  AuditEntry,
  ConsistencyResponse,
  InclusionResponse,
} from "#protocol/audit.ts";
import type { MeResponse } from "#protocol/auth.ts";
import type { ErrorBody } from "#protocol/errors.ts";
import { lineHash } from "../../durable-objects/audit-log/entry.ts";
import { verifyConsistency, verifyInclusion } from "../../durable-objects/audit-log/merkle.ts";
import { fromBase64, openCheckpoint, parseVerifierKey, verifierKeyOf } from "../../durable-objects/audit-log/note.ts";
import { verifyLog } from "../../durable-objects/audit-log/verify.ts";
import { readCheckpoints, readLines } from "../../worker/db/audit.ts";
import { type Browser, enrolledBrowser } from "../helpers/workers/passkey-api.ts";
import { createSession, openPair, verify } from "../helpers/workers/ws.ts";

// The audit log on Workers: the AuditLog object appends what the routes and rooms report, the /api/audit routes read
// it, and the whole log verifies against the key pinned from the test's fixed seed (vitest.config.ts).

const PINNED = parseVerifierKey(
  verifierKeyOf({ name: "tether/audit/tether", seed: new Uint8Array(32).fill(1) }),
) as NonNullable<ReturnType<typeof parseVerifierKey>>;

async function idOf(browser: Browser): Promise<string> {
  return (await browser.call<MeResponse>("/api/me")).body.technician.id;
}

async function entries(admin: Browser, query: string): Promise<AuditEntry[]> {
  const page = await admin.call<AuditEntriesPage>(`/api/audit/entries?${query}`);
  expect(page.status).toBe(200);
  return page.body.entries.map((line) => JSON.parse(line) as AuditEntry);
}

/** Entries of `session` once the room has written `count` of them (the room appends after it answers). */
async function sessionEntries(admin: Browser, session: string, count: number): Promise<AuditEntry[]> {
  let found: AuditEntry[] = [];
  await expect
    .poll(
      async () => {
        found = await entries(admin, `session=${session}`);
        return found.length;
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(count);
  return found;
}

describe("audit log", () => {
  it("records enrolment, sign-ins (failed ones with their code) and session creation with its case number", async () => {
    const admin = await enrolledBrowser({ isAdmin: true, name: "Audra Admin" });
    const tech = await enrolledBrowser({ name: "Terry Tech" });
    const techId = await idOf(tech);
    expect((await tech.signIn()).status).toBe(200);
    expect((await tech.signIn({ origin: "https://evil.example" })).status).toBe(400);
    const created = await createSession(`tether_session=${tech.cookie}`, { caseNumber: "INC-42" });
    const { code } = (await created.json()) as { code: string };

    const mine = await entries(admin, `technician=${techId}`);
    expect(mine.map((e) => e.type)).toEqual(["technician_enrolled", "sign_in_succeeded", "session_created"]);
    expect(mine[2]).toMatchObject({ actor: `technician:${techId}`, session: code, data: { caseNumber: "INC-42" } });
    const failed = await entries(admin, "type=sign_in_failed&order=desc&limit=1");
    expect(failed[0]).toMatchObject({ actor: "anonymous", data: { reason: expect.any(String) } });
    expect(failed[0]?.data).not.toHaveProperty("ip");
  });

  it("records the room's handshake verdicts and the session's end, with who ended it", async () => {
    const admin = await enrolledBrowser({ isAdmin: true, name: "Audra Watcher" });
    const refused = await openPair({}, { isVerified: false });
    await verify(refused.tech, refused.customer, false);
    refused.customer.client.send({ type: "end" });
    const failed = await sessionEntries(admin, refused.code, 3);
    expect(failed.map((e) => e.type)).toEqual(["technician_admitted", "handshake_failed", "session_ended"]);
    expect(failed[1]).toMatchObject({ actor: "customer", data: { technician: refused.owner.technician.id } });
    expect(failed[2]).toMatchObject({ actor: "customer", data: { reason: "ended_by_customer" } });

    const confirmed = await openPair();
    confirmed.tech.client.send({ type: "end" });
    const done = await sessionEntries(admin, confirmed.code, 3);
    expect(done.map((e) => e.type)).toEqual(["technician_admitted", "handshake_succeeded", "session_ended"]);
    expect(done[2]).toMatchObject({
      actor: `technician:${confirmed.owner.technician.id}`,
      data: { reason: "ended_by_technician" },
    });
  });

  it("serves a checkpoint signed by the pinned key, whose tree the whole stored log and the proofs agree with", async () => {
    const admin = await enrolledBrowser({ isAdmin: true, name: "Audra Prover" });
    const head = await admin.call<AuditCheckpointResponse>("/api/audit/checkpoint");
    expect(head.body.verifierKey).toBe(verifierKeyOf({ name: PINNED.name, seed: new Uint8Array(32).fill(1) }));
    const opened = openCheckpoint(head.body.checkpoint ?? "", PINNED);
    if (!opened.ok) throw new Error(opened.reason);
    const { size, root } = opened.checkpoint;
    expect(size).toBeGreaterThanOrEqual(2);

    const verdict = verifyLog({
      lines: await readLines(env.DB),
      checkpoints: await readCheckpoints(env.DB),
      key: PINNED,
    });
    expect(verdict).toMatchObject({ ok: true });

    const decode = (proof: string[]) => proof.map((h) => fromBase64(h) as Uint8Array);
    const inclusion = await admin.call<InclusionResponse>(`/api/audit/proof/inclusion?seq=1&size=${size}`);
    const [line] = await readLines(env.DB, 1, 2);
    expect(verifyInclusion(lineHash(line as string), 1, size, decode(inclusion.body.proof), root)).toBe(true);
    const first = openCheckpoint((await readCheckpoints(env.DB))[0] as string, PINNED);
    if (!first.ok) throw new Error(first.reason);
    const from = first.checkpoint.size;
    const consistency = await admin.call<ConsistencyResponse>(`/api/audit/proof/consistency?from=${from}&to=${size}`);
    expect(verifyConsistency(from, size, decode(consistency.body.proof), first.checkpoint.root, root)).toBe(true);

    const exported = await SELF.fetch("http://localhost/api/audit/export", {
      headers: { cookie: `tether_session=${admin.cookie}` },
    });
    expect(exported.headers.get("content-type")).toMatch(/^application\/jsonl/);
    const [header, ...lines] = (await exported.text()).trimEnd().split("\n");
    const { checkpoints } = JSON.parse(header as string) as { checkpoints: string[] };
    expect(verifyLog({ lines, checkpoints, key: PINNED })).toMatchObject({ ok: true });
  });

  it("answers bad queries with a specific error, and only admins", async () => {
    const admin = await enrolledBrowser({ isAdmin: true, name: "Audra Strict" });
    for (const [query, pattern] of [
      ["/api/audit/entries?limit=0", /limit/],
      ["/api/audit/entries?type=nope", /type/],
      ["/api/audit/entries?start=-1", /start/],
      ["/api/audit/entries?colour=red", /colour/],
      ["/api/audit/proof/inclusion?seq=5&size=5", /not in a tree of 5/],
      ["/api/audit/proof/inclusion?seq=0&size=999999", /The log holds \d+ entries/],
      ["/api/audit/proof/consistency?from=3&to=2", /must not exceed/],
      ["/api/audit/proof/consistency?from=1", /to/],
    ] as const) {
      const res = await admin.call<ErrorBody>(query);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe("BAD_REQUEST");
      expect(res.body.error.message, query).toMatch(pattern);
    }
    const tech = await enrolledBrowser({ name: "Nosy Auditor" });
    expect((await tech.call("/api/audit/entries")).status).toBe(403);
    tech.cookie = null;
    expect((await tech.call("/api/audit/checkpoint")).status).toBe(401);
  });
});
