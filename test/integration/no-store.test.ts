import { describe, expect, it } from "vitest";
import { enrolledBrowser } from "../helpers/workers/passkey-api.ts";

describe("personal answers are not cached", () => {
  it("sends Cache-Control: no-store on /api/me, session lists and their errors", async () => {
    const browser = await enrolledBrowser();
    for (const path of ["/api/me", "/api/sessions"]) {
      const res = await browser.call(path);
      expect(res.status, path).toBe(200);
      expect(res.res.headers.get("cache-control"), path).toBe("no-store");
    }
    browser.cookie = null;
    expect((await browser.call("/api/me")).res.headers.get("cache-control")).toBe("no-store");
  });
});
