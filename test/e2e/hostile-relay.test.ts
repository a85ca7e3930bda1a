import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { newLinkSecret, prsOfLinkSecret } from "../../client/core/link-secret.ts";
import { prsOfPassword } from "../../client/core/password.ts";
import { type Frame, HostileRelay } from "../helpers/node/hostile-relay.ts";
import {
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
import { useScene } from "../helpers/node/stage.ts";

// A hostile signaling relay between both pages and the real server, switched per test: passing frames, standing in
// the middle of the handshake with its own CPace run toward each page and a guess of the secret, or replaying an old
// run's frames. Whatever it does, nothing of the customer's (offer, candidate, address, picture) reaches it, both
// pages say why nothing connected, and the room's log records the failed handshake; passing frames, the same pages
// connect. Each test has its own technician, whose console runs through that test's relay.

// The session's wait after a failed handshake starts at 1 s (the least allowed): a retry after one costs seconds.
const stage = useScene({ vars: { RATE_HANDSHAKE_PER_MIN: "1000", HANDSHAKE_BACKOFF_BASE_S: "1" } });

/** The viewer's sentence when the customer's page did not prove the secret (a forged or replayed confirmation). */
const VIEWER_FAILED =
  "The customer's page could not prove this session's secret; someone may be interfering. Nothing was connected.";

/** The customer's page's sentence when a technician's handshake failed. */
const CUSTOMER_FAILED =
  "A connection attempt failed the security check (a wrong link or password, or someone interfering), so nothing of yours was sent to it.";

/** A technician and a customer, each at a fresh browser profile whose room socket runs through `relay`. */
async function meetThrough(relay: HostileRelay): Promise<{ technician: Person; customer: Person }> {
  const technician = await enrolTechnician(stage.browser, stage.server, "Rhea Relay");
  const customer = await newPerson(stage.browser, stage.server);
  stage.people.push(technician, customer);
  await relay.attach(technician.context, "technician");
  await relay.attach(customer.context, "customer");
  return { technician, customer };
}

/** The technician creates a session and opens its viewer; returns the customer's link and the session's code. */
async function viewNewSession(technician: Person): Promise<{ link: string; code: string }> {
  const link = await createSession(technician.page);
  await technician.page.getByRole("link", { name: "View this session" }).click();
  await technician.page.getByRole("heading", { name: /^Session \d{3} \d{3} \d{3}$/ }).waitFor();
  return { link, code: SESSION_LINK.exec(link)?.[1] ?? "" };
}

/** The four words a page shows in its "Check the verification code" section. */
function verificationCode(page: Page) {
  return page.getByRole("region", { name: "Check the verification code" }).getByLabel("Verification code");
}

/** The outcomes of the handshakes the room logged for session `code`, in order. */
function loggedResults(code: string): string[] {
  return stage.server
    .output()
    .split("\n")
    .filter((line) => line.includes('"event":"handshake_result"'))
    .map((line) => JSON.parse(line.slice(line.indexOf("{"))) as { code: string; outcome: string })
    .filter((entry) => entry.code === code)
    .map((entry) => entry.outcome);
}

/** Frames that would tell the relay anything of the customer's connection: SDP, candidates, addresses. */
function connectionFrames(frames: Frame[]): Frame[] {
  return frames.filter(
    (frame) =>
      ["offer", "answer", "candidate", "keyExchange"].includes(frame.type ?? "") ||
      /"sdp"|a=candidate|a=fingerprint/.test(JSON.stringify(frame)),
  );
}

/**
 * The customer allows (the picker shares the fake screen) and then ends the session. The room socket is ordered,
 * so once the relay has the page's `end`, it has everything the page sent before it, an offer included.
 */
async function allowThenEnd(relay: HostileRelay, customer: Page): Promise<void> {
  await customer.getByRole("button", { name: "Allow and choose what to share" }).click();
  await customer.getByRole("button", { name: "End session" }).click();
  await expect.poll(() => relay.typesSent("customer")).toContain("end");
}

/** Waits for both pages to say why nothing connected, after the relay broke a handshake. */
async function expectRefusedOnBothPages(technician: Person, customer: Person): Promise<void> {
  await expect.poll(() => textOf(customer.page.getByRole("status"))).toBe(CUSTOMER_FAILED);
  expect(await customer.page.getByRole("status").getAttribute("class")).toContain("error");
  await expect.poll(() => textOf(technician.page.locator("#overlay"))).toBe(VIEWER_FAILED);
}

describe("a hostile signaling relay", () => {
  it("passing frames, lets the pages connect with the same verification code (and sees what a failed run keeps from it)", async () => {
    const relay = new HostileRelay();
    const { technician, customer } = await meetThrough(relay);
    const { link, code } = await viewNewSession(technician);
    await open(customer.page, link);
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    await framesArrive(technician.page.getByLabel("Customer's screen"));
    await expect.poll(() => textOf(verificationCode(customer.page))).toMatch(/^[a-z]+( [a-z]+){3}$/);
    expect(await textOf(verificationCode(technician.page))).toBe(await textOf(verificationCode(customer.page)));
    expect(loggedResults(code)).toEqual(["confirmed"]);
    // A confirmed run hands the relay the customer's offer and candidates: what the other tests prove it never gets.
    expect(relay.typesSent("customer")).toContain("offer");
    expect(connectionFrames(relay.sent.customer).length).toBeGreaterThan(0);
  });

  it("in the middle of a link's handshake without the link's secret, gets nothing of the customer's, and both pages say why", async () => {
    const relay = new HostileRelay();
    relay.mode = { kind: "intercept", prs: prsOfLinkSecret(newLinkSecret()) ?? new Uint8Array() };
    const { technician, customer } = await meetThrough(relay);
    const { link, code } = await viewNewSession(technician);
    await open(customer.page, link);

    await expectRefusedOnBothPages(technician, customer);
    await expect.poll(() => loggedResults(code)).toEqual(["failed"]);
    // Neither page's confirmation checked out under the attacker's guess.
    expect(relay.attackerRuns).toEqual([
      { with: "technician", isConfirmed: false },
      { with: "customer", isConfirmed: false },
    ]);
    // Even after Allow, the customer's page sends nothing of its connection: its handshake never confirmed.
    await allowThenEnd(relay, customer.page);
    expect(connectionFrames(relay.sent.customer)).toEqual([]);
    expect(relay.typesSent("customer").filter((type) => type.startsWith("pake"))).toEqual(["pakeReply", "pakeResult"]);
    expect(relay.sent.customer.find((frame) => frame.type === "pakeResult")?.ok).toBe(false);
    expect((await videoFigures(technician.page.getByLabel("Customer's screen"))).frames).toBe(0);
    expect(await verificationCode(technician.page).count()).toBe(0);
  });

  it("in the middle of a Get-help handshake with a wrong password, gets nothing; switched off, the same password connects", async () => {
    const relay = new HostileRelay();
    relay.mode = { kind: "intercept", prs: prsOfPassword("apple apple apple") };
    const { technician, customer } = await meetThrough(relay);
    await open(customer.page, "/");
    await customer.page.getByRole("button", { name: "Get help" }).click();
    const card = customer.page.getByRole("region", { name: "Read these to your technician" });
    await card.getByText("Waiting for your technician to join.", { exact: false }).waitFor();
    const id = await textOf(card.getByLabel("Session ID", { exact: true }));
    const password = await textOf(card.getByLabel("Password", { exact: true }));
    expect(password).not.toBe("apple apple apple");
    await open(technician.page, "/console");
    const form = technician.page.getByRole("region", { name: "Join a customer's session" });
    await form.getByLabel("Session ID").fill(id);
    await form.getByLabel("Password").fill(password);
    await form.getByRole("button", { name: "Join" }).click();

    const code = id.replaceAll(" ", "");
    await expectRefusedOnBothPages(technician, customer);
    await expect.poll(() => loggedResults(code)).toEqual(["failed"]);
    expect(relay.attackerRuns.map((run) => run.isConfirmed)).toEqual([false, false]);
    expect(connectionFrames(relay.sent.customer)).toEqual([]);
    // The customer's page still waits for the technician it called: nobody to consent to.
    expect(await card.isVisible()).toBe(true);
    expect(await customer.page.getByRole("button", { name: "Allow and choose what to share" }).isVisible()).toBe(false);

    relay.mode = { kind: "pass" };
    await technician.page.getByRole("form", { name: "Connect to the customer" }).getByRole("button").click();
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    await framesArrive(technician.page.getByLabel("Customer's screen"));
    await expect.poll(() => textOf(verificationCode(customer.page))).toMatch(/^[a-z]+( [a-z]+){3}$/);
    expect(await textOf(verificationCode(technician.page))).toBe(await textOf(verificationCode(customer.page)));
    expect(await customer.page.getByRole("status").count()).toBe(0);
    expect(loggedResults(code)).toEqual(["failed", "confirmed"]);
  });

  it("replaying an old run's frames to a reloaded customer's page and to the console, gets nothing, and both pages say why", async () => {
    const relay = new HostileRelay();
    const { technician, customer } = await meetThrough(relay);
    const { link, code } = await viewNewSession(technician);
    await open(customer.page, link);
    await expect.poll(() => textOf(verificationCode(customer.page))).toMatch(/^[a-z]+( [a-z]+){3}$/);
    await expect.poll(() => textOf(verificationCode(technician.page))).toMatch(/^[a-z]+( [a-z]+){3}$/);
    expect(loggedResults(code)).toEqual(["confirmed"]);

    // The customer's page comes back (a reload: the same tab keeps the link's secret), and the console proves it
    // afresh: a new run, with new nonces on both sides. The relay answers each page with the other's old frames.
    relay.mode = { kind: "replay", run: relay.lastRun() };
    const before = relay.sent.customer.length;
    await customer.page.reload();
    await expectRefusedOnBothPages(technician, customer);
    await expect.poll(() => loggedResults(code)).toEqual(["confirmed", "failed"]);

    await allowThenEnd(relay, customer.page);
    const afterReload = relay.sent.customer.slice(before);
    expect(connectionFrames(afterReload)).toEqual([]);
    expect(afterReload.find((frame) => frame.type === "pakeResult")?.ok).toBe(false);
    expect((await videoFigures(technician.page.getByLabel("Customer's screen"))).frames).toBe(0);
  });
});
