import * as z from "zod/mini";
import { ErrorBody } from "#protocol/errors.ts";

/** What a call to the Tether API gives back: the parsed body, or an error a person can read. */
export type ApiResult<T> = { ok: true; data: T } | { ok: false; status: number; code: string; message: string };

type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** Calls a same-origin JSON endpoint (with `headers` besides) and checks the answer against `schema`; never throws. */
export async function callApi<T>(
  method: Method,
  path: string,
  schema: z.ZodMiniType<T>,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
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
      message: "Could not reach Tether. Check your connection and try again.",
    };
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = ErrorBody.safeParse(json);
    if (error.success) return { ok: false, status: res.status, ...error.data.error };
    return { ok: false, status: res.status, code: "HTTP", message: `Tether answered ${res.status}; please try again.` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      status: res.status,
      code: "BAD_RESPONSE",
      message: "Tether sent an answer this page does not understand; reload and try again.",
    };
  }
  return { ok: true, data: parsed.data };
}

/** Accepts any JSON body: for endpoints whose answer carries nothing the page needs. */
export const AnyBody = z.unknown();
