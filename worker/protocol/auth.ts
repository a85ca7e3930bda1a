import * as z from "zod/mini";
import { DisplayName } from "./names.ts";
import { base64urlLength, MAX_CREDENTIAL_ID_BYTES, PASSKEY_LIMITS } from "./passkey-algorithms.ts";

/** Largest JSON body any passkey or invite endpoint accepts, in bytes; the largest registration the schema takes fits. */
export const MAX_AUTH_BODY_BYTES = 32 * 1024;

const base64url = (max: number) =>
  z.string().check(z.minLength(1), z.maxLength(max), z.regex(/^[A-Za-z0-9_-]+={0,2}$/, "must be base64url"));

/**
 * Caps in base64url characters on the parts of a passkey response. Those that depend on the algorithm follow from the
 * ones offered (passkey-algorithms.ts: signature 512 bytes → 684, sign-in authenticator data 549 → 732, registration
 * authenticator data 2119 → 2828, public key 552 → 736, attestation object 12184 → 16248); clientDataJSON does not
 * (type, a 32-byte challenge, an origin of at most 2048 characters, crossOrigin, perhaps topOrigin): 4096.
 */
export const PASSKEY_FIELD_CHARS = {
  credentialId: base64urlLength(MAX_CREDENTIAL_ID_BYTES),
  clientDataJSON: 4096,
  signature: base64urlLength(PASSKEY_LIMITS.signature),
  assertionAuthData: base64urlLength(PASSKEY_LIMITS.assertionAuthData),
  registrationAuthData: base64urlLength(PASSKEY_LIMITS.registrationAuthData),
  publicKey: base64urlLength(PASSKEY_LIMITS.spki),
  attestationObject: base64urlLength(PASSKEY_LIMITS.attestationObject),
} as const;

const CredentialId = base64url(PASSKEY_FIELD_CHARS.credentialId);

// Extension outputs we do not use are dropped by the parse rather than refused, so that a browser
// reporting a new extension still signs in.
const ClientExtensionResults = z.optional(
  z.object({ credProps: z.optional(z.object({ rk: z.optional(z.boolean()) })) }),
);

/** The body of POST /api/auth/register/options: the invite token from the enrolment link and the name to show. */
export const RegisterOptionsBody = z.object({
  invite: z.string().check(z.minLength(1), z.maxLength(200)),
  displayName: DisplayName,
});
export type RegisterOptionsBody = z.infer<typeof RegisterOptionsBody>;

/** A browser's RegistrationResponseJSON (what `startRegistration()` returns), with every field capped. */
export const RegistrationResponse = z.object({
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: base64url(PASSKEY_FIELD_CHARS.clientDataJSON),
    attestationObject: base64url(PASSKEY_FIELD_CHARS.attestationObject),
    authenticatorData: z.optional(base64url(PASSKEY_FIELD_CHARS.registrationAuthData)),
    transports: z.optional(z.array(z.string().check(z.maxLength(32))).check(z.maxLength(10))),
    publicKeyAlgorithm: z.optional(z.int()),
    publicKey: z.optional(base64url(PASSKEY_FIELD_CHARS.publicKey)),
  }),
  authenticatorAttachment: z.optional(z.enum(["platform", "cross-platform"])),
  clientExtensionResults: ClientExtensionResults,
});
export type RegistrationResponse = z.infer<typeof RegistrationResponse>;

/** A browser's AuthenticationResponseJSON (what `startAuthentication()` returns), with every field capped. */
export const AuthenticationResponse = z.object({
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: base64url(PASSKEY_FIELD_CHARS.clientDataJSON),
    authenticatorData: base64url(PASSKEY_FIELD_CHARS.assertionAuthData),
    signature: base64url(PASSKEY_FIELD_CHARS.signature),
    // user.id is at most 64 bytes: 86 base64url characters.
    userHandle: z.optional(base64url(86)),
  }),
  authenticatorAttachment: z.optional(z.enum(["platform", "cross-platform"])),
  clientExtensionResults: ClientExtensionResults,
});
export type AuthenticationResponse = z.infer<typeof AuthenticationResponse>;

/** The body of POST /api/auth/register/verify and POST /api/me/passkeys/verify. */
export const RegisterVerifyBody = z.object({ response: RegistrationResponse });
export type RegisterVerifyBody = z.infer<typeof RegisterVerifyBody>;

/** The body of POST /api/auth/login/verify. */
export const LoginVerifyBody = z.object({ response: AuthenticationResponse });
export type LoginVerifyBody = z.infer<typeof LoginVerifyBody>;

/** The path parameter of PATCH and DELETE /api/me/passkeys/:id. */
export const PasskeyIdParam = z.object({ id: CredentialId });

/** A name a technician gives one of their passkeys ("Work laptop"): no control characters. */
export const PasskeyName = z.string().check(z.trim(), z.minLength(1), z.maxLength(64), z.regex(/^[^\p{Cc}]+$/u));

/** The body of PATCH /api/me/passkeys/:id. */
export const RenamePasskeyBody = z.strictObject({ name: PasskeyName });
export type RenamePasskeyBody = z.infer<typeof RenamePasskeyBody>;

/** The path parameter of PATCH and DELETE /api/technicians/:id. */
export const TechnicianIdParam = z.object({ id: z.string().check(z.minLength(1), z.maxLength(64)) });

/**
 * The body of PATCH /api/technicians/:id: promote to admin or demote, correct the display name, lock it (so that only
 * an admin can change it) or unlock it; at least one of them.
 */
export const UpdateTechnicianBody = z
  .strictObject({
    isAdmin: z.optional(z.boolean()),
    name: z.optional(DisplayName),
    nameLocked: z.optional(z.boolean()),
  })
  .check(z.refine((body) => Object.keys(body).length > 0, "Give at least one of isAdmin, name and nameLocked."));
export type UpdateTechnicianBody = z.infer<typeof UpdateTechnicianBody>;

/** The body of PATCH /api/me: the technician's own display name, refused while an admin has it locked. */
export const RenameSelfBody = z.strictObject({ name: DisplayName });
export type RenameSelfBody = z.infer<typeof RenameSelfBody>;

/** The path parameter of DELETE /api/invites/:id: the SHA-256 (hex) of the invite's token, never the token. */
export const InviteIdParam = z.object({ id: z.string().check(z.regex(/^[0-9a-f]{64}$/)) });

/** The body of POST /api/invites. */
export const CreateInviteBody = z.object({ isAdmin: z.optional(z.boolean()) });
export type CreateInviteBody = z.infer<typeof CreateInviteBody>;

/** A signed-in technician as the console sees them. */
export const TechnicianInfo = z.object({
  id: z.string().check(z.maxLength(64)),
  name: z.string().check(z.maxLength(80)),
  isAdmin: z.boolean(),
  /** True when an admin locked the display name: only an admin can change it. */
  nameLocked: z.boolean(),
});
export type TechnicianInfo = z.infer<typeof TechnicianInfo>;

/** One of a technician's passkeys; times are milliseconds since the epoch. */
export const PasskeyInfo = z.object({
  id: CredentialId,
  /** The name its owner gave it; null until they do. */
  name: z.nullable(z.string().check(z.maxLength(64))),
  createdAt: z.int(),
  lastUsedAt: z.nullable(z.int()),
});
export type PasskeyInfo = z.infer<typeof PasskeyInfo>;

/** The answer to register/verify and login/verify. */
export const SignedInResponse = z.object({ technician: TechnicianInfo });
export type SignedInResponse = z.infer<typeof SignedInResponse>;

/** The answer to GET /api/me. */
export const MeResponse = z.object({
  technician: TechnicianInfo,
  organisation: z.string().check(z.maxLength(80)),
  passkeys: z.array(PasskeyInfo).check(z.maxLength(100)),
});
export type MeResponse = z.infer<typeof MeResponse>;

/** The answer to POST /api/me/passkeys/verify and PATCH /api/me/passkeys/:id. */
export const PasskeyAddedResponse = z.object({ passkey: PasskeyInfo });
export type PasskeyAddedResponse = z.infer<typeof PasskeyAddedResponse>;

/** The answer to POST /api/invites: the enrolment link (token in the fragment) and when it expires (ms). */
export const InviteResponse = z.object({ url: z.string().check(z.maxLength(2048)), expiresAt: z.int() });
export type InviteResponse = z.infer<typeof InviteResponse>;

/** One technician in GET /api/technicians (admins only); times are milliseconds since the epoch. */
export const TechnicianSummary = z.object({
  id: z.string().check(z.maxLength(64)),
  name: z.string().check(z.maxLength(80)),
  isAdmin: z.boolean(),
  nameLocked: z.boolean(),
  /** How many passkeys they have registered. */
  passkeys: z.int(),
  /** Their latest sign-in (or enrolment), null if none is recorded. */
  lastSignInAt: z.nullable(z.int()),
  /** Sessions they own that have not ended. */
  liveSessions: z.int(),
  createdAt: z.int(),
});
export type TechnicianSummary = z.infer<typeof TechnicianSummary>;

/** The answer to GET /api/technicians. */
export const TechnicianList = z.object({ technicians: z.array(TechnicianSummary).check(z.maxLength(500)) });
export type TechnicianList = z.infer<typeof TechnicianList>;

/** The answer to PATCH /api/technicians/:id and PATCH /api/me. */
export const TechnicianUpdated = z.object({ technician: TechnicianInfo });
export type TechnicianUpdated = z.infer<typeof TechnicianUpdated>;

/** An invite not yet used nor expired, in GET /api/invites; `id` is its token's SHA-256, from which no link follows. */
export const OpenInvite = z.object({
  id: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  isAdmin: z.boolean(),
  createdAt: z.int(),
  expiresAt: z.int(),
  /** The admin who made it; null for a link minted with `npm run enrol`. */
  createdBy: z.nullable(z.string().check(z.maxLength(80))),
});
export type OpenInvite = z.infer<typeof OpenInvite>;

/** The answer to GET /api/invites. */
export const InviteList = z.object({ invites: z.array(OpenInvite).check(z.maxLength(500)) });
export type InviteList = z.infer<typeof InviteList>;
