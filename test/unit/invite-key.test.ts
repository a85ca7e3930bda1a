import { createHash, hkdfSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromBase64url, toBase64url } from "../../client/core/base64url.ts";
import { inviteKeyHash, inviteKeyOf, newLinkSecret, seatKeyOf } from "../../client/core/link-secret.ts";
import { inviteLinkOf, parseInviteHash } from "../../client/web/src/lib/invite-link.ts";
import { hashSeatKey } from "../../worker/auth/tokens.ts";

const counting = (count: number) => Uint8Array.from({ length: count }, (_, i) => i + 1);

describe("a colleague's invite key", () => {
  it("is HKDF-SHA512 of the link secret with its own info, apart from the seat key", () => {
    const prs = counting(16);
    const expected = new Uint8Array(hkdfSync("sha512", prs, new Uint8Array(0), "tether/invite-key/v1", 32));
    expect(inviteKeyOf(prs)).toBe(toBase64url(expected));
    expect(fromBase64url(inviteKeyOf(prs) ?? "")).not.toEqual(seatKeyOf(toBase64url(prs)));
    expect(inviteKeyOf(counting(15))).toBeNull();
  });

  it("is registered by its SHA-256, which the room computes the same way from the hello", async () => {
    const key = inviteKeyOf(counting(16)) ?? "";
    const hash = inviteKeyHash(key);
    expect(hash).toBe(
      createHash("sha256")
        .update(fromBase64url(key) ?? new Uint8Array())
        .digest("base64url"),
    );
    expect(await hashSeatKey(key)).toBe(hash);
  });
});

describe("a colleague's link", () => {
  it("carries the code and the secret in the fragment, and reads back", () => {
    const secret = newLinkSecret(counting);
    const link = inviteLinkOf("https://tether.example", "123456789", secret);
    expect(link).toBe(`https://tether.example/console#invite=123456789.${secret}`);
    expect(parseInviteHash(new URL(link).hash)).toEqual({ code: "123456789", secret });
  });

  it("is none when the code or the secret is malformed", () => {
    expect(parseInviteHash("#invite=12345678.AAAAAAAAAAAAAAAAAAAAAA")).toBeNull();
    expect(parseInviteHash("#invite=123456789.short")).toBeNull();
    expect(parseInviteHash("#invite=123456789.AAAAAAAAAAAAAAAAAAAAA!")).toBeNull();
    expect(parseInviteHash("#view=123456789")).toBeNull();
  });
});
