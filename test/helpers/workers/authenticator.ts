import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";

// A software WebAuthn authenticator (ES256 over WebCrypto) that answers create() and get() options
// the way a browser plus a platform authenticator would, byte for byte: CBOR attestation objects
// with fmt "none", authenticator data with real flags and counters, DER-encoded ECDSA signatures.
// Its CBOR encoder is its own, so that it does not share a bug with the verifier under test.

/** Authenticator data flags (WebAuthn §6.1). */
export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40, ED: 0x80 } as const;

/** A credential the authenticator holds; tests may read and change `signCount`. */
export type SoftCredential = {
  id: string;
  rpId: string;
  userHandle: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  signCount: number;
};

/** Ways a test can make the authenticator (or the browser in front of it) misbehave. */
export type Tamper = {
  /** clientDataJSON origin instead of the authenticator's own. */
  origin?: string;
  /** The challenge to sign instead of the one in the options. */
  challenge?: string;
  /** The RP ID whose hash goes into the authenticator data. */
  rpId?: string;
  /** Authenticator data flags instead of the honest ones. */
  flags?: number;
  /** Counter to report instead of incrementing the stored one. */
  signCount?: number;
  /** For get(): which held credential to answer with; for create(): re-attest this held credential, ignoring exclusions. */
  credentialId?: string;
  /** For get(): userHandle to report instead of the credential's. */
  userHandle?: string;
};

const AAGUID = new Uint8Array(16).fill(0x7e);

/** base64url without padding, as WebAuthn's JSON forms use. */
export function toBase64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Decodes base64url (with or without padding). */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

type Cbor = number | string | Uint8Array | Cbor[] | Map<number | string, Cbor> | { [key: string]: Cbor };

function cborHead(major: number, n: number): number[] {
  if (n < 24) return [(major << 5) | n];
  if (n < 0x100) return [(major << 5) | 24, n];
  if (n < 0x10000) return [(major << 5) | 25, n >> 8, n & 0xff];
  return [(major << 5) | 26, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** Encodes the few CBOR types WebAuthn needs: small integers, text, bytes, arrays, maps. */
export function encodeCbor(value: Cbor): Uint8Array {
  const out: number[] = [];
  const write = (v: Cbor): void => {
    if (typeof v === "number") {
      if (!Number.isInteger(v) || Math.abs(v) > 0xffffffff) throw new Error(`CBOR: unsupported number ${v}`);
      out.push(...(v >= 0 ? cborHead(0, v) : cborHead(1, -1 - v)));
    } else if (typeof v === "string") {
      const bytes = new TextEncoder().encode(v);
      out.push(...cborHead(3, bytes.length), ...bytes);
    } else if (v instanceof Uint8Array) {
      out.push(...cborHead(2, v.length), ...v);
    } else if (Array.isArray(v)) {
      out.push(...cborHead(4, v.length));
      for (const item of v) write(item);
    } else {
      const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
      out.push(...cborHead(5, entries.length));
      for (const [key, item] of entries) {
        write(key);
        write(item);
      }
    }
  };
  write(value);
  return new Uint8Array(out);
}

/** DER SEQUENCE { INTEGER r, INTEGER s } from WebCrypto's raw r||s, as WebAuthn's ES256 signatures are. */
export function rawToDer(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array): number[] => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const body = [...bytes.subarray(start)];
    if ((body[0] ?? 0) & 0x80) body.unshift(0);
    return [0x02, body.length, ...body];
  };
  const half = raw.length / 2;
  const seq = [...integer(raw.subarray(0, half)), ...integer(raw.subarray(half))];
  return new Uint8Array([0x30, seq.length, ...seq]);
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function uint32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

const utf8 = (text: string): Uint8Array<ArrayBuffer> => new Uint8Array(new TextEncoder().encode(text));

/** A platform authenticator in software, bound to the page origin it is used from. */
export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(readonly origin = "http://localhost") {}

  /** Answers navigator.credentials.create(options) with a new discoverable ES256 credential. */
  async register(
    options: PublicKeyCredentialCreationOptionsJSON,
    tamper: Tamper = {},
  ): Promise<RegistrationResponseJSON> {
    const rpId = tamper.rpId ?? options.rp.id ?? new URL(this.origin).hostname;
    if (!options.pubKeyCredParams.some((p) => p.alg === -7)) throw new Error("NotSupportedError: ES256 not offered");
    const excluded = new Set((options.excludeCredentials ?? []).map((c) => c.id));
    const reused = this.credentials.find((c) => c.id === tamper.credentialId);
    if (!reused && this.credentials.some((c) => c.rpId === rpId && excluded.has(c.id))) {
      throw new Error("InvalidStateError: this authenticator already holds an excluded credential");
    }

    const keys: CryptoKeyPair = reused
      ? { privateKey: reused.privateKey, publicKey: reused.publicKey }
      : ((await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
          "sign",
          "verify",
        ])) as CryptoKeyPair);
    const jwk = (await crypto.subtle.exportKey("jwk", keys.publicKey)) as JsonWebKey;
    const spki = new Uint8Array((await crypto.subtle.exportKey("spki", keys.publicKey)) as ArrayBuffer);
    const coseKey = encodeCbor(
      new Map<number, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, fromBase64url(jwk.x ?? "")],
        [-3, fromBase64url(jwk.y ?? "")],
      ]),
    );
    const rawId = reused ? fromBase64url(reused.id) : crypto.getRandomValues(new Uint8Array(32));
    const credential: SoftCredential = reused ?? {
      id: toBase64url(rawId),
      rpId,
      userHandle: options.user.id,
      privateKey: keys.privateKey,
      publicKey: keys.publicKey,
      signCount: 0,
    };

    const flags = tamper.flags ?? FLAGS.UP | FLAGS.UV | FLAGS.AT;
    const authData = concat(
      await sha256(utf8(rpId)),
      new Uint8Array([flags]),
      uint32(tamper.signCount ?? credential.signCount),
      AAGUID,
      new Uint8Array([rawId.length >> 8, rawId.length & 0xff]),
      rawId,
      coseKey,
    );
    const clientDataJSON = utf8(
      JSON.stringify({
        type: "webauthn.create",
        challenge: tamper.challenge ?? options.challenge,
        origin: tamper.origin ?? this.origin,
        crossOrigin: false,
      }),
    );
    const attestationObject = encodeCbor({ fmt: "none", attStmt: {}, authData });
    if (!reused) this.credentials.push(credential);
    return {
      id: credential.id,
      rawId: credential.id,
      type: "public-key",
      response: {
        clientDataJSON: toBase64url(clientDataJSON),
        attestationObject: toBase64url(attestationObject),
        authenticatorData: toBase64url(authData),
        transports: ["internal"],
        publicKeyAlgorithm: -7,
        publicKey: toBase64url(spki),
      },
      authenticatorAttachment: "platform",
      clientExtensionResults: { credProps: { rk: true } },
    };
  }

  /** Answers navigator.credentials.get(options), picking a discoverable credential when none are listed. */
  async authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    tamper: Tamper = {},
  ): Promise<AuthenticationResponseJSON> {
    const rpId = options.rpId ?? new URL(this.origin).hostname;
    const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
    const candidates = this.credentials.filter(
      (c) =>
        c.rpId === rpId &&
        (allowed.size === 0 || allowed.has(c.id)) &&
        (!tamper.credentialId || c.id === tamper.credentialId),
    );
    const credential = candidates.at(-1);
    if (!credential) throw new Error("NotAllowedError: no credential for this RP");

    if (tamper.signCount === undefined) credential.signCount += 1;
    const flags = tamper.flags ?? FLAGS.UP | FLAGS.UV;
    const authData = concat(
      await sha256(utf8(tamper.rpId ?? rpId)),
      new Uint8Array([flags]),
      uint32(tamper.signCount ?? credential.signCount),
    );
    const clientDataJSON = utf8(
      JSON.stringify({
        type: "webauthn.get",
        challenge: tamper.challenge ?? options.challenge,
        origin: tamper.origin ?? this.origin,
        crossOrigin: false,
      }),
    );
    const signed = concat(authData, await sha256(clientDataJSON));
    const raw = new Uint8Array(
      await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, credential.privateKey, signed),
    );
    return {
      id: credential.id,
      rawId: credential.id,
      type: "public-key",
      response: {
        clientDataJSON: toBase64url(clientDataJSON),
        authenticatorData: toBase64url(authData),
        signature: toBase64url(rawToDer(raw)),
        userHandle: tamper.userHandle ?? credential.userHandle,
      },
      authenticatorAttachment: "platform",
      clientExtensionResults: {},
    };
  }
}
