import * as z from "zod/mini";

// API tokens: what a helpdesk app uses to create sessions for a technician (a "Start remote session" button on a
// ticket). A technician makes them in the console; each is shown once, carries scopes, and can be revoked.

/** What a token may do. Today one thing: create sessions (POST /api/sessions) for its technician. */
export const TokenScope = z.enum(["sessions:create"]);
export type TokenScope = z.infer<typeof TokenScope>;

/** The prefix of every API token, so that scanners and people recognise one. */
export const TOKEN_PREFIX = "tth_";

/** Largest body of POST /api/tokens. */
export const MAX_TOKEN_BODY_BYTES = 1024;

/** POST /api/tokens */
export const CreateTokenBody = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(60)),
  scopes: z.array(TokenScope).check(z.minLength(1), z.maxLength(TokenScope.options.length)),
});

/** The `:id` of /api/tokens/:id. */
export const TokenIdParam = z.object({ id: z.string().check(z.regex(/^tok_[A-Za-z0-9_-]{22}$/)) });

/** A token as its technician's list shows it (never the token itself). */
export type ApiToken = {
  id: string;
  name: string;
  scopes: TokenScope[];
  createdAt: number;
  lastUsedAt: number | null;
};

/** 201 from POST /api/tokens: the token, shown this once. */
export type CreatedToken = { token: string; apiToken: ApiToken };

export type TokenList = { tokens: ApiToken[] };
