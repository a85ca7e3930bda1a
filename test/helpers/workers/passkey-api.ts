import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/server";
import { SESSION_COOKIE } from "../../../worker/auth/session-cookie.ts";
import { hashToken, newToken } from "../../../worker/auth/tokens.ts";
import { SoftAuthenticator, type Tamper } from "./authenticator.ts";

/** The page origin tests run the console on. */
export const ORIGIN = "http://localhost";

type RequestOptions = {
  method?: string;
  body?: unknown;
  rawBody?: string;
  origin?: string | null;
  contentType?: string;
};

/** A JSON answer: status, parsed body (null when empty) and the raw response. */
export type Answer<T = unknown> = { status: number; body: T; res: Response };

let nextHost = 1;

/**
 * One technician's browser: its own client IP (so per-IP rate limits never cross tests), a cookie
 * jar holding the sign-in cookie, and a software authenticator on this site's origin.
 */
export class Browser {
  readonly ip = `10.${(Date.now() >> 8) & 0xff}.${nextHost >> 8}.${nextHost++ & 0xff}`;
  readonly authenticator = new SoftAuthenticator(ORIGIN);
  cookie: string | null = null;

  /** Calls the worker as this browser would, keeping the sign-in cookie it is given. */
  async call<T = unknown>(path: string, options: RequestOptions = {}): Promise<Answer<T>> {
    const method = options.method ?? (options.body === undefined && options.rawBody === undefined ? "GET" : "POST");
    const headers = new Headers({ "cf-connecting-ip": this.ip });
    const origin = options.origin === undefined ? ORIGIN : options.origin;
    if (origin !== null && method !== "GET") headers.set("origin", origin);
    if (this.cookie) headers.set("cookie", `${SESSION_COOKIE}=${this.cookie}`);
    let body: string | undefined;
    if (options.body !== undefined || options.rawBody !== undefined) {
      headers.set("content-type", options.contentType ?? "application/json");
      body = options.rawBody ?? JSON.stringify(options.body);
    }
    const res = await SELF.fetch(`${ORIGIN}${path}`, { method, headers, body });
    const cookie = res.headers.get("set-cookie")?.match(new RegExp(`^${SESSION_COOKIE}=([^;]*)`));
    if (cookie) this.cookie = cookie[1] || null;
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T, res };
  }

  /** Enrols with an invite token: options, a new passkey on this browser's authenticator, verify. */
  async enrol(invite: string, displayName = "Ada Tech", tamper?: Tamper): Promise<Answer> {
    const options = await this.call<PublicKeyCredentialCreationOptionsJSON>("/api/auth/register/options", {
      body: { invite, displayName },
    });
    if (options.status !== 200) return options;
    const response = await this.authenticator.register(options.body, tamper);
    return this.call("/api/auth/register/verify", { body: { response } });
  }

  /** Signs in with whichever passkey the authenticator offers. */
  async signIn(tamper?: Tamper): Promise<Answer> {
    const options = await this.call<PublicKeyCredentialRequestOptionsJSON>("/api/auth/login/options", {
      method: "POST",
    });
    if (options.status !== 200) return options;
    const response = await this.authenticator.authenticate(options.body, tamper);
    return this.call("/api/auth/login/verify", { body: { response } });
  }
}

/** Inserts an invite straight into D1, as the CLI does, and returns its token. */
export async function insertInvite(
  options: { isAdmin?: boolean; expiresAt?: number; usedAt?: number | null } = {},
): Promise<string> {
  const token = newToken();
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO invites (token_hash, is_admin, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?)",
  )
    .bind(
      await hashToken(token),
      options.isAdmin ? 1 : 0,
      now,
      options.expiresAt ?? now + 3_600_000,
      options.usedAt ?? null,
    )
    .run();
  return token;
}

/** A browser with a freshly enrolled technician, signed in. */
export async function enrolledBrowser(options: { isAdmin?: boolean; name?: string } = {}): Promise<Browser> {
  const browser = new Browser();
  const answer = await browser.enrol(await insertInvite({ isAdmin: options.isAdmin }), options.name);
  if (answer.status !== 200) throw new Error(`enrolment failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return browser;
}
