import { describe, expect, it } from "vitest";
import {
  forgetLinkSecretsExcept,
  keepLinkSecret,
  linkSecretOf,
  linkSecretsMark,
} from "../../client/web/src/lib/link-secrets.ts";

// The console keeps each link's secret in its tab and forgets those of sessions that are no longer live. (Node has no
// sessionStorage, so this runs the in-memory half, which decides what is forgotten.)
describe("the console's link secrets", () => {
  it("forgets the secret of a session missing from a list asked for after it was kept", () => {
    keepLinkSecret("111111111", "secret-one");
    keepLinkSecret("222222222", "secret-two");
    forgetLinkSecretsExcept(["222222222"], linkSecretsMark());
    expect(linkSecretOf("111111111")).toBeNull();
    expect(linkSecretOf("222222222")).toBe("secret-two");
  });

  it("keeps a new session's secret when a list asked for before it was created arrives late", () => {
    // The console's first list request is under way when the technician creates a session.
    const mark = linkSecretsMark();
    keepLinkSecret("333333333", "secret-three");
    forgetLinkSecretsExcept(["222222222"], mark);
    expect(linkSecretOf("333333333")).toBe("secret-three");
    // The next list, asked for after the session existed, decides for it.
    forgetLinkSecretsExcept(["222222222"], linkSecretsMark());
    expect(linkSecretOf("333333333")).toBeNull();
  });
});
