import { describe, expect, it } from "vitest";
import { parseConfig } from "../../worker/config.ts";
import { FDS_PER_CONNECTION, planDoor, RESERVED_FDS, readOpenFilesLimit } from "../../worker/deno/door-limits.ts";

const LIMITS_TEXT = `Limit                     Soft Limit           Hard Limit           Units
Max processes             63704                63704                processes
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes`;

function config(vars: Record<string, string> = {}) {
  const result = parseConfig({ JWT_SECRET: "x".repeat(32), AUDIT_SIGNING_KEY: "A".repeat(43), ...vars });
  if (!result.ok) throw new Error(result.issues.join("; "));
  return result.config;
}

describe("the Deno host's connection cap", () => {
  it("reads the soft open-files limit", () => {
    expect(readOpenFilesLimit(LIMITS_TEXT)).toBe(1024);
    expect(readOpenFilesLimit("Max open files            unlimited            unlimited            files")).toBeNull();
    expect(readOpenFilesLimit(null)).toBeNull();
  });

  it("takes the configured cap and timeouts when the limit leaves room for them", () => {
    const plan = planDoor(config({ DENO_MAX_CONNECTIONS: "300", DENO_HEADER_TIMEOUT_S: "5" }), 1_048_576);
    expect(plan).toEqual({
      limits: { maxConnections: 300, headerTimeoutMs: 5_000, idleTimeoutMs: 60_000, maxMessageBytes: 262_144 },
      lowered: null,
    });
    expect(planDoor(config(), null).limits.maxConnections).toBe(1_000);
  });

  it("lowers the cap to what the open-files limit allows, and says so", () => {
    const plan = planDoor(config(), 1024);
    const room = Math.floor((1024 - RESERVED_FDS) / FDS_PER_CONNECTION);
    expect(plan.limits.maxConnections).toBe(room);
    expect(plan.lowered).toEqual({ configured: 1_000, openFilesLimit: 1024 });
    expect(planDoor(config(), 10).limits.maxConnections).toBe(1);
  });
});
