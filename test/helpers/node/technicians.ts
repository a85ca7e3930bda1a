import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import type { SignedInResponse } from "#protocol/auth.ts";
import { SESSION_COOKIE } from "../../../worker/auth/session-cookie.ts";
import { SoftAuthenticator } from "../workers/authenticator.ts";
import type { TestServer } from "./servers.ts";

/** A technician signed in to a running server: the cookie their browser would hold. */
export type SignedIn = SignedInResponse["technician"] & { cookie: string };

/** POSTs JSON from the server's own origin, as its pages do. */
export async function postJson(server: TestServer, path: string, body: unknown, cookie?: string): Promise<Response> {
  return fetch(`${server.origin}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: server.origin,
      ...(cookie ? { cookie } : {}),
    },
    body: JSON.stringify(body),
  });
}

/** Enrols a technician the way a person does: a minted link, then a passkey ceremony with a software authenticator. */
export async function enrolTechnician(server: TestServer, name: string, isAdmin = true): Promise<SignedIn> {
  const invite = new URL(await server.mintEnrolment({ isAdmin })).hash.slice(1);
  const authenticator = new SoftAuthenticator(server.origin);
  const optionsRes = await postJson(server, "/api/auth/register/options", { invite, displayName: name });
  if (optionsRes.status !== 200) throw new Error(`register/options: ${optionsRes.status} ${await optionsRes.text()}`);
  const options = (await optionsRes.json()) as PublicKeyCredentialCreationOptionsJSON;
  const response = await authenticator.register(options);
  const verified = await postJson(server, "/api/auth/register/verify", { response });
  if (verified.status !== 200) throw new Error(`register/verify: ${verified.status} ${await verified.text()}`);
  const token = verified.headers.get("set-cookie")?.match(new RegExp(`^${SESSION_COOKIE}=([^;]+)`))?.[1];
  if (!token) throw new Error("register/verify set no sign-in cookie");
  const { technician } = (await verified.json()) as SignedInResponse;
  return { ...technician, cookie: `${SESSION_COOKIE}=${token}` };
}
