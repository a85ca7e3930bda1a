import { Hono } from "hono";
import {
  type CreatedToken,
  CreateTokenBody,
  MAX_TOKEN_BODY_BYTES,
  TOKEN_PREFIX,
  TokenIdParam,
  type TokenList,
} from "#protocol/tokens.ts";
import { hashToken, newToken } from "../auth/tokens.ts";
import { insertToken, listTokens, revokeToken } from "../db/api-tokens.ts";
import { AppError } from "../errors.ts";
import { audit } from "../middleware/audit.ts";
import { requireTechnician } from "../middleware/auth.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { validate } from "../middleware/validate.ts";
import type { AppEnv } from "../types.ts";

/**
 * A technician's API tokens (/api/tokens), made and revoked with their passkey sign-in only (a token cannot make
 * tokens). The token is shown once; the server keeps its SHA-256.
 */
export const tokens = new Hono<AppEnv>()
  .get("/", requireTechnician, async (c) => {
    return c.json<TokenList>({ tokens: await listTokens(c.env.DB, c.get("technician").id) });
  })
  .post("/", requireTechnician, jsonBody(MAX_TOKEN_BODY_BYTES), validate("json", CreateTokenBody), async (c) => {
    const { name, scopes } = c.req.valid("json");
    const token = `${TOKEN_PREFIX}${newToken()}`;
    const apiToken = await insertToken(c.env.DB, {
      id: `tok_${newToken(16)}`,
      tokenHash: await hashToken(token),
      technicianId: c.get("technician").id,
      name: name.trim(),
      scopes: [...new Set(scopes)],
      createdAt: Date.now(),
    });
    await audit(c, "api_token_created", { apiToken: apiToken.id, scopes: apiToken.scopes.join(" ") });
    return c.json<CreatedToken>({ token, apiToken }, 201);
  })
  .delete("/:id", requireTechnician, validate("param", TokenIdParam), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await revokeToken(c.env.DB, c.get("technician").id, id, Date.now()))) {
      throw new AppError("NOT_FOUND", 404, "You have no live API token with this id.");
    }
    await audit(c, "api_token_revoked", { apiToken: id });
    return c.body(null, 204);
  });
