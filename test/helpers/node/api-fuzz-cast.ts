import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/server";
import { type InviteResponse, PasskeyAddedResponse, SignedInResponse, TechnicianUpdated } from "#protocol/auth.ts";
import { SESSION_COOKIE } from "../../../worker/auth/session-cookie.ts";
import { hashToken } from "../../../worker/auth/tokens.ts";
import { SoftAuthenticator } from "../workers/authenticator.ts";
import type { TestServer } from "./servers.ts";
import { postJson, type SignedIn } from "./technicians.ts";

// The people the API fuzz acts as and on. The technicians the final checks rely on keep their sign-ins: requests that
// end the sign-in they carry (sign-out, signing out everywhere, removing a passkey) carry a spare one instead, and the
// admin routes name only spare technicians. What the fuzz's answers say it changed goes into a ledger, from which the
// checks afterwards know which sign-ins must have ended, which must still work, and who must still be listed.

/** A technician enrolled with a software authenticator the fuzz can sign more answers with. */
export type FuzzTechnician = SignedIn & { authenticator: SoftAuthenticator; passkeyId: string };

/** A sign-in the fuzz may end: its cookie, whose it is, and the passkey it was made with. */
export type SpareSignIn = { cookie: string; technicianId: string; passkeyId: string };

/** A technician the fuzz may promote, demote or remove, and sign out everywhere or strip of a passkey. */
export type SpareTechnician = {
  id: string;
  name: string;
  isAdmin: boolean;
  passkeyIds: string[];
  signIns: SpareSignIn[];
  /**
   * Half the spares sign out everywhere, which ends all their sign-ins at the first try; the other half sign out and
   * remove passkeys, ending them one or two at a time, so that some are still live at the end.
   */
  isSignedOutEverywhere: boolean;
};

/** Spare sign-ins and technicians, made before the fuzz starts. */
export type Cast = {
  /** More sign-ins of the fuzzing admin (made by signing in again with its authenticator), for sign-outs to end. */
  adminSignIns: SpareSignIn[];
  spares: SpareTechnician[];
  /** Hashes (the ids the API uses) of the invites made to enrol the spares, all used. */
  inviteIds: string[];
};

const SPARE_TECHNICIANS = 8;
const ADMIN_SIGN_INS = 24;

function cookieOf(res: Response): string {
  const token = res.headers.get("set-cookie")?.match(new RegExp(`^${SESSION_COOKIE}=([^;]+)`))?.[1];
  if (!token) throw new Error("no sign-in cookie was set");
  return `${SESSION_COOKIE}=${token}`;
}

async function ok<T>(res: Response, what: string): Promise<T> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Enrols a technician with `invite` and a fresh software authenticator, as a person does. */
async function enrol(server: TestServer, invite: string, name: string): Promise<FuzzTechnician> {
  const authenticator = new SoftAuthenticator(server.origin);
  const options = await ok<PublicKeyCredentialCreationOptionsJSON>(
    await postJson(server, "/api/auth/register/options", { invite, displayName: name }),
    "register/options",
  );
  const response = await authenticator.register(options);
  const verified = await postJson(server, "/api/auth/register/verify", { response });
  const { technician } = SignedInResponse.parse(await ok(verified, "register/verify"));
  return { ...technician, cookie: cookieOf(verified), authenticator, passkeyId: response.id };
}

/** Enrols a technician as enrolTechnician does (with a minted link), keeping the authenticator and its passkey's id. */
export async function enrolFuzzTechnician(server: TestServer, name: string, isAdmin = true): Promise<FuzzTechnician> {
  return enrol(server, new URL(await server.mintEnrolment({ isAdmin })).hash.slice(1), name);
}

/** Signs in once more with the first passkey `authenticator` holds: a new sign-in, with its own cookie. */
export async function signInAgain(server: TestServer, authenticator: SoftAuthenticator): Promise<string> {
  const options = await ok<PublicKeyCredentialRequestOptionsJSON>(
    await postJson(server, "/api/auth/login/options", {}),
    "login/options",
  );
  const res = await postJson(server, "/api/auth/login/verify", { response: await authenticator.authenticate(options) });
  await ok(res, "login/verify");
  return cookieOf(res);
}

/**
 * The fuzzing admin's spare sign-ins, and spare technicians (every other one an admin), each with two passkeys and
 * four sign-ins, two made with each.
 */
export async function prepareCast(server: TestServer, admin: FuzzTechnician): Promise<Cast> {
  const cast: Cast = { adminSignIns: [], spares: [], inviteIds: [] };
  for (let i = 0; i < ADMIN_SIGN_INS; i++) {
    const cookie = await signInAgain(server, admin.authenticator);
    cast.adminSignIns.push({ cookie, technicianId: admin.id, passkeyId: admin.passkeyId });
  }
  for (let i = 0; i < SPARE_TECHNICIANS; i++) {
    const isAdmin = i % 2 === 0;
    const { url } = await ok<InviteResponse>(
      await postJson(server, "/api/invites", { isAdmin }, admin.cookie),
      "invites",
    );
    const invite = new URL(url).hash.slice(1);
    cast.inviteIds.push(await hashToken(invite));
    const spare = await enrol(server, invite, `Spare ${i + 1}`);
    const options = await ok<PublicKeyCredentialCreationOptionsJSON>(
      await postJson(server, "/api/me/passkeys/options", {}, spare.cookie),
      "passkeys/options",
    );
    const second = new SoftAuthenticator(server.origin);
    const added = PasskeyAddedResponse.parse(
      await ok(
        await postJson(server, "/api/me/passkeys/verify", { response: await second.register(options) }, spare.cookie),
        "passkeys/verify",
      ),
    );
    const signIn = (cookie: string, passkeyId: string) => ({ cookie, technicianId: spare.id, passkeyId });
    cast.spares.push({
      id: spare.id,
      name: spare.name,
      isAdmin,
      passkeyIds: [spare.passkeyId, added.passkey.id],
      signIns: [
        signIn(spare.cookie, spare.passkeyId),
        signIn(await signInAgain(server, spare.authenticator), spare.passkeyId),
        signIn(await signInAgain(server, second), added.passkey.id),
        signIn(await signInAgain(server, second), added.passkey.id),
      ],
      isSignedOutEverywhere: i % 4 < 2,
    });
  }
  return cast;
}

/**
 * Which sign-ins a request to `path` (as sent, before the URL parser and the router normalise it) by `method` may end:
 * "all" of its technician's (DELETE /api/me/sign-ins), the "one" it carries (sign-out, removing the passkey it was
 * made with), or "none". Generous on purpose: a request it names only carries a spare sign-in instead of a kept one.
 */
export function signInsEnded(method: string, path: string): "all" | "one" | "none" {
  let pathname = new URL(path, "http://x").pathname;
  try {
    pathname = decodeURI(pathname);
  } catch {
    // Left encoded: the router does the same with what it cannot decode.
  }
  const p = pathname.toLowerCase().replace(/\/+/g, "/");
  if (p.startsWith("/api/me/sign-ins")) return "all";
  if (p.startsWith("/api/auth/logout") || (method !== "POST" && p.startsWith("/api/me/passkeys/"))) return "one";
  return "none";
}

/** What the fuzz's answers say it changed. */
export type Ledger = {
  /** Technicians enrolled by POST /api/auth/register/verify: id → name. */
  enrolled: Map<string, string>;
  removedTechnicians: Set<string>;
  /** Every role a PATCH /api/technicians/:id was answered with, per technician (requests race, so any may be last). */
  roles: Map<string, Set<boolean>>;
  /** Every name a PATCH /api/technicians/:id or PATCH /api/me was answered with, per technician. */
  names: Map<string, Set<string>>;
  /** Ids of the invites POST /api/invites made, of those a registration used, and of those DELETE revoked. */
  invitesMade: Set<string>;
  invitesUsed: Set<string>;
  invitesRevoked: Set<string>;
  /** Passkeys added to the fuzzing admin, removed (anyone's), and the names PATCH gave them. */
  passkeysAdded: Set<string>;
  passkeysRemoved: Set<string>;
  passkeyNames: Map<string, Set<string | null>>;
  /** Cookies sent exactly as set to a sign-out that answered 204, and cookies sent there altered (may have ended). */
  signedOut: Set<string>;
  maybeSignedOut: Set<string>;
  /** Technicians whose DELETE /api/me/sign-ins answered 204. */
  signedOutEverywhere: Set<string>;
};

export function newLedger(): Ledger {
  return {
    enrolled: new Map(),
    removedTechnicians: new Set(),
    roles: new Map(),
    names: new Map(),
    invitesMade: new Set(),
    invitesUsed: new Set(),
    invitesRevoked: new Set(),
    passkeysAdded: new Set(),
    passkeysRemoved: new Set(),
    passkeyNames: new Map(),
    signedOut: new Set(),
    maybeSignedOut: new Set(),
    signedOutEverywhere: new Set(),
  };
}

function add<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  map.set(key, (map.get(key) ?? new Set()).add(value));
}

/** What a request the server answered with a 2xx did, as the fuzz knows it. */
export type Answered = {
  method: string;
  /** The path as the router saw it: normalised by the URL parser and percent-decoded. */
  pathname: string;
  status: number;
  json: unknown;
  /** The spare sign-in whose token the request's cookie header carried, and whether it carried it as set. */
  signIn?: { spare: SpareSignIn; isExact: boolean };
  /** The invite whose prepared registration the body carried. */
  inviteId?: string;
};

/** Records in `ledger` what a 2xx answer says changed. */
export async function record(ledger: Ledger, answered: Answered): Promise<void> {
  const { method, pathname, status, json, signIn } = answered;
  const segments = pathname.split("/");
  const id = segments[segments.length - 1] ?? "";
  const under = (prefix: string) => pathname.startsWith(prefix) && segments.length === prefix.split("/").length;
  if (method === "POST" && pathname === "/api/auth/register/verify") {
    const parsed = SignedInResponse.safeParse(json);
    if (parsed.success) ledger.enrolled.set(parsed.data.technician.id, parsed.data.technician.name);
    if (answered.inviteId) ledger.invitesUsed.add(answered.inviteId);
  } else if (method === "POST" && pathname === "/api/auth/logout" && signIn) {
    (signIn.isExact ? ledger.signedOut : ledger.maybeSignedOut).add(signIn.spare.cookie);
  } else if (method === "DELETE" && pathname === "/api/me/sign-ins" && signIn) {
    ledger.signedOutEverywhere.add(signIn.spare.technicianId);
  } else if (method === "POST" && pathname === "/api/me/passkeys/verify") {
    const parsed = PasskeyAddedResponse.safeParse(json);
    if (parsed.success) ledger.passkeysAdded.add(parsed.data.passkey.id);
  } else if (method === "PATCH" && under("/api/me/passkeys/")) {
    const parsed = PasskeyAddedResponse.safeParse(json);
    if (parsed.success) add(ledger.passkeyNames, parsed.data.passkey.id, parsed.data.passkey.name);
  } else if (method === "DELETE" && under("/api/me/passkeys/")) {
    ledger.passkeysRemoved.add(id);
  } else if (method === "PATCH" && pathname === "/api/me") {
    const parsed = TechnicianUpdated.safeParse(json);
    if (parsed.success) add(ledger.names, parsed.data.technician.id, parsed.data.technician.name);
  } else if (method === "PATCH" && under("/api/technicians/")) {
    const parsed = TechnicianUpdated.safeParse(json);
    if (parsed.success) {
      add(ledger.roles, id, parsed.data.technician.isAdmin);
      add(ledger.names, id, parsed.data.technician.name);
    }
  } else if (method === "DELETE" && under("/api/technicians/")) {
    ledger.removedTechnicians.add(id);
  } else if (method === "POST" && pathname === "/api/invites" && status === 201) {
    const url = (json as { url?: unknown } | null)?.url;
    if (typeof url === "string") ledger.invitesMade.add(await hashToken(new URL(url).hash.slice(1)));
  } else if (method === "DELETE" && under("/api/invites/")) {
    ledger.invitesRevoked.add(id);
  }
}

/** What must have become of a spare sign-in: ended, still working, or either (an altered cookie was signed out). */
export function fateOf(ledger: Ledger, signIn: SpareSignIn): "ended" | "live" | "either" {
  if (
    ledger.signedOut.has(signIn.cookie) ||
    ledger.signedOutEverywhere.has(signIn.technicianId) ||
    ledger.removedTechnicians.has(signIn.technicianId) ||
    ledger.passkeysRemoved.has(signIn.passkeyId)
  ) {
    return "ended";
  }
  return ledger.maybeSignedOut.has(signIn.cookie) ? "either" : "live";
}
