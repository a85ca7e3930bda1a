import * as z from "zod/mini";

/** Largest JSON body any passkey or invite endpoint accepts, in bytes. */
export const MAX_AUTH_BODY_BYTES = 32 * 1024;

const base64url = (max: number) =>
  z.string().check(z.minLength(1), z.maxLength(max), z.regex(/^[A-Za-z0-9_-]+={0,2}$/, "must be base64url"));

// A credential ID is at most 1023 bytes (WebAuthn L3 §5.8.3): 1364 base64url characters.
const CredentialId = base64url(1364);

// Extension outputs we do not use are dropped by the parse rather than refused, so that a browser
// reporting a new extension still signs in.
const ClientExtensionResults = z.optional(
  z.object({ credProps: z.optional(z.object({ rk: z.optional(z.boolean()) })) }),
);

/** The body of POST /api/auth/register/options: the invite token from the enrolment link and the name to show. */
export const RegisterOptionsBody = z.object({
  invite: z.string().check(z.minLength(1), z.maxLength(200)),
  displayName: z.string().check(z.trim(), z.minLength(1), z.maxLength(80)),
});
export type RegisterOptionsBody = z.infer<typeof RegisterOptionsBody>;

/** A browser's RegistrationResponseJSON (what `startRegistration()` returns), with every field capped. */
export const RegistrationResponse = z.object({
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(16_384),
    authenticatorData: z.optional(base64url(8192)),
    transports: z.optional(z.array(z.string().check(z.maxLength(32))).check(z.maxLength(10))),
    publicKeyAlgorithm: z.optional(z.int()),
    publicKey: z.optional(base64url(4096)),
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
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(8192),
    signature: base64url(2048),
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

/** The path parameter of DELETE /api/me/passkeys/:id. */
export const PasskeyIdParam = z.object({ id: CredentialId });

/** The body of POST /api/invites. */
export const CreateInviteBody = z.object({ isAdmin: z.optional(z.boolean()) });
export type CreateInviteBody = z.infer<typeof CreateInviteBody>;

/** A signed-in technician as the console sees them. */
export const TechnicianInfo = z.object({
  id: z.string().check(z.maxLength(64)),
  name: z.string().check(z.maxLength(80)),
  isAdmin: z.boolean(),
});
export type TechnicianInfo = z.infer<typeof TechnicianInfo>;

/** One of a technician's passkeys; times are milliseconds since the epoch. */
export const PasskeyInfo = z.object({ id: CredentialId, createdAt: z.int(), lastUsedAt: z.nullable(z.int()) });
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

/** The answer to POST /api/me/passkeys/verify. */
export const PasskeyAddedResponse = z.object({ passkey: PasskeyInfo });
export type PasskeyAddedResponse = z.infer<typeof PasskeyAddedResponse>;

/** The answer to POST /api/invites: the enrolment link (token in the fragment) and when it expires (ms). */
export const InviteResponse = z.object({ url: z.string().check(z.maxLength(2048)), expiresAt: z.int() });
export type InviteResponse = z.infer<typeof InviteResponse>;
