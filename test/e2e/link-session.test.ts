import type { Page, Request } from "playwright-core";
import { describe, expect, it } from "vitest";
import { newLinkSecret } from "../../client/core/link-secret.ts";
import {
  auditTypesOf,
  createSession,
  enrolTechnician,
  framesArrive,
  newPerson,
  open,
  type Person,
  SESSION_LINK,
  textOf,
  videoFigures,
} from "../helpers/node/people.ts";
import { useStage } from "../helpers/node/stage.ts";
import { recordTraffic, rewriteFromServer } from "../helpers/node/traffic.ts";

// The secret of a session link, end to end: the console makes it and keeps it in its tab, the link carries it in the
// fragment, the customer's page takes it out of the address bar, presents the seat key it derives and proves the
// secret in a handshake with the technician's viewer; no server ever sees it. A link without it, or with another
// one, gets nowhere; a relay that swaps a certificate fingerprint is caught on both pages; another technician is
// turned away. Each test starts its own session (one technician serves most of them).

const stage = useStage("Lena Link", { vars: { MAX_SESSIONS_PER_TECHNICIAN: "50", RATE_HANDSHAKE_PER_MIN: "1000" } });

/** The code and the secret of a session link. */
function partsOf(link: string): { code: string; secret: string } {
  const [, code = "", secret = ""] = SESSION_LINK.exec(link) ?? [];
  return { code, secret };
}

/** `by` creates a session and opens its viewer; returns the customer's link. */
async function viewNewSession(by: Person = stage.technician): Promise<string> {
  const link = await createSession(by.page);
  await by.page.getByRole("link", { name: "View this session" }).click();
  await by.page.getByRole("heading", { name: /^Session \d{3} \d{3} \d{3}$/ }).waitFor();
  return link;
}

/** A customer at a fresh browser profile. */
async function newCustomer(): Promise<Person> {
  const customer = await newPerson(stage.browser, stage.server);
  stage.people.push(customer);
  return customer;
}

/** The four words a page shows in its "Check the verification code" section. */
function verificationCode(page: Page) {
  return page.getByRole("region", { name: "Check the verification code" }).getByLabel("Verification code");
}

/** Waits, as a customer would before Allow, for the verification code: it comes once the technician's check is done. */
async function codeShown(page: Page): Promise<void> {
  await expect.poll(() => textOf(verificationCode(page))).toMatch(/^[a-z]+( [a-z]+){3}$/);
}

describe("a session link's secret", () => {
  it("connects with the whole link, and neither page ever sends the secret to a server", async () => {
    const consoleTraffic = recordTraffic(stage.technician.page);
    const link = await viewNewSession();
    const { code, secret } = partsOf(link);
    const customer = await newCustomer();
    const customerTraffic = recordTraffic(customer.page);
    const described = customer.page.waitForRequest(
      (request) => new URL(request.url()).pathname === `/api/sessions/${code}`,
    );
    await open(customer.page, link);
    // The page reads who is asking by proving its seat key with the key's hash, in a header, never in the URL.
    const infoRequest = await described;
    expect(new URL(infoRequest.url()).search).toBe("");
    const proof = infoRequest.headers()["tether-seat-proof"] ?? "";
    expect(proof).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(proof).not.toContain(secret);
    // And the answer names the technician.
    await customer.page.getByText("Lena Link").first().waitFor();
    await codeShown(customer.page);
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    await framesArrive(stage.technician.page.getByLabel("Customer's screen"));
    // Both pages proved the same secret: they show the same four words.
    await expect.poll(() => textOf(verificationCode(customer.page))).toMatch(/^[a-z]+( [a-z]+){3}$/);
    expect(await textOf(verificationCode(stage.technician.page))).toBe(await textOf(verificationCode(customer.page)));
    // The customer's address bar no longer shows the secret.
    expect(customer.page.url()).toBe(link.split("#")[0]);
    // The customer's page said hello with a seat key, and neither page sent the secret anywhere.
    expect(customerTraffic.sent.some((text) => text.includes('"seatKey"'))).toBe(true);
    for (const { sent } of [consoleTraffic, customerTraffic]) {
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.filter((text) => text.includes(secret))).toEqual([]);
    }
  });

  it.each([
    ["without its fragment", ""],
    ["with a damaged fragment", "#not-a-secret"],
  ])("stops a link %s with a message, and asks nothing of the room", async (_, fragment) => {
    const { code } = partsOf(await createSession(stage.technician.page));
    const customer = await newCustomer();
    const traffic = recordTraffic(customer.page);
    await open(customer.page, `/j/${code}${fragment}`);
    const status = customer.page.getByRole("status");
    await expect.poll(() => textOf(status)).toBe("This link is incomplete — ask your technician to send it again.");
    expect(await status.getAttribute("class")).toContain("error");
    expect(traffic.sent.filter((text) => text.includes("/ws?role=") || text.includes(`/api/sessions/${code}`))).toEqual(
      [],
    );
    expect(await customer.page.getByRole("button", { name: "Allow and choose what to share" }).count()).toBe(0);
  });

  it("refuses a link with another secret before the room, and the right link still connects", async () => {
    const link = await viewNewSession();
    const { code } = partsOf(link);
    const stranger = await newCustomer();
    const traffic = recordTraffic(stranger.page);
    await open(stranger.page, `/j/${code}#${newLinkSecret()}`);
    // The server describes the session only to the page whose seat key it registered: nothing of it is shown.
    const status = stranger.page.getByRole("status");
    await expect
      .poll(() => textOf(status))
      .toBe("This link does not match its session — ask your technician to send it again.");
    expect(await status.getAttribute("class")).toContain("error");
    expect(await stranger.page.getByText("Lena Link").count()).toBe(0);
    expect(traffic.sent.filter((text) => text.includes("/ws?role="))).toEqual([]);
    await stage.technician.page.getByText("The customer has not opened the session yet.").waitFor();

    const customer = await newCustomer();
    await open(customer.page, link);
    await codeShown(customer.page);
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    await framesArrive(stage.technician.page.getByLabel("Customer's screen"));
  });

  it("keeps the Allow button where it is when the verification code appears above it", async () => {
    // The customer opens the link before the technician opens the viewer: the code comes only once they do.
    const link = await createSession(stage.technician.page);
    const customer = await newCustomer();
    await open(customer.page, link);
    const allow = customer.page.getByRole("button", { name: "Allow and choose what to share" });
    await allow.waitFor();
    // Until then its place says it is coming, and nothing can be confirmed yet.
    const region = customer.page.getByRole("region", { name: "Check the verification code" });
    await region.getByText("Four words appear here once your technician has connected", { exact: false }).waitFor();
    expect(await region.getByRole("button").count()).toBe(0);
    const before = await allow.boundingBox();
    await stage.technician.page.getByRole("link", { name: "View this session" }).click();
    await expect.poll(() => textOf(verificationCode(customer.page))).toMatch(/^[a-z]+( [a-z]+){3}$/);
    expect(before).not.toBeNull();
    expect(await allow.boundingBox()).toEqual(before);
    expect(await region.getByText("Four words appear here", { exact: false }).isVisible()).toBe(false);
    await region.getByRole("button", { name: "Matches" }).waitFor();
  });

  it("keeps the console's links through a reload, and says so for a session this tab does not hold", async () => {
    const link = await createSession(stage.technician.page);
    const { code } = partsOf(link);
    const grouped = `${code.slice(0, 3)} ${code.slice(3, 6)} ${code.slice(6)}`;
    const live = stage.technician.page.getByRole("list", { name: "Your live sessions" });
    await stage.technician.page.reload();
    await expect
      .poll(async () => live.getByRole("link", { name: grouped, exact: true }).getAttribute("href"))
      .toBe(link);
    await stage.technician.page.evaluate(() => sessionStorage.clear());
    await stage.technician.page.reload();
    await live.getByText(`${grouped} (this browser does not hold its link)`).waitFor();
    expect(await live.getByRole("link", { name: grouped, exact: true }).count()).toBe(0);
  });

  it("keeps a new link's secret when the console's list of sessions answers only after the session was made", async () => {
    // The console asks for its live sessions as it opens; here that answer is held until a new session exists (and
    // the list asked for after it has come), as a slow answer on a busy line would be. It must not make the console
    // forget the new link's secret: the viewer needs it to prove the link to the customer's page.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held: Request | null = null;
    await stage.technician.page.route("**/api/sessions", async (route) => {
      if (route.request().method() !== "GET" || held) return route.fallback();
      held = route.request();
      // The server answers now, before the session exists; the page gets that answer only later.
      const response = await route.fetch();
      await released;
      await route.fulfill({ response });
    });
    try {
      await open(stage.technician.page, "/console");
      const laterList = stage.technician.page.waitForResponse(
        (res) => res.request() !== held && res.request().method() === "GET" && res.url().endsWith("/api/sessions"),
      );
      await stage.technician.page.getByRole("button", { name: "New session" }).click();
      const linkField = stage.technician.page.getByLabel("Session link", { exact: true });
      await expect.poll(() => linkField.inputValue()).toMatch(SESSION_LINK);
      const link = await linkField.inputValue();
      await laterList;
      release();
      await expect.poll(async () => (await held?.response())?.status()).toBe(200);
      // The whole way on: the viewer proves the link's secret and the customer's screen arrives.
      await stage.technician.page.getByRole("link", { name: "View this session" }).click();
      const customer = await newCustomer();
      await open(customer.page, link);
      await codeShown(customer.page);
      await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
      await framesArrive(stage.technician.page.getByLabel("Customer's screen"));
      const { code, secret } = partsOf(link);
      expect(await stage.technician.page.evaluate((key) => sessionStorage.getItem(key), `tether.link.${code}`)).toBe(
        secret,
      );
    } finally {
      release();
      await stage.technician.page.unroute("**/api/sessions");
    }
  });

  it("turns away another technician's viewer, with a message that says why", async () => {
    const { code } = partsOf(await createSession(stage.technician.page));
    const other = await enrolTechnician(stage.browser, stage.server, "Otto Other");
    stage.people.push(other);
    // Already at the console: the address changes only in its fragment, as a pasted viewer link would.
    await other.page.goto(`/console#view=${code}`);
    await other.page
      .getByText(
        "This session belongs to another technician: the customer's page confirmed them, or they created it.",
        {
          exact: false,
        },
      )
      .waitFor();
    expect(await textOf(other.page.locator("#overlay"))).toBe("Session ended.");
  });

  it("ends the session on both pages when the technician says the verification code does not match", async () => {
    const customer = await newCustomer();
    await open(customer.page, await viewNewSession());
    await expect.poll(() => textOf(verificationCode(stage.technician.page))).toMatch(/^[a-z]+( [a-z]+){3}$/);
    await stage.technician.page.getByRole("button", { name: "Doesn't match" }).click();
    await stage.technician.page
      .getByText("You said the verification code did not match, so the session has ended.")
      .waitFor();
    await customer.page.getByRole("heading", { name: "Session ended" }).waitFor();
    await customer.page.getByText("The technician ended the session.", { exact: false }).waitFor();
    // The audit log says why: a mismatch reported by the session's owner, then the end.
    const code = new URL(customer.page.url()).pathname.split("/").at(-1) ?? "";
    await expect
      .poll(async () => (await auditTypesOf(stage.technician.page, code)).slice(-2))
      .toEqual(["verification_mismatch", "session_ended"]);
  });

  it.each([
    ["the technician's answer, on its way to the customer", "customer", "answer"],
    ["the customer's offer, on its way to the technician", "technician", "offer"],
  ] as const)("catches a relay that swaps the fingerprint in %s, on both pages", async (_, victim, type) => {
    // A technician of its own: the relay sits in front of their console for this test only.
    const tech = await enrolTechnician(stage.browser, stage.server, "Ivy Intercept");
    const customer = await newCustomer();
    stage.people.push(tech);
    const swapped = `a=fingerprint:sha-256 ${Array(32).fill("AB").join(":")}`;
    await rewriteFromServer((victim === "customer" ? customer : tech).context, victim, (frame) => {
      if (!frame.startsWith(`{"type":"${type}"`)) return frame;
      const msg = JSON.parse(frame) as { sdp: string };
      return JSON.stringify({ ...msg, sdp: msg.sdp.replace(/a=fingerprint:[^\r\n]*/g, swapped) });
    });
    const link = await viewNewSession(tech);
    await open(customer.page, link);
    await codeShown(customer.page);
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();

    const ended = customer.page.getByRole("region", { name: "Session ended" });
    await ended.waitFor();
    expect(await textOf(ended)).toContain("This connection may be intercepted");
    await expect.poll(() => textOf(tech.page.locator("#overlay"))).toBe("This connection may be intercepted.");
    expect(await textOf(tech.page.locator("#viewer-customer"))).toMatch(/^This connection may be intercepted/);
    expect((await videoFigures(tech.page.getByLabel("Customer's screen"))).frames).toBe(0);
  });
});
