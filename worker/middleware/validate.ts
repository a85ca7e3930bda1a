import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import * as z from "zod/mini";
import { AppError } from "../errors.ts";

/** zValidator that turns a failed parse into a BAD_REQUEST AppError with a readable message. */
export function validate<T extends z.ZodMiniType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const detail = z.prettifyError(result.error).replaceAll("\n", " ").slice(0, 300);
      throw new AppError("BAD_REQUEST", 400, `The request ${target} is not valid: ${detail}`);
    }
  });
}
