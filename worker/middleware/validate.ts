import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import * as z from "zod/mini";
import { AppError } from "../errors.ts";

/**
 * zValidator that turns a failed parse into an AppError with a readable message: INVALID_NAME with the rule's own
 * message when a name or case number broke the rule for text customers read (protocol/names.ts), else BAD_REQUEST.
 */
export function validate<T extends z.ZodMiniType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const name = result.error.issues.find(
        (issue) => issue.code === "custom" && issue.params?.code === "INVALID_NAME",
      );
      if (name) throw new AppError("INVALID_NAME", 400, name.message);
      const detail = z.prettifyError(result.error).replaceAll("\n", " ").slice(0, 300);
      throw new AppError("BAD_REQUEST", 400, `The request ${target} is not valid: ${detail}`);
    }
  });
}
