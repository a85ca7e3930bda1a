import { RecordingPolicy } from "#protocol/recordings.ts";

export type { RecordingPolicy };

/** RECORDING_POLICY from [vars]: empty means "off"; anything else but off/ask/always names the variable. */
export function parseRecordingPolicy(
  raw: unknown,
): { ok: true; policy: RecordingPolicy } | { ok: false; issue: string } {
  const text = String(raw ?? "").trim() || "off";
  const parsed = RecordingPolicy.safeParse(text);
  if (parsed.success) return { ok: true, policy: parsed.data };
  return {
    ok: false,
    issue: `RECORDING_POLICY must be "off", "ask" or "always" (whether sessions are recorded: never, when the customer allows it, or always); got ${JSON.stringify(text).slice(0, 40)}`,
  };
}

/**
 * Whether a recording may run, given the customer's last word on it (null: none): under "ask" only once they allowed
 * it, under "always" unless they stopped it (which they may, without ending the session), never under "off".
 */
export function mayRecord(policy: RecordingPolicy, consent: boolean | null): boolean {
  if (policy === "always") return consent !== false;
  return policy === "ask" && consent === true;
}
