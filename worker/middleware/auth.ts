import { createMiddleware } from "hono/factory";
import { readTechnician } from "../auth/session-cookie.ts";
import { AppError } from "../errors.ts";
import type { AppEnv } from "../types.ts";

/** Lets only a signed-in technician through and puts them on the context. */
export const requireTechnician = createMiddleware<AppEnv>(async (c, next) => {
  const technician = await readTechnician(c, c.get("config"));
  if (!technician) throw new AppError("UNAUTHENTICATED", 401, "Sign in with your passkey first.");
  c.set("technician", technician);
  await next();
});

/** Lets only a signed-in admin through. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const technician = await readTechnician(c, c.get("config"));
  if (!technician) throw new AppError("UNAUTHENTICATED", 401, "Sign in with your passkey first.");
  if (!technician.isAdmin) throw new AppError("FORBIDDEN", 403, "Only an admin can do this.");
  c.set("technician", technician);
  await next();
});
