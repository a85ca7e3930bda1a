import { describe, expect, it } from "vitest";
import { COSE_ALG, PASSKEY_ALGORITHMS } from "#protocol/passkey-algorithms.ts";

// What only workerd can show about the passkey algorithms: why ML-DSA-44 is not among them. That both hosts offer the
// same list and take a passkey of each algorithm through enrolment, sign-out and sign-in is test/servers/passkeys.

describe("ML-DSA on workerd", () => {
  it("is not verifiable under wrangler.toml's compatibility settings, so the list leaves it out", async () => {
    // SimpleWebAuthn asks exactly this to decide whether to offer ML-DSA-44 first; Deno answers yes, workerd has no
    // SubtleCrypto.supports at all without the webcrypto_modern_algorithms flag.
    const { supports } = SubtleCrypto as unknown as { supports?: (operation: string, algorithm: string) => boolean };
    expect(supports?.call(SubtleCrypto, "verify", "ML-DSA-44") ?? false).toBe(false);
    // And a passkey's ML-DSA-44 key, imported as SimpleWebAuthn does for verification, is refused.
    const pub = "A".repeat(1750); // 1312 zero bytes in base64url
    const imported = crypto.subtle.importKey(
      "jwk",
      { kty: "AKP", alg: "ML-DSA-44", pub, ext: false } as JsonWebKey,
      { name: "ML-DSA-44" },
      false,
      ["verify"],
    );
    await expect(imported).rejects.toMatchObject({ name: "NotSupportedError" });
    expect(PASSKEY_ALGORITHMS).not.toContain(COSE_ALG.ML_DSA_44);
  });
});
