import type { Page, WebSocketRoute } from "playwright-core";
import { describe, expect, it } from "vitest";
import { getHelp, joinAsTechnician } from "../helpers/node/help.ts";
import { framesArrive, newPerson, type Person, textOf, videoFigures } from "../helpers/node/people.ts";
import { useStage } from "../helpers/node/stage.ts";
import { type Received, recordTraffic, type Traffic } from "../helpers/node/traffic.ts";

// The quick-support flow: the customer clicks "Get help" on the home page and reads a session ID and a password to
// the technician, who types them into the console; the customer then sees who joined, allows, and is seen. Each test
// starts its own help request (one technician serves them all), so each verdict stands alone.

// Every test's handshakes come from this one address: the per-address budget is raised so that none waits. The
// session's wait after a failed handshake starts at 1 s (the least allowed), so wrong passwords cost seconds.
const stage = useStage("Tess Tech", { vars: { RATE_HANDSHAKE_PER_MIN: "1000", HANDSHAKE_BACKOFF_BASE_S: "1" } });

/** The customer at the home page, and what their page says and hears. */
type Customer = {
  person: Person;
  traffic: Traffic;
  /** The customer's newest room socket, both halves, when it runs through Playwright: a test can cut it as a network would. */
  socket(): { page: WebSocketRoute; server: WebSocketRoute } | undefined;
};

/** A customer at a fresh browser profile; with `canCut`, their room socket runs through Playwright. */
async function newCustomer({ canCut = false } = {}): Promise<Customer> {
  const person = await newPerson(stage.browser, stage.server);
  stage.people.push(person);
  const traffic = recordTraffic(person.page);
  let socket: { page: WebSocketRoute; server: WebSocketRoute } | undefined;
  if (canCut) {
    await person.context.routeWebSocket(/\/ws\?role=customer$/, (page) => {
      socket = { page, server: page.connectToServer() };
    });
  }
  return { person, traffic, socket: () => socket };
}

/** `count` passwords of the list, each unlike `password`: what a guesser might type. */
function wrongPasswords(password: string, count: number): string[] {
  const guesses = ["apple", "banjo", "cactus", "daisy", "eagle"].map((word) => `${word} ${word} ${word}`);
  return guesses.filter((guess) => guess !== password).slice(0, count);
}

/** The technician types a password into the viewer's form, as after a refused one. */
async function typeInViewer(password: string): Promise<void> {
  const form = stage.technician.page.getByRole("form", { name: "Connect to the customer" });
  await form.getByLabel("Customer's password").fill(password);
  await form.getByRole("button", { name: "Connect" }).click();
}

/** The customer's verdicts on the technician's handshakes so far, as the viewer received them. */
function verdicts(received: Received[]): (boolean | undefined)[] {
  return received.filter((msg) => msg.type === "pakeResult").map((msg) => msg.ok);
}

/** The four words a page shows in its "Check the verification code" section. */
function verificationCode(page: Page) {
  return page.getByRole("region", { name: "Check the verification code" }).getByLabel("Verification code");
}

/** A new help request, joined by the technician and allowed by the customer, whose frames reach the viewer. */
async function sharing(options: { canCut?: boolean } = {}): Promise<Customer & { password: string }> {
  const customer = await newCustomer(options);
  const { id, password } = await getHelp(customer.person);
  await joinAsTechnician(stage, id, password);
  await customer.person.page.getByRole("button", { name: "Allow and choose what to share" }).click();
  await framesArrive(stage.technician.page.getByLabel("Customer's screen"));
  return { ...customer, password };
}

/** Cuts the customer's room socket as a network drop would, and waits for the page to reconnect and be welcomed. */
async function dropSocket(customer: Customer): Promise<Received[]> {
  const welcomes = () => customer.traffic.received.filter((msg) => msg.type === "welcome");
  expect(welcomes()).toHaveLength(1);
  const socket = customer.socket();
  if (!socket) throw new Error("the customer's room socket never opened (or was not made with canCut)");
  await socket.server.close({ code: 1001, reason: "Network drop" });
  await socket.page.close({ code: 1006, reason: "Network drop" });
  await expect.poll(() => welcomes().length).toBe(2);
  return welcomes();
}

describe("a customer's help request, joined with a session ID and password", () => {
  it("gives the customer a nine-digit session ID and a three-word password to read aloud", async () => {
    const { person } = await newCustomer();
    const { id, password } = await getHelp(person);
    expect(id).toMatch(/^\d{3} \d{3} \d{3}$/);
    expect(password).toMatch(/^[a-z]+ [a-z]+ [a-z]+$/);
    // Nothing to consent to yet: no technician has joined.
    expect(await person.page.getByRole("button", { name: "Allow and choose what to share" }).count()).toBe(0);
  });

  it("lets the technician join with what the customer read, and shows the customer who joined before Allow", async () => {
    const { person } = await newCustomer();
    const { id, password } = await getHelp(person);
    await joinAsTechnician(stage, id, password);
    const consent = person.page.getByRole("region", { name: "Who is asking to see your screen" });
    await consent.getByText("Tess Tech", { exact: true }).waitFor();
    expect(await textOf(consent)).toContain("from Tether");
    expect(await textOf(consent)).toContain("Only continue if you contacted this organisation yourself.");
    await consent.getByText("Tess Tech is connected.").waitFor();
    expect(await person.page.getByRole("region", { name: "Read these to your technician" }).count()).toBe(0);
  });

  it("connects with the right password, and both pages show the same four-word verification code", async () => {
    const { person } = await newCustomer();
    const { id, password } = await getHelp(person);
    await joinAsTechnician(stage, id, password);
    const words = /^[a-z]+( [a-z]+){3}$/;
    await expect.poll(() => textOf(verificationCode(person.page))).toMatch(words);
    await expect.poll(() => textOf(verificationCode(stage.technician.page))).toMatch(words);
    expect(await textOf(verificationCode(stage.technician.page))).toBe(await textOf(verificationCode(person.page)));
    // Each person confirms what they heard; the check then says so instead of asking.
    for (const [page, checked] of [
      [person.page, "You checked: your technician sees the same four words."],
      [stage.technician.page, "You checked: the customer sees the same four words."],
    ] as const) {
      const region = page.getByRole("region", { name: "Check the verification code" });
      await region.getByRole("button", { name: "Matches" }).click();
      await region.getByText(checked).waitFor();
      expect(await region.getByRole("button", { name: "Doesn't match" }).count()).toBe(0);
    }
    await person.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    await framesArrive(stage.technician.page.getByLabel("Customer's screen"));
  });

  it("refuses a wrong password: the viewer says so, and nothing of the customer's reaches it", async () => {
    const { person } = await newCustomer();
    const { id, password } = await getHelp(person);
    const seen = recordTraffic(stage.technician.page);
    await joinAsTechnician(stage, id, wrongPasswords(password, 1)[0] ?? "");
    await stage.technician.page
      .getByText("The password did not match. Ask the customer to read it again, then type it below.")
      .waitFor();
    expect(verdicts(seen.received)).toEqual([false]);
    await stage.technician.page
      .getByRole("form", { name: "Connect to the customer" })
      .getByLabel("Customer's password")
      .waitFor();
    expect(seen.received.filter((msg) => msg.type === "offer" || msg.type === "candidate")).toEqual([]);
    expect(await videoFigures(stage.technician.page.getByLabel("Customer's screen"))).toEqual({
      frames: 0,
      width: 0,
      height: 0,
    });
    // The customer's page still waits for the technician it called: no one to consent to.
    expect(await person.page.getByRole("region", { name: "Read these to your technician" }).isVisible()).toBe(true);
    expect(await person.page.getByRole("button", { name: "Allow and choose what to share" }).count()).toBe(0);
  });

  it("replaces the customer's password after three wrong ones: a warning, the old one refused, the new one works", async () => {
    const { person } = await newCustomer();
    const { id, password } = await getHelp(person);
    const card = person.page.getByRole("region", { name: "Read these to your technician" });
    const shownPassword = () => textOf(card.getByLabel("Password", { exact: true }));
    const seen = recordTraffic(stage.technician.page);
    const [first = "", second = "", third = ""] = wrongPasswords(password, 3);
    await joinAsTechnician(stage, id, first);
    await expect.poll(() => verdicts(seen.received)).toEqual([false]);
    await typeInViewer(second);
    await expect.poll(() => verdicts(seen.received)).toEqual([false, false]);
    expect(await shownPassword()).toBe(password);
    await typeInViewer(third);
    await expect.poll(() => verdicts(seen.received)).toEqual([false, false, false]);

    await card.getByText("Someone tried a wrong password. Only read the new one to the person you called.").waitFor();
    const renewed = await shownPassword();
    expect(renewed).toMatch(/^[a-z]+ [a-z]+ [a-z]+$/);
    expect(renewed).not.toBe(password);
    // The old password never works again; the new one does, and only then does the customer see who joined.
    await typeInViewer(password);
    await expect.poll(() => verdicts(seen.received)).toEqual([false, false, false, false]);
    expect(await person.page.getByRole("button", { name: "Allow and choose what to share" }).count()).toBe(0);
    await typeInViewer(renewed);
    await expect.poll(() => verdicts(seen.received)).toEqual([false, false, false, false, true]);
    await person.page
      .getByRole("region", { name: "Who is asking to see your screen" })
      .getByText("Tess Tech", { exact: true })
      .waitFor();
    await expect.poll(() => textOf(verificationCode(person.page))).toMatch(/^[a-z]+( [a-z]+){3}$/);
    expect(await textOf(verificationCode(stage.technician.page))).toBe(await textOf(verificationCode(person.page)));
  });

  it("replaces a password left unused for 10 minutes, with a calm note", async () => {
    const { person } = await newCustomer();
    // The page's own clock, moved on rather than waited for.
    await person.context.clock.install();
    const { password } = await getHelp(person);
    const card = person.page.getByRole("region", { name: "Read these to your technician" });
    await person.page.clock.fastForward("10:00");
    await card.getByText("Your password was not used for 10 minutes, so it was replaced.", { exact: false }).waitFor();
    const renewed = await textOf(card.getByLabel("Password", { exact: true }));
    expect(renewed).toMatch(/^[a-z]+ [a-z]+ [a-z]+$/);
    expect(renewed).not.toBe(password);
    expect(await card.getByText("Someone tried a wrong password.", { exact: false }).count()).toBe(0);
  });

  it("asks a reloaded viewer for the password again, and the picture comes back after a new handshake", async () => {
    const { password } = await sharing();
    const { page } = stage.technician;
    await page.reload();
    const form = page.getByRole("form", { name: "Connect to the customer" });
    await form.getByLabel("Customer's password").fill(password);
    await form.getByRole("button", { name: "Connect" }).click();
    await framesArrive(page.getByLabel("Customer's screen"));
    await page.getByText("The customer is sharing", { exact: false }).waitFor();
  });

  it("ends the session on both pages when the customer says the verification code does not match", async () => {
    const { person } = await newCustomer();
    const { id, password } = await getHelp(person);
    await joinAsTechnician(stage, id, password);
    await expect.poll(() => textOf(verificationCode(person.page))).toMatch(/^[a-z]+( [a-z]+){3}$/);
    await person.page.getByRole("button", { name: "Doesn't match" }).click();
    await person.page.getByRole("heading", { name: "Session ended" }).waitFor();
    await person.page.getByText("You said the verification code did not match", { exact: false }).waitFor();
    await stage.technician.page.getByText("The customer ended the session.").waitFor();
    expect(await stage.technician.page.getByRole("region", { name: "Check the verification code" }).count()).toBe(0);
  });

  it("shares the screen once the customer allows", async () => {
    const { person } = await newCustomer();
    const { id, password } = await getHelp(person);
    await joinAsTechnician(stage, id, password);
    await person.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    const figures = await framesArrive(stage.technician.page.getByLabel("Customer's screen"));
    expect(figures.width).toBeGreaterThan(0);
    expect(figures.height).toBeGreaterThan(0);
  });

  it("switches what is shared in place: a new capture, the same connection and track, frames all along", async () => {
    const { person } = await sharing();
    const screen = stage.technician.page.getByLabel("Customer's screen");
    const sharedTrack = () =>
      person.page
        .getByLabel("Preview of what you are sharing")
        .evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]?.id);
    const receivedTrack = () =>
      screen.evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]?.id);
    const [before, receivedBefore] = [await sharedTrack(), await receivedTrack()];
    await person.page.getByRole("button", { name: "Share something else" }).click();
    await expect.poll(sharedTrack).not.toBe(before);
    await framesArrive(screen);
    expect(await receivedTrack()).toBe(receivedBefore);
  });

  it("keeps the customer's seat through a dropped WebSocket, and the picture never stops", async () => {
    const customer = await sharing({ canCut: true });
    const { page } = stage.technician;
    const restarts = await textOf(page.getByLabel("ICE restarts", { exact: true }));
    // The page reconnects by itself and reclaims its seat with the stored token (a new seat would be SEAT_TAKEN).
    const [first, second] = await dropSocket(customer);
    expect(second?.participantId).toBe(first?.participantId);
    await framesArrive(page.getByLabel("Customer's screen"));
    expect(await textOf(page.getByLabel("ICE restarts", { exact: true }))).toBe(restarts);
    await page.getByText("The customer is sharing", { exact: false }).waitFor();
    const customerPage = customer.person.page;
    expect(await customerPage.getByRole("region", { name: "Your support session" }).isVisible()).toBe(true);
    // No message at all: an empty status line is not shown.
    expect(await customerPage.getByRole("status").count()).toBe(0);
  });

  it("never sends the password to any server, not even in a URL, through sharing and a reconnect", async () => {
    const customer = await sharing({ canCut: true });
    await dropSocket(customer);
    const { sent } = customer.traffic;
    expect(sent.filter((text) => text.includes('"type":"hello"')).length).toBeGreaterThanOrEqual(2);
    const words = customer.password.split(" ");
    expect(sent.filter((text) => text.includes(customer.password) || words.every((w) => text.includes(w)))).toEqual([]);
  });

  it("ends the session on both sides when the technician clicks End", async () => {
    const { person } = await sharing();
    await stage.technician.page.getByRole("button", { name: "End session" }).click();
    await stage.technician.page.getByText("You ended the session.").waitFor();
    await person.page.getByRole("heading", { name: "Session ended" }).waitFor();
    await person.page.getByText("The technician ended the session.", { exact: false }).waitFor();
  });

  it("resumes the session after a reload of the customer's page: a new check of the code, pick again, frames again", async () => {
    const { person, password, traffic } = await sharing();
    const { page } = person;
    const tech = stage.technician.page;
    await page.reload();
    await page.getByRole("status").getByText("The page was reloaded and your session goes on").waitFor();
    expect(await page.getByRole("button", { name: "Get help" }).isVisible()).toBe(false);
    // The reloaded page proves the same password's secret again, with a new certificate: a new code on both sides.
    const words = /^[a-z]+( [a-z]+){3}$/;
    await expect.poll(() => textOf(verificationCode(page))).toMatch(words);
    await expect.poll(() => textOf(verificationCode(tech))).toBe(await textOf(verificationCode(page)));
    await page.getByRole("button", { name: "Share again" }).click();
    await framesArrive(tech.getByLabel("Customer's screen"));
    // Nothing of the password left the tab on the way (it is kept in the tab's own storage, as a link's secret is).
    const heard = password.split(" ");
    expect(traffic.sent.filter((text) => heard.every((word) => text.includes(word)))).toEqual([]);

    // End ends it for good: a reload then shows Get help again.
    await page.getByRole("button", { name: "End session" }).click();
    await tech.getByText("The customer ended the session.").waitFor();
    await page.reload();
    await page.getByRole("button", { name: "Get help" }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("tether.help"))).toBeNull();
  });

  it("ends a help request whose page is closed before anyone joined: nobody could find it again", async () => {
    const { person, traffic } = await newCustomer();
    const heard = await getHelp(person);
    const code = heard.id.replace(/ /g, "");
    await expect.poll(() => traffic.received.some((msg) => msg.type === "welcome")).toBe(true);
    // Liveness by the ICE route, which tells it a signed-in technician (and the session's own page) only.
    const cookie = (await stage.technician.page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const iceStatus = async () =>
      (await fetch(`${stage.server.origin}/api/sessions/${code}/ice`, { headers: { cookie } })).status;
    expect(await iceStatus()).toBe(200);
    expect((await fetch(`${stage.server.origin}/api/sessions/${code}/ice`)).status).toBe(403);
    await person.page.close();
    // Ended at once, and its row purged with it by the room's next alarm: 410, then 404.
    await expect.poll(iceStatus).toSatisfy((status: number) => status === 410 || status === 404);
  });
});
