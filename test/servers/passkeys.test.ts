import { webcrypto } from "node:crypto";
import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import { isoBase64URL, isoCBOR } from "@simplewebauthn/server/helpers";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MeResponse } from "#protocol/auth.ts";
import { COSE_ALG, type CoseAlg, PASSKEY_ALGORITHMS } from "#protocol/passkey-algorithms.ts";
import { common } from "../../client/web/src/i18n/catalogues/en.ts";
import { addVirtualAuthenticator, launchBrowser, type VirtualAuthenticator } from "../helpers/node/browser.ts";
import { dismiss, newPerson, open, type Person, STEP_TIMEOUT_MS } from "../helpers/node/people.ts";
import { SERVER_NAMES, startServer, type TestServer } from "../helpers/node/servers.ts";
import { postJson } from "../helpers/node/technicians.ts";

// Passkeys on both hosts, in Chromium with a virtual platform authenticator: each host offers the same algorithms in
// the same order, and a technician enrolled with a passkey of each of them signs out, signs in again and is known to
// /api/me. A passkey of an algorithm not offered (ML-DSA-44, which the Deno host used to offer first, or any other) is
// refused at enrolment, so nobody gets a passkey that cannot sign in.

// Every test enrols and signs in its own people, more than the per-address sign-in limit allows in a minute.
const VARS = { RATE_SIGNIN_PER_MIN: "10000" };

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** CDP reports credential IDs in base64; the server keeps them in base64url. */
function base64url(base64 = ""): string {
  return base64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** A registration with fmt "none" for the COSE public key `cose`, as a browser would send it from `origin`. */
async function noneRegistration(origin: string, challenge: string, cose: Uint8Array, publicKeyAlgorithm?: number) {
  const credentialId = webcrypto.getRandomValues(new Uint8Array(16));
  const rpIdHash = new Uint8Array(await webcrypto.subtle.digest("SHA-256", new TextEncoder().encode("localhost")));
  const flags = 0x45; // user present, user verified, attested credential data
  const signCount = [0, 0, 0, 0];
  const attested = [...new Uint8Array(16), 0, credentialId.length, ...credentialId, ...cose]; // AAGUID 0, ID, key
  const authData = new Uint8Array([...rpIdHash, flags, ...signCount, ...attested]);
  const clientData = new TextEncoder().encode(JSON.stringify({ type: "webauthn.create", challenge, origin }));
  const attestation = new Map<string, string | Map<string, string> | Uint8Array>([
    ["fmt", "none"],
    ["attStmt", new Map<string, string>()],
    ["authData", authData],
  ]);
  return {
    id: isoBase64URL.fromBuffer(credentialId),
    rawId: isoBase64URL.fromBuffer(credentialId),
    type: "public-key",
    response: {
      clientDataJSON: isoBase64URL.fromBuffer(clientData),
      attestationObject: isoBase64URL.fromBuffer(isoCBOR.encode(attestation)),
      ...(publicKeyAlgorithm === undefined ? {} : { publicKeyAlgorithm }),
    },
    clientExtensionResults: {},
  };
}

type Enrolment = { algorithm: number | undefined; status: number; body: unknown };

/** What /api/me answers the page, with its cookies. */
function me(page: Page): Promise<{ status: number; body: unknown }> {
  return page.evaluate(async () => {
    const res = await fetch("/api/me");
    return { status: res.status, body: await res.json() };
  });
}

describe.each(SERVER_NAMES)("%s", (name) => {
  let server: TestServer;
  const people: Person[] = [];

  beforeAll(async () => {
    server = await startServer(name, { vars: VARS });
  });

  afterEach(() => dismiss(people));

  afterAll(async () => {
    await server?.stop();
  });

  /**
   * A person with their own profile and passkey device. With `only`, the page asks the authenticator for that one
   * algorithm, as if the device could make no other (an authenticator takes the first offered algorithm it can make).
   */
  async function technician(only?: CoseAlg): Promise<Person & { authenticator: VirtualAuthenticator }> {
    const person = await newPerson(browser, server);
    people.push(person);
    if (only !== undefined) {
      await person.page.addInitScript((alg) => {
        const create = navigator.credentials.create.bind(navigator.credentials);
        navigator.credentials.create = (options) => {
          if (options?.publicKey) options.publicKey.pubKeyCredParams = [{ type: "public-key", alg }];
          return create(options);
        };
      }, only);
    }
    return { ...person, authenticator: await addVirtualAuthenticator(person.page) };
  }

  /** Enrols from a freshly minted link; the algorithm of the passkey made and the server's answer to it. */
  async function enrol(page: Page, displayName: string): Promise<Enrolment> {
    await open(page, await server.mintEnrolment({ isAdmin: true }));
    await page.getByLabel("Your name").fill(displayName);
    const verified = page.waitForResponse((response) => response.url().endsWith("/api/auth/register/verify"));
    await page.getByRole("button", { name: "Create passkey" }).click();
    const response = await verified;
    const sent = response.request().postDataJSON() as { response: { response: { publicKeyAlgorithm?: number } } };
    // A successful enrolment moves the page on at once, and its answer's body with it; a refusal keeps the page.
    const status = response.status();
    return {
      algorithm: sent.response.response.publicKeyAlgorithm,
      status,
      body: status === 200 ? null : await response.json(),
    };
  }

  it("offers Ed25519, ES256 and RS256, in that order", async () => {
    const invite = new URL(await server.mintEnrolment({ isAdmin: true })).hash.slice(1);
    const res = await postJson(server, "/api/auth/register/options", { invite, displayName: "Olga Options" });
    expect(res.status).toBe(200);
    const options = (await res.json()) as PublicKeyCredentialCreationOptionsJSON;
    expect(options.pubKeyCredParams).toEqual([
      { alg: COSE_ALG.EdDSA, type: "public-key" },
      { alg: COSE_ALG.ES256, type: "public-key" },
      { alg: COSE_ALG.RS256, type: "public-key" },
    ]);
  });

  it.each([
    { offered: "every algorithm offered", only: undefined, made: PASSKEY_ALGORITHMS[0] },
    ...PASSKEY_ALGORITHMS.map((alg) => ({ offered: `only COSE algorithm ${alg}`, only: alg, made: alg })),
  ])("signs a technician out and in again, with a passkey made from $offered", async ({ only, made }) => {
    const displayName = `Tess ${made}`;
    const { page, authenticator } = await technician(only);
    const enrolment = await enrol(page, displayName);
    expect(enrolment).toMatchObject({ algorithm: made, status: 200 });
    await page.waitForURL("/console");
    await page.getByText(`Signed in as ${displayName}`, { exact: false }).waitFor();
    expect(await authenticator.credentials()).toHaveLength(1);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("/sign-in");
    expect((await me(page)).status).toBe(401);

    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.waitForURL("/console");
    await page.getByText(`Signed in as ${displayName}`, { exact: false }).waitFor();
    const after = await me(page);
    expect(after.status).toBe(200);
    const { technician: who, passkeys } = MeResponse.parse(after.body);
    expect(who.name).toBe(displayName);
    // The sign-in used the enrolled passkey, and the server recorded it.
    const [credential] = await authenticator.credentials();
    expect(passkeys).toEqual([
      {
        id: base64url(credential?.credentialId),
        name: null,
        createdAt: expect.any(Number),
        lastUsedAt: expect.any(Number),
      },
    ]);
  });

  it("refuses at enrolment an ML-DSA-44 passkey, larger than anything it offers", async () => {
    const { page } = await technician(COSE_ALG.ML_DSA_44);
    const enrolment = await enrol(page, "Mila Mldsa");
    // Its 1,334-byte public key is over the cap that the algorithms offered set, before any verification.
    expect(enrolment).toMatchObject({
      algorithm: COSE_ALG.ML_DSA_44,
      status: 400,
      body: { error: { code: "BAD_REQUEST" } },
    });
    expect(JSON.stringify(enrolment.body)).toContain("publicKey");
    // The page words the refusal's code in its own language; it does not show the server's English.
    await expect
      .poll(() => page.getByRole("status").textContent(), { timeout: STEP_TIMEOUT_MS })
      .toBe(common.errors.BAD_REQUEST);
    expect(new URL(page.url()).pathname).toBe("/enrol");
  });

  it("refuses at enrolment a passkey of an algorithm it does not offer, even one within the caps (ES384)", async () => {
    const invite = new URL(await server.mintEnrolment({ isAdmin: true })).hash.slice(1);
    const { publicKey } = await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, [
      "sign",
      "verify",
    ]);
    const jwk = await webcrypto.subtle.exportKey("jwk", publicKey);
    const es384 = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -35],
        [-1, 2],
        [-2, isoBase64URL.toBuffer(jwk.x ?? "")],
        [-3, isoBase64URL.toBuffer(jwk.y ?? "")],
      ]),
    );
    // Once as the attested key alone says (the verification's own check), once as the browser names it too.
    for (const [publicKeyAlgorithm, message] of [
      [undefined, /"-35"/],
      [-35, /kind of key Tether does not accept/],
    ] as const) {
      const optionsRes = await postJson(server, "/api/auth/register/options", { invite, displayName: "Esme Es384" });
      expect(optionsRes.status).toBe(200);
      const { challenge } = (await optionsRes.json()) as PublicKeyCredentialCreationOptionsJSON;
      const response = await noneRegistration(server.origin, challenge, es384, publicKeyAlgorithm);
      const verified = await postJson(server, "/api/auth/register/verify", { response });
      expect(verified.status).toBe(400);
      const { error } = (await verified.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe("PASSKEY_INVALID");
      expect(error.message).toMatch(message);
    }
  });
});
