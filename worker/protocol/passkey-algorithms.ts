// The signature algorithms Tether offers for passkeys and how large a passkey's parts can be under them. The
// registration and sign-in schemas (auth.ts) take their caps from PASSKEY_LIMITS, and the server hands the same list
// to SimpleWebAuthn on every host (worker/auth/webauthn.ts), so offering another algorithm moves the caps with it.

/** COSE algorithm identifiers (IANA "COSE Algorithms") whose sizes are known here. */
export const COSE_ALG = { EdDSA: -8, ES256: -7, RS256: -257, ML_DSA_44: -48 } as const;
export type CoseAlg = (typeof COSE_ALG)[keyof typeof COSE_ALG];

/**
 * The algorithms offered to authenticators, most preferred first; an authenticator takes the first it can make.
 *
 * - Ed25519 first: the smallest key and signature (32 and 64 bytes), one fixed size, and deterministic signing, so no
 *   per-signature nonce can leak the key as a biased ECDSA nonce can. Many security keys make it; platforms mostly not.
 * - ES256 next: what virtually every platform passkey provider and FIDO2 security key makes; small too.
 * - RS256 last: for Windows Hello on TPMs that make only RSA keys; its signatures are the largest we take.
 *
 * These are the three WebAuthn Level 3 suggests offering for the widest support (w3c/webauthn#1843), and WebCrypto
 * verifies all three on workerd, Deno and Node. Not ML-DSA-44, which SimpleWebAuthn offers first wherever
 * `SubtleCrypto.supports("verify", "ML-DSA-44")` is true: on Deno, not on workerd (which has neither `supports` nor
 * ML-DSA without the `webcrypto_modern_algorithms` compatibility flag). So the two hosts offered different lists,
 * though a passkey made on one must sign in on the other over the same tables, and ML-DSA-44's 2,420-byte signature
 * would make every sign-in body several times larger. Once workerd verifies it by default, adding it here raises the
 * caps by itself.
 */
export const PASSKEY_ALGORITHMS = [
  COSE_ALG.EdDSA,
  COSE_ALG.ES256,
  COSE_ALG.RS256,
] as const satisfies readonly CoseAlg[];

/** The largest of each algorithm-dependent part of a passkey, in bytes. */
export type AlgorithmSizes = {
  /** An assertion's signature. */
  signature: number;
  /** The credential public key as a COSE_Key, inside the authenticator data. */
  coseKey: number;
  /** The public key as DER SubjectPublicKeyInfo, which browsers add to a registration as `response.publicKey`. */
  spki: number;
};

// RSA: Windows Hello and TPMs make 2048-bit keys; we allow moduli up to 4096 bits (k = 512 bytes), so that a 3072- or
// 4096-bit TPM key still signs in, and public exponents up to 4 bytes (65537, the one in use, takes 3).
const RSA_MODULUS_BYTES = 512;
const RSA_EXPONENT_BYTES = 4;

/**
 * Sizes per algorithm. COSE_Key byte counts are CBOR: a 1-byte map head, each label and small value 1 byte (-257
 * takes 3), and a head of 2 bytes for a byte string of 24–255 bytes and 3 for 256–65535.
 */
export const ALGORITHM_SIZES: Record<CoseAlg, AlgorithmSizes> = {
  [COSE_ALG.EdDSA]: {
    signature: 64, // RFC 8032: R || S, 32 bytes each
    coseKey: 1 + 2 + 2 + 2 + (1 + 2 + 32), // map, kty: OKP, alg: -8, crv: Ed25519, x = 42
    spki: 12 + 32, // SEQUENCE { AlgorithmIdentifier { 1.3.101.112 }, BIT STRING } prefix, then the key = 44
  },
  [COSE_ALG.ES256]: {
    signature: 2 + 2 * (2 + 33), // DER SEQUENCE { INTEGER r, INTEGER s }, each 32 bytes plus a 0x00 for a high bit = 72
    coseKey: 1 + 2 + 2 + 2 + 2 * (1 + 2 + 32), // map, kty: EC2, alg: -7, crv: P-256, x, y = 77
    spki: 26 + 1 + 64, // prefix with id-ecPublicKey and P-256, then 0x04 || x || y = 91
  },
  [COSE_ALG.RS256]: {
    signature: RSA_MODULUS_BYTES, // as long as the modulus = 512
    // map, kty: RSA, alg: -257 (label 1 + value 3), n (label 1 + head 3 + k), e (label 1 + head 1 + e) = 529
    coseKey: 1 + 2 + (1 + 3) + (1 + 3 + RSA_MODULUS_BYTES) + (1 + 1 + RSA_EXPONENT_BYTES),
    // SEQUENCE(4) { AlgorithmIdentifier rsaEncryption (15), BIT STRING(4) { 0x00, SEQUENCE(4) { INTEGER n (4 + 0x00 +
    // k), INTEGER e (2 + 0x00 + e) } } } = 552
    spki: 4 + 15 + 4 + 1 + 4 + (4 + 1 + RSA_MODULUS_BYTES) + (2 + 1 + RSA_EXPONENT_BYTES),
  },
  // Known so that offering it is one line (see PASSKEY_ALGORITHMS); FIPS 204 sizes.
  [COSE_ALG.ML_DSA_44]: {
    signature: 2420,
    coseKey: 1 + 2 + 2 + (1 + 3 + 1312), // map, kty: AKP, alg: -48, pub = 1321
    spki: 22 + 1312, // prefix with id-ml-dsa-44, then the key = 1334
  },
};

/** The largest of every part of a passkey response under some algorithms, in bytes. */
export type PasskeyLimits = AlgorithmSizes & {
  /** A sign-in's authenticator data. */
  assertionAuthData: number;
  /** A registration's authenticator data, which carries the new credential's ID and public key. */
  registrationAuthData: number;
  /** The attestation statement: the authenticator's proof of what it is, when the client passes one through. */
  attestationStatement: number;
  /** The CBOR attestation object: { fmt, attStmt, authData }. */
  attestationObject: number;
};

/** WebAuthn L3 §5.8.3: a credential ID is at most 1023 bytes. */
export const MAX_CREDENTIAL_ID_BYTES = 1023;
// rpIdHash (32) || flags (1) || signCount (4).
const AUTH_DATA_HEADER = 32 + 1 + 4;
// aaguid (16) || credentialIdLength (2), before the credential ID and its public key.
const ATTESTED_CREDENTIAL_HEADER = 16 + 2;
// We ask for no extensions; the outputs authenticators add on their own (credProtect, hmac-secret, minPinLength) are
// a few dozen bytes.
const EXTENSION_OUTPUTS = 512;
// We ask for no attestation, and browsers then send fmt "none" with an empty statement, but a client may pass the
// authenticator's own through. The largest of those is TPM's: the signature, certInfo (under 512 bytes), pubArea
// (under 128 bytes of fields plus the public key, no larger than its COSE form), and an x5c chain, which we take up
// to 4 certificates of up to 2 KiB (attestation chains have 1 to 3 of 0.5 to 1.5 KiB); 128 more for CBOR keys and heads.
const ATTESTATION_FIELDS = 512 + 128 + 128;
const ATTESTATION_CHAIN = 4 * 2048;
// The attestation object's map head, its three keys, the fmt string (at most 24 characters) and authData's head.
const ATTESTATION_OBJECT_FRAME = 64;

/** The limits that follow from offering `algorithms`: the largest of each part across them. */
export function passkeyLimits(algorithms: readonly CoseAlg[]): PasskeyLimits {
  const largest = (part: keyof AlgorithmSizes) => Math.max(...algorithms.map((alg) => ALGORITHM_SIZES[alg][part]));
  const sizes = { signature: largest("signature"), coseKey: largest("coseKey"), spki: largest("spki") };
  const registrationAuthData =
    AUTH_DATA_HEADER + ATTESTED_CREDENTIAL_HEADER + MAX_CREDENTIAL_ID_BYTES + sizes.coseKey + EXTENSION_OUTPUTS;
  const attestationStatement = sizes.signature + sizes.coseKey + ATTESTATION_FIELDS + ATTESTATION_CHAIN;
  return {
    ...sizes,
    assertionAuthData: AUTH_DATA_HEADER + EXTENSION_OUTPUTS,
    registrationAuthData,
    attestationStatement,
    attestationObject: ATTESTATION_OBJECT_FRAME + attestationStatement + registrationAuthData,
  };
}

/**
 * The limits for the algorithms offered. With RS256's 4096-bit keys the largest: signature 512, COSE key 529, SPKI
 * 552, sign-in authenticator data 37 + 512 = 549, registration authenticator data 37 + 18 + 1023 + 529 + 512 = 2119,
 * attestation statement 512 + 529 + 768 + 8192 = 10001, attestation object 64 + 10001 + 2119 = 12184 bytes.
 */
export const PASSKEY_LIMITS = passkeyLimits(PASSKEY_ALGORITHMS);

/** The most base64url characters `bytes` bytes take: 4 per 3 bytes, rounded up, as the padded form (also accepted). */
export function base64urlLength(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}
