import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";

// Signed notes (c2sp.org/signed-note) with Ed25519 keys, and the checkpoints they carry (c2sp.org/tlog-checkpoint):
// origin, tree size and root hash, one per line, signed by the log's key. A verifier pins the log's verifier key
// (`<name>+<key id hex>+<base64(0x01 || public key)>`) and accepts a note only when a signature by that key verifies.

const ED25519_TYPE = 0x01;
const encoder = new TextEncoder();

/** Standard base64 (RFC 4648 §4), as notes use it. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Decodes standard base64 with padding; null when it is not that. */
export function fromBase64(text: string): Uint8Array | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null;
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A key name: non-empty, no spaces (Unicode ones included) and no plus. */
export function isKeyName(name: string): boolean {
  return name.length > 0 && name.length <= 200 && !/[\s+]/u.test(name) && !/[\p{Cc}]/u.test(name);
}

/** SHA-256(name || 0x0A || 0x01 || public key)[:4]: the key id of an Ed25519 note key. */
export function keyId(name: string, publicKey: Uint8Array): Uint8Array {
  const nameBytes = encoder.encode(name);
  const input = new Uint8Array(nameBytes.length + 2 + publicKey.length);
  input.set(nameBytes, 0);
  input[nameBytes.length] = 0x0a;
  input[nameBytes.length + 1] = ED25519_TYPE;
  input.set(publicKey, nameBytes.length + 2);
  return sha256(input).subarray(0, 4);
}

/** A note signer: the key's name and its Ed25519 seed. */
export type NoteSigner = { name: string; seed: Uint8Array };

/** A pinned verifier key, parsed. */
export type VerifierKey = { name: string; id: Uint8Array; publicKey: Uint8Array };

/** The verifier key text of a signer, which verifiers pin. */
export function verifierKeyOf(signer: NoteSigner): string {
  const publicKey = ed25519.getPublicKey(signer.seed);
  const typed = new Uint8Array(33);
  typed[0] = ED25519_TYPE;
  typed.set(publicKey, 1);
  return `${signer.name}+${toHex(keyId(signer.name, publicKey))}+${toBase64(typed)}`;
}

/** Parses a verifier key; null unless it is a well-formed Ed25519 key whose id matches its name and key. */
export function parseVerifierKey(text: string): VerifierKey | null {
  // The name holds no "+" and the id is hex, so the first two "+" end them; the key's base64 may hold more.
  const [name = "", idHex = "", ...rest] = text.trim().split("+");
  const keyText = rest.join("+");
  if (!isKeyName(name) || !/^[0-9a-f]{8}$/.test(idHex)) return null;
  const typed = fromBase64(keyText);
  if (typed?.length !== 33 || typed[0] !== ED25519_TYPE) return null;
  const publicKey = typed.subarray(1);
  if (toHex(keyId(name, publicKey)) !== idHex) return null;
  return { name, id: keyId(name, publicKey), publicKey };
}

/** Public keys of the seeds signed with, so that each signature costs one Ed25519 operation, not two. */
const publicKeys = new WeakMap<Uint8Array, Uint8Array>();

/** Signs `text` (which must end in a newline) as a note with one signature line. */
export function signNote(text: string, signer: NoteSigner): string {
  if (!text.endsWith("\n")) throw new Error("A note's text ends with a newline.");
  if (!isKeyName(signer.name)) throw new Error("A key name is non-empty, without spaces or plus.");
  let publicKey = publicKeys.get(signer.seed);
  if (!publicKey) {
    publicKey = ed25519.getPublicKey(signer.seed);
    publicKeys.set(signer.seed, publicKey);
  }
  const signature = ed25519.sign(encoder.encode(text), signer.seed);
  const blob = new Uint8Array(4 + signature.length);
  blob.set(keyId(signer.name, publicKey), 0);
  blob.set(signature, 4);
  return `${text}\n— ${signer.name} ${toBase64(blob)}\n`;
}

/** Whether `text` holds an ASCII control character other than newline. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x0a) || code === 0x7f) return true;
  }
  return false;
}

export type OpenedNote = { ok: true; text: string } | { ok: false; reason: string };

/** The largest note accepted: a checkpoint with a few dozen signatures. */
export const MAX_NOTE_BYTES = 16_384;

/** The note's text when a signature by `key` verifies; signatures by other keys are ignored, as the spec says. */
export function openNote(note: string, key: VerifierKey): OpenedNote {
  if (note.length > MAX_NOTE_BYTES) return { ok: false, reason: "the note is too large" };
  // No control characters but newline.
  if (hasControlCharacter(note)) return { ok: false, reason: "the note has control characters" };
  const cut = note.lastIndexOf("\n\n");
  if (cut < 0 || !note.endsWith("\n")) return { ok: false, reason: "the note has no signature block" };
  const text = note.slice(0, cut + 1);
  const lines = note.slice(cut + 2, -1).split("\n");
  let isSigned = false;
  for (const line of lines) {
    const match = /^— (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!match) return { ok: false, reason: "a signature line is malformed" };
    const blob = fromBase64(match[2] as string);
    if (!blob || blob.length < 5) return { ok: false, reason: "a signature is malformed" };
    if (match[1] !== key.name || toHex(blob.subarray(0, 4)) !== toHex(key.id)) continue;
    const signature = blob.subarray(4);
    if (signature.length !== 64 || !ed25519.verify(signature, encoder.encode(text), key.publicKey)) {
      return { ok: false, reason: "the signature by the pinned key does not verify" };
    }
    isSigned = true;
  }
  return isSigned ? { ok: true, text } : { ok: false, reason: "the note is not signed by the pinned key" };
}

/** A log's tree head: origin, size and root. */
export type Checkpoint = { origin: string; size: number; root: Uint8Array };

/** The note text of a checkpoint (no extension lines). */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  return `${checkpoint.origin}\n${checkpoint.size}\n${toBase64(checkpoint.root)}\n`;
}

/** Parses a checkpoint's note text; null when it is not one. Extension lines are allowed and ignored. */
export function parseCheckpoint(text: string): Checkpoint | null {
  const lines = text.split("\n");
  if (lines.length < 4 || lines.at(-1) !== "") return null;
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (origin.length === 0 || !/^(?:0|[1-9][0-9]{0,15})$/.test(sizeText)) return null;
  const size = Number(sizeText);
  const root = fromBase64(rootText);
  if (!Number.isSafeInteger(size) || !root || root.length !== 32) return null;
  if (lines.slice(3, -1).some((line) => line === "")) return null;
  return { origin, size, root };
}

/** Signs a checkpoint as a note. */
export function signCheckpoint(checkpoint: Checkpoint, signer: NoteSigner): string {
  return signNote(formatCheckpoint(checkpoint), signer);
}

/** Opens and parses a signed checkpoint whose origin must be the key's name. */
export function openCheckpoint(
  note: string,
  key: VerifierKey,
): { ok: true; checkpoint: Checkpoint } | { ok: false; reason: string } {
  const opened = openNote(note, key);
  if (!opened.ok) return opened;
  const checkpoint = parseCheckpoint(opened.text);
  if (!checkpoint) return { ok: false, reason: "the note is not a checkpoint" };
  if (checkpoint.origin !== key.name) return { ok: false, reason: "the checkpoint's origin is not the key's name" };
  return { ok: true, checkpoint };
}
