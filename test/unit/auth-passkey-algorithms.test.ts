import { webcrypto } from "node:crypto";
import { isoBase64URL, isoCBOR } from "@simplewebauthn/server/helpers";
import { describe, expect, it } from "vitest";
import {
  AuthenticationResponse,
  MAX_AUTH_BODY_BYTES,
  PASSKEY_FIELD_CHARS,
  RegistrationResponse,
} from "#protocol/auth.ts";
import {
  ALGORITHM_SIZES,
  base64urlLength,
  COSE_ALG,
  type CoseAlg,
  PASSKEY_ALGORITHMS,
  PASSKEY_LIMITS,
  passkeyLimits,
} from "#protocol/passkey-algorithms.ts";

// The size caps that follow from the passkey algorithms Tether offers: each algorithm's sizes against real keys, and
// the schemas' caps against those sizes. That the hosts offer and enforce the list: test/integration/auth-algorithms
// (workerd) and test/servers/passkeys (both hosts, in Chromium).

const { subtle } = webcrypto;
const b64 = (bytes: Uint8Array<ArrayBuffer>) => isoBase64URL.fromBuffer(bytes);
const jwkBytes = (value: string | undefined) => isoBase64URL.toBuffer(value ?? "");
type Cbor = Parameters<typeof isoCBOR.encode>[0];

/** A COSE_Key for a WebCrypto public key of `alg`, as an authenticator encodes it. */
async function coseKey(alg: CoseAlg, publicKey: webcrypto.CryptoKey): Promise<Uint8Array> {
  const jwk = await subtle.exportKey("jwk", publicKey);
  const entries: [number, Cbor][] =
    alg === COSE_ALG.EdDSA
      ? [
          [1, 1],
          [3, alg],
          [-1, 6],
          [-2, jwkBytes(jwk.x)],
        ]
      : alg === COSE_ALG.ES256
        ? [
            [1, 2],
            [3, alg],
            [-1, 1],
            [-2, jwkBytes(jwk.x)],
            [-3, jwkBytes(jwk.y)],
          ]
        : [
            [1, 3],
            [3, alg],
            [-1, jwkBytes(jwk.n)],
            [-2, jwkBytes(jwk.e)],
          ];
  return isoCBOR.encode(new Map<number, Cbor>(entries));
}

const KEY_PARAMS = {
  [COSE_ALG.EdDSA]: { generate: { name: "Ed25519" }, sign: { name: "Ed25519" } },
  [COSE_ALG.ES256]: { generate: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" } },
  // The largest RSA key the caps allow for.
  [COSE_ALG.RS256]: {
    generate: {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 4096,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    sign: { name: "RSASSA-PKCS1-v1_5" },
  },
} as const;

describe("the sizes of each algorithm", () => {
  it.each(PASSKEY_ALGORITHMS)("hold a real key and signature of COSE algorithm %i", async (alg) => {
    const params = KEY_PARAMS[alg];
    const keys = (await subtle.generateKey(params.generate, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
    const sizes = ALGORITHM_SIZES[alg];
    const spki = (await subtle.exportKey("spki", keys.publicKey)).byteLength;
    const cose = (await coseKey(alg, keys.publicKey)).byteLength;
    const signature = (await subtle.sign(params.sign, keys.privateKey, new Uint8Array(32))).byteLength;
    if (alg === COSE_ALG.RS256) {
      // 65537 takes 3 bytes where the table allows 4 (SPKI's INTEGER would then need a leading zero besides).
      expect([sizes.spki - spki, sizes.coseKey - cose]).toEqual([2, 1]);
    } else {
      expect([spki, cose]).toEqual([sizes.spki, sizes.coseKey]);
    }
    if (alg === COSE_ALG.ES256) {
      // WebCrypto's ECDSA signature is r || s; WebAuthn's is DER, longest when both have their top bit set.
      const integer = [0x02, 33, 0, ...new Uint8Array(32).fill(0xff)];
      expect(signature).toBe(64);
      expect([0x30, 70, ...integer, ...integer].length).toBe(sizes.signature);
    } else {
      expect(signature).toBe(sizes.signature);
    }
  });
});

describe("the caps", () => {
  const signature = (bytes: number) => b64(new Uint8Array(bytes).fill(0xa5));
  const assertion = (sig: string) => ({
    id: "q83vEjRWeJA",
    rawId: "q83vEjRWeJA",
    type: "public-key",
    response: { clientDataJSON: "e30", authenticatorData: "AAAA", signature: sig },
    clientExtensionResults: {},
  });

  it("follow the largest of the algorithms offered, with the arithmetic of passkey-algorithms.ts", () => {
    const largest = (part: "signature" | "coseKey" | "spki") =>
      Math.max(...PASSKEY_ALGORITHMS.map((alg) => ALGORITHM_SIZES[alg][part]));
    expect(PASSKEY_LIMITS).toEqual({
      signature: largest("signature"),
      coseKey: largest("coseKey"),
      spki: largest("spki"),
      assertionAuthData: 549,
      registrationAuthData: 2119,
      attestationStatement: 10_001,
      attestationObject: 12_184,
    });
    expect([PASSKEY_LIMITS.signature, PASSKEY_LIMITS.coseKey, PASSKEY_LIMITS.spki]).toEqual([512, 529, 552]);
    expect(PASSKEY_FIELD_CHARS).toMatchObject({
      signature: 684,
      assertionAuthData: 732,
      registrationAuthData: 2828,
      publicKey: 736,
      attestationObject: 16_248,
    });
  });

  it("move with the list: offering ML-DSA-44 would need 2,420-byte signatures", () => {
    const withMlDsa = passkeyLimits([...PASSKEY_ALGORITHMS, COSE_ALG.ML_DSA_44]);
    expect(withMlDsa.signature).toBe(2420);
    expect(withMlDsa.spki).toBe(1334);
    expect(withMlDsa.attestationObject).toBeGreaterThan(PASSKEY_LIMITS.attestationObject);
  });

  it("take the largest signature offered, padded or not, and refuse one character more", () => {
    const largest = signature(PASSKEY_LIMITS.signature);
    expect(AuthenticationResponse.safeParse(assertion(largest)).success).toBe(true);
    const padded = largest.padEnd(base64urlLength(PASSKEY_LIMITS.signature), "=");
    expect(AuthenticationResponse.safeParse(assertion(padded)).success).toBe(true);
    const over = "A".repeat(base64urlLength(PASSKEY_LIMITS.signature) + 1);
    expect(AuthenticationResponse.safeParse(assertion(over)).success).toBe(false);
  });

  it("refuse an ML-DSA-44 signature, which is not offered (≈ 3.2 k characters, what locked Deno sign-ins out)", () => {
    const mlDsa = signature(ALGORITHM_SIZES[COSE_ALG.ML_DSA_44].signature);
    expect(mlDsa.length).toBe(3227);
    expect(AuthenticationResponse.safeParse(assertion(mlDsa)).success).toBe(false);
  });

  it("let the largest registration the schema accepts through the body limit", () => {
    const full = (chars: number) => "A".repeat(chars);
    const registration = {
      id: full(PASSKEY_FIELD_CHARS.credentialId),
      rawId: full(PASSKEY_FIELD_CHARS.credentialId),
      type: "public-key",
      response: {
        clientDataJSON: full(PASSKEY_FIELD_CHARS.clientDataJSON),
        attestationObject: full(PASSKEY_FIELD_CHARS.attestationObject),
        authenticatorData: full(PASSKEY_FIELD_CHARS.registrationAuthData),
        transports: Array(10).fill("x".repeat(32)),
        publicKeyAlgorithm: -257,
        publicKey: full(PASSKEY_FIELD_CHARS.publicKey),
      },
      authenticatorAttachment: "cross-platform",
      clientExtensionResults: { credProps: { rk: true } },
    };
    expect(RegistrationResponse.safeParse(registration).success).toBe(true);
    const body = new TextEncoder().encode(JSON.stringify({ response: registration }));
    expect(body.length).toBeLessThanOrEqual(MAX_AUTH_BODY_BYTES);
    const tooBig = { ...registration.response, attestationObject: full(PASSKEY_FIELD_CHARS.attestationObject + 1) };
    expect(RegistrationResponse.safeParse({ ...registration, response: tooBig }).success).toBe(false);
  });
});
