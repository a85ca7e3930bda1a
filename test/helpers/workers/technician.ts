import { env } from "cloudflare:workers";
import { SESSION_COOKIE, signTechnicianToken, type Technician } from "../../../worker/auth/session-cookie.ts";
import { parseConfig } from "../../../worker/config.ts";

/** Inserts a technician straight into D1 and returns a valid sign-in cookie for them. */
export async function createTechnician(
  name = "Ada Tech",
  isAdmin = false,
): Promise<{ technician: Technician; cookie: string }> {
  const id = crypto.randomUUID();
  await env.DB.prepare(
    "INSERT INTO technicians (id, display_name, is_admin, webauthn_user_id, created_at) VALUES (?, ?, ?, ?, ?)",
  )
    .bind(id, name, isAdmin ? 1 : 0, crypto.randomUUID(), Date.now())
    .run();
  const parsed = parseConfig(env as unknown as Record<string, unknown>);
  if (!parsed.ok) throw new Error(parsed.issues.join("; "));
  const technician = { id, name, isAdmin };
  return { technician, cookie: `${SESSION_COOKIE}=${await signTechnicianToken(technician, parsed.config)}` };
}
