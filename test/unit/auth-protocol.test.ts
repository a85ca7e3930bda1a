import { describe, expect, it } from "vitest";
import { AuthenticationResponse, RegisterOptionsBody, RegistrationResponse } from "#protocol/auth.ts";

const registration = {
  id: "q83vEjRWeJA",
  rawId: "q83vEjRWeJA",
  type: "public-key",
  response: {
    clientDataJSON: "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0",
    attestationObject: "o2NmbXRkbm9uZQ",
    transports: ["hybrid", "internal"],
    publicKeyAlgorithm: -7,
  },
  authenticatorAttachment: "platform",
  clientExtensionResults: { credProps: { rk: true }, prf: { enabled: false } },
};

describe("auth protocol schemas", () => {
  it("accept a browser's RegistrationResponseJSON and drop extension outputs we do not use", () => {
    const parsed = RegistrationResponse.safeParse(registration);
    expect(parsed.success).toBe(true);
    expect(parsed.data?.clientExtensionResults).toEqual({ credProps: { rk: true } });
  });

  it("accept padded base64url but refuse standard base64", () => {
    expect(RegistrationResponse.safeParse({ ...registration, id: "q83vEjRWeJA=", rawId: "q83vEjRWeJA=" }).success).toBe(
      true,
    );
    expect(RegistrationResponse.safeParse({ ...registration, id: "q8+vEj/WeJA", rawId: "q8+vEj/WeJA" }).success).toBe(
      false,
    );
  });

  it("cap a credential ID at 1023 bytes", () => {
    const id = "A".repeat(1365);
    expect(AuthenticationResponse.safeParse({ ...registration, id, rawId: id }).success).toBe(false);
  });

  it("trim the display name before checking its length", () => {
    expect(RegisterOptionsBody.parse({ invite: "t", displayName: "  Ada  " }).displayName).toBe("Ada");
    expect(RegisterOptionsBody.safeParse({ invite: "t", displayName: "   " }).success).toBe(false);
  });
});
