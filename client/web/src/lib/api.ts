import * as z from "zod/mini";
import { ErrorBody, type ErrorCode } from "#protocol/errors.ts";

/** Why a call failed: the server's code, or NETWORK (no answer), HTTP (no error body), BAD_RESPONSE (a bad body). */
export type ApiErrorCode = ErrorCode | "NETWORK" | "HTTP" | "BAD_RESPONSE";

/**
 * What a call to the Tether API gives back: the parsed body, or an error as a code, which pages word in the reader's
 * language; `message` is the server's English (or a note of what went wrong here), for logs and diagnosis.
 */
export type ApiResult<T> = { ok: true; data: T } | { ok: false; status: number; code: ApiErrorCode; message: string };

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Calls a JSON endpoint at `path` (with `headers` besides) and checks the answer against `schema`; never throws. */
export type CallApi = <T>(
  method: Method,
  path: string,
  schema: z.ZodMiniType<T>,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<ApiResult<T>>;

/** What the API client needs of `fetch`; the browser's and Node's are one. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * An API client for the site at `origin` through `fetchFn`: this page's own site and the browser's fetch unless said
 * (the native agent names the link's site and passes Node's fetch).
 */
export function apiClient(origin = "", fetchFn: Fetch = (url, init) => fetch(url, init)): CallApi {
  return (method, path, schema, body, headers) => call(fetchFn, origin + path, method, schema, body, headers);
}

async function call<T>(
  fetchFn: Fetch,
  url: string,
  method: Method,
  schema: z.ZodMiniType<T>,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetchFn(url, {
      method,
      headers: body === undefined ? headers : { ...headers, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    return {
      ok: false,
      status: 0,
      code: "NETWORK",
      message: "fetch failed",
    };
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = ErrorBody.safeParse(json);
    if (error.success) return { ok: false, status: res.status, ...error.data.error };
    return { ok: false, status: res.status, code: "HTTP", message: `HTTP ${res.status}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      status: res.status,
      code: "BAD_RESPONSE",
      message: "the answer did not match its schema",
    };
  }
  return { ok: true, data: parsed.data };
}

/** Calls a same-origin JSON endpoint with the browser's fetch (see CallApi). */
export const callApi: CallApi = apiClient();

/** Accepts any JSON body: for endpoints whose answer carries nothing the page needs. */
export const AnyBody = z.unknown();
