import type * as z from "zod/mini";

/** Why a frame was refused; each code is also an ErrorCode a client may branch on. */
export type FrameError = { code: "MESSAGE_TOO_LARGE" | "MESSAGE_INVALID" | "UNSUPPORTED_VERSION"; message: string };

/** The result of parsing one WebSocket frame. */
export type FrameResult<T> = { ok: true; msg: T } | { ok: false; error: FrameError };

type Issue = z.core.$ZodIssue;

const fatalDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** UTF-8 length of a string without allocating its encoding. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

function tooLarge(maxBytes: number): { ok: false; error: FrameError } {
  return {
    ok: false,
    error: { code: "MESSAGE_TOO_LARGE", message: `Messages may be at most ${maxBytes} bytes.` },
  };
}

function invalid(message: string): { ok: false; error: FrameError } {
  return { ok: false, error: { code: "MESSAGE_INVALID", message: message.slice(0, 300) } };
}

/** A person-readable line for the first problem zod found; never echoes the offending value. */
export function describeIssue(issue: Issue | undefined): string {
  if (!issue) return "The message is not valid.";
  const where = issue.path.length > 0 ? issue.path.join(".") : "message";
  switch (issue.code) {
    case "invalid_union":
      if (issue.path.join(".") === "type") return "Unknown or missing message type.";
      return `${where} has an unexpected shape.`;
    case "invalid_type":
      return `${where} must be ${issue.expected === "int" ? "a whole number" : `a ${issue.expected}`}.`;
    case "too_big":
      return `${where} is too big (at most ${String(issue.maximum)}).`;
    case "too_small":
      return `${where} is too small (at least ${String(issue.minimum)}).`;
    case "unrecognized_keys":
      return `Unexpected field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ").slice(0, 100)}.`;
    case "invalid_value":
      return `${where} has a value that is not allowed.`;
    case "invalid_format":
      return `${where} is not in the expected format.`;
    default:
      return `${where} is not valid.`;
  }
}

/** Decodes a frame to text, refusing anything over `maxBytes` before looking inside it. */
export function decodeFrame(
  raw: string | ArrayBuffer,
  maxBytes: number,
): { ok: true; text: string } | { ok: false; error: FrameError } {
  if (typeof raw === "string") {
    // A UTF-8 encoding is never shorter than the UTF-16 length, nor longer than three times it.
    if (raw.length > maxBytes) return tooLarge(maxBytes);
    if (raw.length * 3 > maxBytes && utf8Length(raw) > maxBytes) return tooLarge(maxBytes);
    return { ok: true, text: raw };
  }
  if (raw.byteLength > maxBytes) return tooLarge(maxBytes);
  try {
    return { ok: true, text: fatalDecoder.decode(raw) };
  } catch {
    return invalid("Binary messages must be UTF-8 JSON text.");
  }
}

/** Size check, then JSON, then the schema: the one way a frame becomes a typed message. */
export function parseFrame<T>(
  schema: z.ZodMiniType<T>,
  raw: string | ArrayBuffer,
  maxBytes: number,
  precheck?: (value: unknown) => FrameError | undefined,
): FrameResult<T> {
  const decoded = decodeFrame(raw, maxBytes);
  if (!decoded.ok) return decoded;
  let value: unknown;
  try {
    value = JSON.parse(decoded.text);
  } catch {
    return invalid("The message is not valid JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return invalid("A message must be a JSON object with a type.");
  }
  const early = precheck?.(value);
  if (early) return { ok: false, error: early };
  const parsed = schema.safeParse(value);
  if (!parsed.success) return invalid(describeIssue(parsed.error.issues[0]));
  return { ok: true, msg: parsed.data };
}
