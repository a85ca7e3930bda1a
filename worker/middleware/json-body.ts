import { bodyLimit } from "hono/body-limit";
import { every } from "hono/combine";
import { createMiddleware } from "hono/factory";
import { AppError } from "../errors.ts";
import type { AppEnv } from "../types.ts";

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

// Hono's JSON validator throws a bare HTTPException on malformed JSON, which app.onError would turn
// into a 500; parsing here first makes it the BAD_REQUEST it is. The validator then reuses the cached body.
const parseJson = createMiddleware<AppEnv>(async (c, next) => {
  const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim() ?? "";
  if (JSON_TYPE.test(type)) {
    try {
      JSON.parse(await c.req.text());
    } catch {
      throw new AppError("BAD_REQUEST", 400, "The request body is not valid JSON.");
    }
  }
  await next();
});

/** Caps a JSON body at `maxBytes` (PAYLOAD_TOO_LARGE) and refuses malformed JSON as BAD_REQUEST, before `validate`. */
export function jsonBody(maxBytes: number) {
  return every(
    bodyLimit({
      maxSize: maxBytes,
      onError: () => {
        throw new AppError("PAYLOAD_TOO_LARGE", 413, `The request body must be at most ${maxBytes} bytes.`);
      },
    }),
    parseJson,
  );
}
