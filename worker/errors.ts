import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "#protocol/errors.ts";

/** The one error type the worker throws for expected failures: a stable code, a status, a message a person can act on. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;

  constructor(code: ErrorCode, status: ContentfulStatusCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AppError";
    this.code = code;
    this.status = status;
  }
}
