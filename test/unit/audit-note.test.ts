import { describe, expect, it } from "vitest";
import {
  openCheckpoint,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  verifierKeyOf,
} from "../../durable-objects/audit-log/note.ts";

// The example verifier key and note published in c2sp.org/signed-note.
const SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const SPEC_NOTE =
  "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

const signer = { name: "tether.example/audit", seed: new Uint8Array(32).fill(7) };

describe("signed notes", () => {
  it("verifies the specification's example note with its example key", () => {
    const key = parseVerifierKey(SPEC_VKEY);
    expect(key).not.toBeNull();
    expect(openNote(SPEC_NOTE, key as NonNullable<typeof key>)).toEqual({
      ok: true,
      text: "This is an example message.\n",
    });
  });

  it("refuses the example note once a character of its text changes", () => {
    const key = parseVerifierKey(SPEC_VKEY) as NonNullable<ReturnType<typeof parseVerifierKey>>;
    expect(openNote(SPEC_NOTE.replace("example message", "example massage"), key).ok).toBe(false);
  });

  it("refuses a verifier key whose id does not match its name and key", () => {
    expect(parseVerifierKey(SPEC_VKEY.replace("530d903a", "530d903b"))).toBeNull();
    expect(parseVerifierKey(SPEC_VKEY.replace("example.com/foo", "example.com/bar"))).toBeNull();
  });

  it("parses a published key whose base64 holds '+' (the Go checksum database's), and its own under any seed", () => {
    const golang = parseVerifierKey("sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8");
    expect(golang?.name).toBe("sum.golang.org");
    expect(Buffer.from(golang?.id ?? []).toString("hex")).toBe("033de0ae");
    // Seeds 0…31: about half of their keys hold a "+"; every one must open its own checkpoints.
    let withPlus = 0;
    for (let n = 0; n < 32; n++) {
      const own = { name: "tether.example/audit", seed: new Uint8Array(32).fill(n) };
      const text = verifierKeyOf(own);
      if (text.split("+").length > 3) withPlus++;
      const key = parseVerifierKey(text);
      if (!key) throw new Error(`seed ${n}: ${text} did not parse`);
      const note = signCheckpoint({ origin: own.name, size: 1, root: new Uint8Array(32) }, own);
      expect(openCheckpoint(note, key).ok).toBe(true);
    }
    expect(withPlus).toBeGreaterThan(0);
  });

  it("signs notes its own verifier key opens, and ignores signatures by unknown keys", () => {
    const key = parseVerifierKey(verifierKeyOf(signer));
    if (!key) throw new Error("no key");
    const note = signNote("hello\n", signer);
    expect(openNote(note, key)).toEqual({ ok: true, text: "hello\n" });
    const other = signNote("hello\n", { name: "other.example/log", seed: new Uint8Array(32).fill(1) });
    const cosigned = `${note}${other.split("\n\n")[1]}`;
    expect(openNote(cosigned, key)).toEqual({ ok: true, text: "hello\n" });
    expect(openNote(other, key).ok).toBe(false);
  });
});

describe("checkpoints", () => {
  it("formats and parses the three lines, and opens only with the log's key", () => {
    const root = new Uint8Array(32).fill(3);
    const note = signCheckpoint({ origin: signer.name, size: 42, root }, signer);
    expect(note.split("\n").slice(0, 3)).toEqual([signer.name, "42", Buffer.from(root).toString("base64")]);
    const key = parseVerifierKey(verifierKeyOf(signer));
    if (!key) throw new Error("no key");
    const opened = openCheckpoint(note, key);
    expect(opened.ok && opened.checkpoint.size).toBe(42);
    expect(openCheckpoint(note.replace("\n42\n", "\n43\n"), key).ok).toBe(false);
  });

  it("parses the specification's example checkpoint text", () => {
    const text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    expect(parseCheckpoint(text)?.size).toBe(20852163);
    expect(parseCheckpoint(text.replace("20852163", "020852163"))).toBeNull();
    expect(parseCheckpoint("a\n1\n")).toBeNull();
  });
});
