import { type AuditEntry, AuditEntry as AuditEntrySchema, type AuditInput } from "#protocol/audit.ts";
import { type Hash, leafHash } from "./merkle.ts";

// An entry's one byte form: canonical JSON (keys sorted by UTF-16 code units at every level, no spaces, integers
// only, strings as JSON.stringify writes them, which RFC 8785 agrees with for the characters entries hold), UTF-8.
// It is what is stored, what the leaf hashes, and what the API and exports carry, so a verifier needs nothing else.

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The canonical JSON text of a value; throws on what has no canonical form here (fractions, undefined). */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new TypeError("Only safe integers have a canonical form here.");
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as Json)}`).join(",")}}`;
}

/** The previous hash of the first entry. */
export const GENESIS_PREV = "0".repeat(64);

const encoder = new TextEncoder();

/** Lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The canonical line of an entry. */
export function formatEntry(entry: AuditEntry): string {
  return canonicalJson(entry as unknown as Json);
}

/** The leaf hash of a stored line (its UTF-8 bytes, as stored). */
export function lineHash(line: string): Hash {
  return leafHash(encoder.encode(line));
}

/** The entry after the one whose leaf hash is `prev`. */
export function nextEntry(input: AuditInput, seq: number, time: number, prev: string): AuditEntry {
  return { seq, time, actor: input.actor, session: input.session, type: input.type, data: input.data, prev };
}

export type ReadEntry = { ok: true; entry: AuditEntry } | { ok: false; reason: string };

/** Parses a stored line: it must be valid JSON, match the entry schema, and be in canonical form. */
export function readEntry(line: string): ReadEntry {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: "it is not JSON" };
  }
  const parsed = AuditEntrySchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: "it is not an audit entry" };
  if (formatEntry(parsed.data) !== line) return { ok: false, reason: "it is not in canonical form" };
  return { ok: true, entry: parsed.data };
}

/** The technician an entry concerns: the one acted on when its data names one, else the acting technician. */
export function technicianOf(entry: Pick<AuditEntry, "actor" | "data">): string | null {
  const subject = entry.data.technician;
  if (typeof subject === "string") return subject;
  return entry.actor.startsWith("technician:") ? entry.actor.slice("technician:".length) : null;
}
