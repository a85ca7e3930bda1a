import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateFingerprint } from "#protocol/handshake.ts";
import { MachineList, MachineResponse, machineFingerprint } from "#protocol/machines.ts";
import { XTestInput } from "../../client/agent/input/xtest.ts";
import { toBase64url } from "../../client/core/base64url.ts";
import { machineHandshake } from "../../client/core/machine-handshake.ts";
import { type Agent, agentSaid, exitOf, farContacts, startAgentWith } from "../helpers/node/agent-process.ts";
import { startVirtualScreen, type VirtualScreen } from "../helpers/node/firefox.ts";
import { framesArrive, open, pageApi, textOf, videoFigures } from "../helpers/node/people.ts";
import { useStage } from "../helpers/node/stage.ts";
import { clickAt } from "../helpers/node/x-reader.ts";

// Unattended access end to end: an admin enrols a machine, its agent serves it (`serve`) on an Xvfb screen, and a
// technician connects from the console with no one at the machine. The agent proves the machine with its enrolled key
// (client/core/machine-handshake.ts), the viewer shows the screen and has control at once, and the agent's terminal
// says who is connected; so does the strip on the screen, whose End a person at the machine can click. A newer
// connection takes the screen from one whose technician left. Someone who stands in for the machine on the
// technician's signaling socket, with a key of its own, connects nothing; nor does a site that hands the viewer
// another key. A removed machine's agent stops, and connections to it are refused.

// Heartbeats as far apart as the site allows: a connection starts, and a removed machine's agent stops, when the site
// wakes the agent on its line, not at its next heartbeat.
const stage = useStage("Una Unattended", { vars: { UNATTENDED_ACCESS: "on", MACHINE_HEARTBEAT_S: "30" } });
const WAIT = { timeout: 120_000, interval: 100 };

/** A certificate fingerprint of nobody's certificate. */
function strayFingerprint(): CertificateFingerprint {
  const hex = [...randomBytes(32)].map((byte) => byte.toString(16).toUpperCase().padStart(2, "0"));
  return { algorithm: "sha-256", value: hex.join(":") };
}

describe("unattended access", () => {
  let dir: string;
  let screen: VirtualScreen;
  let agent: Agent;
  let machineId: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "tether-unattended-"));
    screen = await startVirtualScreen();
    const page = stage.technician.page;
    await open(page, "/console");
    const made = await pageApi(page, "POST", "/api/machines/enrolments");
    const link = (made.body as { url: string }).url;
    const identity = path.join(dir, "machine.json");
    const enrolled = startAgentWith(["enrol", link, "--identity", identity], screen.display);
    expect(await exitOf(enrolled)).toBe(0);
    agent = startAgentWith(["serve", "--allow-loopback", "--identity", identity], screen.display);
    const listed = MachineList.parse((await pageApi(page, "GET", "/api/machines")).body);
    machineId = listed.machines[0]?.id ?? "";
  });

  afterAll(async () => {
    if (agent?.process.exitCode === null) process.kill(-(agent.process.pid ?? 0), "SIGKILL");
    screen?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Opens a session with the machine, as the console's Connect does; its code. */
  async function openSession(page: Page): Promise<string> {
    const opened = await pageApi(page, "POST", `/api/machines/${machineId}/sessions`);
    expect(opened.status).toBe(201);
    return (opened.body as { code: string }).code;
  }

  /** The viewer of the session `code` with the machine, where the console's Connect takes the technician. */
  async function view(page: Page, code: string): Promise<void> {
    await page.evaluate((hash) => {
      location.hash = hash;
    }, `view=${code}&machine=${machineId}`);
    await page.getByRole("heading", { name: /^Session \d{3} \d{3} \d{3}$/ }).waitFor();
  }

  it("connects a technician to the enrolled machine with no one there: its key proved, its screen shown, control given", async () => {
    const tech = stage.technician.page;
    await agentSaid(agent, "is online for unattended access.");
    await view(tech, await openSession(tech));
    const video = tech.getByLabel("Customer's screen");
    await framesArrive(video);
    expect(await videoFigures(video)).toMatchObject({ width: 1280, height: 720 });
    // No code to compare: the viewer shows the key the machine proved, as the console lists it.
    await expect
      .poll(() => textOf(tech.locator("#viewer-verification-code")), WAIT)
      .toBe(machineFingerprint(machineId));
    await expect
      .poll(() => textOf(tech.locator("#viewer-verification-hint")), WAIT)
      .toContain("signed this connection with the key it was enrolled with");
    // Nobody was asked; the terminal of the service says who is connected, and that they have control.
    await agentSaid(agent, "Una Unattended");
    await agentSaid(agent, "Your technician can see your screen now.");
    await agentSaid(agent, "Your technician can now use your mouse and keyboard.");
    expect(agent.output()).not.toMatch(/Verification code:/);
    expect(farContacts(agent)).toEqual([]);

    // The technician ends it; the machine serves on, ready for the next connection.
    await tech.getByRole("button", { name: "End session" }).click();
    await agentSaid(agent, "The technician ended the session.");
    expect(agent.process.exitCode).toBeNull();
  });

  it("shows a person at the machine who is connected, on the strip whose End ends the session there", async () => {
    const tech = stage.technician.page;
    await view(tech, await openSession(tech));
    await framesArrive(tech.getByLabel("Customer's screen"));
    // The second session's viewing, said once more by the service.
    const viewing = "Your technician can see your screen now.";
    await expect.poll(() => agent.output().split(viewing).length - 1, WAIT).toBe(2);
    const person = await XTestInput.open(screen.display);
    try {
      // The strip's End, at the right end of the strip centred at the top of the 1280-pixel screen (agent-input.test.ts).
      await person.perform(clickAt({ x: 280 + 720 - 20, y: 10 }));
    } finally {
      person.close();
    }
    await tech.getByText("The session ended at the machine: someone there clicked End").waitFor(WAIT);
    await expect.poll(() => agent.output().split("You ended the session.").length - 1, WAIT).toBe(1);
    expect(agent.process.exitCode).toBeNull();
  });

  it("gives the screen to a newer connection when the technician of the one under way left without ending it", async () => {
    const tech = stage.technician.page;
    await view(tech, await openSession(tech));
    await framesArrive(tech.getByLabel("Customer's screen"));
    const viewing = "Your technician can see your screen now.";
    await expect.poll(() => agent.output().split(viewing).length - 1, WAIT).toBe(3);
    // The technician goes back to the console: the session stays, with nobody on its technician's side.
    await tech.evaluate(() => {
      location.hash = "";
    });
    await tech.getByRole("heading", { name: "Machines" }).waitFor();
    // Connect again: the agent leaves the abandoned session for the new one.
    await view(tech, await openSession(tech));
    await framesArrive(tech.getByLabel("Customer's screen"));
    await expect.poll(() => agent.output().split(viewing).length - 1, WAIT).toBe(4);
    await expect.poll(() => agent.output().split("You ended the session.").length - 1, WAIT).toBe(2);
    await tech.getByRole("button", { name: "End session" }).click();
    await agentSaid(agent, "The technician ended the session.");
    expect(agent.process.exitCode).toBeNull();
  });

  it("tells a second connection that the machine is busy while the first one's technician is there, and starts it when that one ends", async () => {
    const tech = stage.technician.page;
    // Another console, open before the first connection: its Machines panel shows the machine free.
    const other = await tech.context().newPage();
    try {
      await open(other, "/console");
      const machineLine = () => textOf(other.locator("#machine-list li > span").first());
      const isFree = async () => /: online$/.test(await machineLine());
      await expect.poll(isFree, WAIT).toBe(true);
      await view(tech, await openSession(tech));
      await framesArrive(tech.getByLabel("Customer's screen"));
      const viewing = "Your technician can see your screen now.";
      await expect.poll(() => agent.output().split(viewing).length - 1, WAIT).toBe(5);
      // The agent says so in a heartbeat of its own as soon as its technician is connected, and the open console
      // follows without a reload.
      await expect.poll(machineLine, WAIT).toContain("online, in a session");
      // A second connection, in another tab: its viewer says what it waits for, rather than only "waiting".
      await view(other, await openSession(other));
      await other.getByText("The machine is in another session, with its technician connected.").waitFor(WAIT);
      expect(agent.output().split(viewing).length - 1).toBe(5);
      // The first technician ends theirs: the second's starts at once.
      await tech.getByRole("button", { name: "End session" }).click();
      await framesArrive(other.getByLabel("Customer's screen"));
      await expect.poll(() => agent.output().split(viewing).length - 1, WAIT).toBe(6);
      await other.getByRole("button", { name: "End session" }).click();
      await expect.poll(() => agent.output().split("The technician ended the session.").length - 1, WAIT).toBe(4);
    } finally {
      await other.close();
    }
    expect(agent.process.exitCode).toBeNull();
  });

  it("connects nothing when someone on the signaling path stands in for the machine with a key of its own", async () => {
    const tech = stage.technician.page;
    const code = await openSession(tech);
    const impostor = ed25519.utils.randomSecretKey();
    // The technician's room socket runs through the impostor from now on: it answers the viewer's handshake itself,
    // as the machine, and passes nothing of it on.
    await tech.context().routeWebSocket(/\/ws\?role=technician$/, (socket) => {
      const server = socket.connectToServer();
      let run: ReturnType<typeof machineHandshake> | null = null;
      socket.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { type: string; to?: string };
        if (frame.type === "pakeStart") {
          run = machineHandshake({ code, fingerprint: strayFingerprint(), machineId, privateKey: impostor });
          const started = run.onStart(frame);
          if (started.ok) socket.send(JSON.stringify({ type: "pakeReply", from: frame.to, ...started.reply }));
          return;
        }
        if (frame.type === "pakeFinish") {
          const finished = run?.onFinish(frame);
          const result = finished?.ok ? finished.result : { ok: false };
          socket.send(JSON.stringify({ type: "pakeResult", from: frame.to, ...result }));
          return;
        }
        server.send(message);
      });
      server.onMessage((message) => socket.send(message));
    });
    await view(tech, code);
    await tech.getByText("The machine could not prove it holds the key it was enrolled with").first().waitFor(WAIT);
    const video = tech.getByLabel("Customer's screen");
    expect((await videoFigures(video)).frames).toBe(0);
    await tech.context().unrouteAll();
    await tech.getByRole("button", { name: "End session" }).click();
  });

  it("connects nothing when the site hands the viewer a key other than the enrolled one", async () => {
    const tech = stage.technician.page;
    const other = toBase64url(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
    await tech.route(`**/api/machines/${machineId}`, async (route) => {
      const response = await route.fetch();
      const { machine } = MachineResponse.parse(await response.json());
      await route.fulfill({ response, json: { machine: { ...machine, publicKey: other } } });
    });
    await view(tech, await openSession(tech));
    await tech.getByText("The machine could not prove it holds the key it was enrolled with").first().waitFor(WAIT);
    expect((await videoFigures(tech.getByLabel("Customer's screen"))).frames).toBe(0);
    await tech.unrouteAll();
    await tech.getByRole("button", { name: "End session" }).click();
  });

  it("refuses connections to a removed machine, whose agent stops", async () => {
    const tech = stage.technician.page;
    expect((await pageApi(tech, "DELETE", `/api/machines/${machineId}`)).status).toBe(204);
    expect(await exitOf(agent)).toBe(3);
    expect(agent.output()).toContain("This machine was removed in the console, so the agent stops.");
    const refused = await pageApi(tech, "POST", `/api/machines/${machineId}/sessions`);
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});
