import { describe, expect, it } from "vitest";
import { SERVER_NAMES } from "../helpers/node/servers.ts";
import { useServer } from "../helpers/node/use-server.ts";
import { allowedFeatures, NOTHING_ALLOWED, PAGE_USES } from "../helpers/page-policies.ts";

// Each page may use only the browser features it needs (Permissions-Policy), and no HSTS over plain HTTP, on both
// hosts. HSTS over HTTPS is checked inside workerd (test/integration/page-policies.test.ts).

describe.each(SERVER_NAMES)("%s", (name) => {
  const server = useServer(name);

  it("allows each page only what it uses, and names everything else off", async () => {
    for (const [path, uses] of PAGE_USES) {
      const res = await fetch(`${server().origin}${path}`);
      await res.arrayBuffer();
      expect(res.status, path).toBe(200);
      expect(allowedFeatures(res.headers), path).toEqual(uses);
      expect(res.headers.get("permissions-policy"), path).toContain("payment=()");
      expect(res.headers.get("permissions-policy"), path).toContain("usb=()");
    }
  });

  it("turns everything off on API answers, errors and redirects too", async () => {
    for (const path of NOTHING_ALLOWED) {
      const res = await fetch(`${server().origin}${path}`, { redirect: "manual" });
      await res.arrayBuffer();
      expect(allowedFeatures(res.headers), path).toEqual([]);
      expect(res.headers.get("permissions-policy"), path).toContain("display-capture=()");
    }
  });

  it("sends no Strict-Transport-Security over plain HTTP", async () => {
    for (const path of ["/", "/console", "/api/me", "/health"]) {
      const res = await fetch(`${server().origin}${path}`, { redirect: "manual" });
      await res.arrayBuffer();
      expect(res.headers.get("strict-transport-security"), path).toBeNull();
    }
  });
});
