import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { apiClient, type Fetch } from "../../client/web/src/lib/api.ts";

// The API client with its site and fetch passed in, as the native agent runs it; the pages use the defaults (their
// own site, the browser's fetch).

const Answer = z.object({ ok: z.boolean() });

/** A fetch that records each call and answers with `respond`. */
function recording(respond: (url: string) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchFn: Fetch = async (url, init) => {
    calls.push({ url, init });
    return respond(url);
  };
  return { calls, fetchFn };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("apiClient", () => {
  it("calls the given site through the given fetch, with the headers and a JSON body", async () => {
    const { calls, fetchFn } = recording(() => json({ ok: true }));
    const call = apiClient("https://tether.example", fetchFn);
    const result = await call("POST", "/api/things", Answer, { a: 1 }, { "X-Proof": "p" });
    expect(result).toEqual({ ok: true, data: { ok: true } });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe("https://tether.example/api/things");
    expect(calls[0]?.init.method).toBe("POST");
    expect(calls[0]?.init.headers).toEqual({ "X-Proof": "p", "Content-Type": "application/json" });
    expect(calls[0]?.init.body).toBe('{"a":1}');
  });

  it("calls a relative path when no site is given (the page's own)", async () => {
    const { calls, fetchFn } = recording(() => json({ ok: true }));
    await apiClient(undefined, fetchFn)("GET", "/api/me", Answer);
    expect(calls[0]?.url).toBe("/api/me");
    expect(calls[0]?.init.body).toBeUndefined();
  });

  it("gives the server's error code, HTTP for a bare failure, BAD_RESPONSE and NETWORK", async () => {
    const answers: Record<string, () => Response> = {
      "/coded": () => json({ error: { code: "SESSION_NOT_FOUND", message: "No such session." } }, 404),
      "/bare": () => new Response("oops", { status: 502 }),
      "/shape": () => json({ ok: "yes" }),
    };
    const { fetchFn } = recording((url) => {
      const answer = answers[new URL(url).pathname];
      if (!answer) throw new TypeError("fetch failed");
      return answer();
    });
    const call = apiClient("https://tether.example", fetchFn);
    expect(await call("GET", "/coded", Answer)).toEqual({
      ok: false,
      status: 404,
      code: "SESSION_NOT_FOUND",
      message: "No such session.",
    });
    expect(await call("GET", "/bare", Answer)).toMatchObject({ ok: false, status: 502, code: "HTTP" });
    expect(await call("GET", "/shape", Answer)).toMatchObject({ ok: false, status: 200, code: "BAD_RESPONSE" });
    expect(await call("GET", "/down", Answer)).toMatchObject({ ok: false, status: 0, code: "NETWORK" });
  });
});
