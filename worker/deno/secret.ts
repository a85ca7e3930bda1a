import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { newToken } from "../auth/tokens.ts";

/**
 * A development AUDIT_SIGNING_KEY (a base64url 32-byte Ed25519 seed) kept in the data folder, generated on first use,
 * so that the audit log's checkpoints keep one key across restarts. Returns it with a line that says so.
 */
export function devAuditKey(dataDir: string): { value: string; message: string } {
  const file = join(dataDir, "dev-audit-signing-key");
  try {
    const value = readFileSync(file, "utf8").trim();
    if (/^[A-Za-z0-9_-]{43}$/.test(value)) return { value, message: `using the development audit key in ${file}` };
  } catch {
    // Not generated yet.
  }
  const value = newToken(32);
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return {
    value,
    message: `generated a development audit signing key into ${file}; set AUDIT_SIGNING_KEY for anything else`,
  };
}

/**
 * A development JWT_SECRET kept in the data folder (like `npm start`'s .dev.vars), generated on first use, so that
 * sign-ins survive a restart. Returns it with a line that says so.
 */
export function devSecret(dataDir: string): { value: string; message: string } {
  const file = join(dataDir, "dev-jwt-secret");
  try {
    const value = readFileSync(file, "utf8").trim();
    if (value.length >= 32) return { value, message: `using the development secret in ${file}` };
  } catch {
    // Not generated yet.
  }
  const value = newToken();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return {
    value,
    message: `generated a development secret into ${file}; set JWT_SECRET (at least 32 characters) for anything else`,
  };
}
