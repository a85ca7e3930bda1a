import { Hono } from "hono";
import {
  type AuditCheckpointResponse,
  type AuditEntriesPage,
  AuditEntriesQuery,
  ConsistencyQuery,
  type ConsistencyResponse,
  InclusionQuery,
  type InclusionResponse,
  MAX_AUDIT_PAGE,
} from "#protocol/audit.ts";
import { lineHash } from "../../durable-objects/audit-log/entry.ts";
import { consistencyProof, inclusionProof } from "../../durable-objects/audit-log/merkle.ts";
import { toBase64, verifierKeyOf } from "../../durable-objects/audit-log/note.ts";
import { queryLines, readCheckpoints, readHead, readLines } from "../db/audit.ts";
import { AppError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { validate } from "../middleware/validate.ts";
import type { AppEnv } from "../types.ts";

// The audit log for admins (/api/audit): the latest signed checkpoint, entries by range and filters, inclusion and
// consistency proofs (RFC 9162), and the whole log as JSON Lines for `npm run audit:verify -- --file`. Proofs hash
// the entries up to the size asked for, which is linear in the log's size: fine for the thousands of entries a
// month of support makes.

/** The leaf hashes of the first `size` entries; BAD_REQUEST when the log holds fewer. */
async function leavesUpTo(db: D1Database, size: number): Promise<Uint8Array[]> {
  const lines = await readLines(db, 0, size);
  if (lines.length < size) {
    throw new AppError("BAD_REQUEST", 400, `The log holds ${lines.length} entries; ask for a size up to that.`);
  }
  return lines.map(lineHash);
}

export const audit = new Hono<AppEnv>()
  .get("/checkpoint", requireAdmin, async (c) => {
    const head = await readHead(c.env.DB);
    return c.json<AuditCheckpointResponse>({
      checkpoint: head?.note ?? null,
      verifierKey: verifierKeyOf(c.get("config").AUDIT_SIGNER),
    });
  })
  .get("/entries", requireAdmin, validate("query", AuditEntriesQuery), async (c) => {
    const query = c.req.valid("query");
    const page = await queryLines(c.env.DB, query, query.limit ?? MAX_AUDIT_PAGE);
    return c.json<AuditEntriesPage>({ entries: page.lines, next: page.next });
  })
  .get("/proof/inclusion", requireAdmin, validate("query", InclusionQuery), async (c) => {
    const { seq, size } = c.req.valid("query");
    if (seq >= size) throw new AppError("BAD_REQUEST", 400, `Entry ${seq} is not in a tree of ${size} entries.`);
    const leaves = await leavesUpTo(c.env.DB, size);
    return c.json<InclusionResponse>({
      seq,
      size,
      leafHash: toBase64(leaves[seq] as Uint8Array),
      proof: inclusionProof(leaves, seq, size).map(toBase64),
    });
  })
  .get("/proof/consistency", requireAdmin, validate("query", ConsistencyQuery), async (c) => {
    const { from, to } = c.req.valid("query");
    if (from > to) throw new AppError("BAD_REQUEST", 400, "`from` must not exceed `to`.");
    const leaves = await leavesUpTo(c.env.DB, to);
    return c.json<ConsistencyResponse>({ from, to, proof: consistencyProof(leaves, from, to).map(toBase64) });
  })
  .get("/export", requireAdmin, async (c) => {
    // One header line with every signed checkpoint, then every entry as stored.
    const [checkpoints, lines] = await Promise.all([readCheckpoints(c.env.DB), readLines(c.env.DB)]);
    const body = [JSON.stringify({ checkpoints }), ...lines].join("\n");
    return c.body(`${body}\n`, 200, { "Content-Type": "application/jsonl; charset=utf-8" });
  });
