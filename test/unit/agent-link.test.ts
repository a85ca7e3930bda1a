import { describe, expect, it } from "vitest";
import { parseSessionLink } from "../../client/agent/link.ts";
import { newLinkSecret, prsOfLinkSecret, seatKeyOf } from "../../client/core/link-secret.ts";

// The link the native agent is started with, read as the link page reads it.

describe("parseSessionLink", () => {
  const secret = newLinkSecret();

  it("reads the site, the code, the secret and the seat key it gives", () => {
    const parsed = parseSessionLink(`  https://help.example.org/j/123456789#${secret}\n`);
    expect(parsed).toEqual({
      ok: true,
      link: {
        origin: "https://help.example.org",
        code: "123456789",
        prs: prsOfLinkSecret(secret),
        seatKey: seatKeyOf(secret),
        seatToken: null,
      },
    });
  });

  it("reads the seat token a customer's page adds after the secret, to take that page's seat", () => {
    const token = "Zm9yLXRoZS1hZ2VudC0xMjM0NTY3ODkw";
    expect(parseSessionLink(`https://help.example.org/j/123456789#${secret}.${token}`)).toMatchObject({
      ok: true,
      link: { code: "123456789", prs: prsOfLinkSecret(secret), seatToken: token },
    });
    // A token too short or of other characters, a part too many: no link a page makes.
    for (const tail of [".short", `.${token}!`, `.${token}.${token}`, "."]) {
      expect(parseSessionLink(`https://help.example.org/j/123456789#${secret}${tail}`), tail).toEqual({
        ok: false,
        problem: "badSecret",
      });
    }
  });

  it("takes plain http on this machine only", () => {
    expect(parseSessionLink(`http://127.0.0.1:8787/j/123456789#${secret}`)).toMatchObject({
      ok: true,
      link: { origin: "http://127.0.0.1:8787" },
    });
    expect(parseSessionLink(`http://localhost:8787/j/123456789/#${secret}`).ok).toBe(true);
    expect(parseSessionLink(`http://help.example.org/j/123456789#${secret}`)).toEqual({
      ok: false,
      problem: "insecure",
    });
  });

  it("refuses what is not a session link, a link without its secret and a damaged secret", () => {
    for (const text of ["", "123456789", "https://help.example.org/j/12345#x", "ftp://h/j/123456789#x"]) {
      expect(parseSessionLink(text), text).toEqual({ ok: false, problem: "notALink" });
    }
    expect(parseSessionLink("https://help.example.org/j/123456789")).toEqual({ ok: false, problem: "noSecret" });
    expect(parseSessionLink("https://help.example.org/j/123456789#")).toEqual({ ok: false, problem: "noSecret" });
    expect(parseSessionLink("https://help.example.org/j/123456789#short")).toEqual({
      ok: false,
      problem: "badSecret",
    });
    expect(parseSessionLink(`https://help.example.org/j/123456789#${secret}=`)).toEqual({
      ok: false,
      problem: "badSecret",
    });
  });
});
