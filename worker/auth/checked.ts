import type { AppError } from "../errors.ts";

/** Outcome of a check that can fail for an expected reason: the value, or the AppError to answer with. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: AppError };

/** The value of a passed check; throws its AppError (answered by app.onError) otherwise. */
export function unwrap<T>(result: Checked<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}
