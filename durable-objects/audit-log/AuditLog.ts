import { DurableObject } from "cloudflare:workers";
import type { AuditInput } from "#protocol/audit.ts";
import { auditSigner } from "../../worker/config.ts";
import { AuditWriter } from "./AuditWriter.ts";

/**
 * The organisation's audit log on Workers: one object (AUDIT_LOG, named "log") is its single writer. A thin adapter:
 * AuditWriter does the work; this class lends it D1, where the log is stored so that the routes and
 * `npm run audit:verify` read it directly.
 */
export class AuditLog extends DurableObject<Env> {
  private readonly writer: AuditWriter;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const signer = auditSigner(env as unknown as Record<string, unknown>);
    if (!signer.ok) throw new Error(signer.issues.join("; "));
    this.writer = new AuditWriter({ db: env.DB, signer: signer.signer, now: () => Date.now() });
  }

  /** Appends one entry; resolves with its seq once it is stored. */
  async append(input: AuditInput): Promise<number> {
    return this.writer.append(input);
  }
}
