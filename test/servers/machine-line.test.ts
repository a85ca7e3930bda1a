import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { enrolmentMessage, heartbeatMessage, MachineEnrolment, MachineSession } from "#protocol/machines.ts";
import { base64url } from "../../worker/auth/tokens.ts";
import { FRAME_WAIT_MS } from "../helpers/frame-queue.ts";
import { LineQueue, type SigningMachine } from "../helpers/line-queue.ts";
import { SERVER_NAMES } from "../helpers/node/servers.ts";
import { enrolTechnician, postJson, type SignedIn } from "../helpers/node/technicians.ts";
import { useServer } from "../helpers/node/use-server.ts";

// A machine's line on both hosts, through real sockets to real servers: the agent's socket gets a challenge, its
// answer signed with the machine's key makes the line ready, keep-alives are answered, and a session a technician
// opens with the machine sends `wake` at once; a forged answer is refused. The MachineLine object on wrangler and
// worker/deno/machine-lines.ts on Deno run the same core (test/unit/machine-line.test.ts).

/** A line as the agent holds it, from Node (`ws`, which sends the Origin header the site requires). */
class NodeLine extends LineQueue {
  constructor(private readonly ws: WebSocket) {
    super();
    ws.on("message", (data, isBinary) => this.receive(isBinary ? "" : data.toString()));
    ws.on("close", (code, reason) => this.markClosed(code, reason.toString()));
  }

  sendText(text: string): void {
    this.ws.send(text);
  }

  close(): void {
    this.ws.close(1000, "bye");
  }
}

describe.each(SERVER_NAMES)("%s", (name) => {
  const server = useServer(name, { vars: { UNATTENDED_ACCESS: "on" } });
  let admin: SignedIn;
  beforeAll(async () => {
    admin = await enrolTechnician(server(), "Ada Admin");
  });

  /** A machine enrolled as its agent enrols it: a new key, a one-time link, the site and token signed. */
  async function enrolledMachine(): Promise<SigningMachine> {
    const made = await postJson(server(), "/api/machines/enrolments", {}, admin.cookie);
    expect(made.status).toBe(201);
    const token = new URL(MachineEnrolment.parse(await made.json()).url).hash.slice(1);
    const { secretKey, publicKey } = ed25519.keygen();
    const signature = base64url(ed25519.sign(enrolmentMessage(server().origin, token), secretKey));
    const body = { token, publicKey: base64url(publicKey), name: "front-desk", os: "Linux 6.1.0", signature };
    expect((await postJson(server(), "/api/machines", body)).status).toBe(201);
    return { id: base64url(sha256(publicKey)), secretKey };
  }

  /** The machine's heartbeat, which puts it online. */
  async function beat(machine: SigningMachine): Promise<void> {
    const at = Date.now();
    const signature = base64url(
      ed25519.sign(heartbeatMessage(server().origin, machine.id, at, false), machine.secretKey),
    );
    const res = await postJson(server(), `/api/machines/${machine.id}/heartbeat`, { at, signature });
    expect(res.status).toBe(200);
  }

  /** Opens the machine's line as the agent does, from the site's origin. */
  function openLine(machineId: string): Promise<NodeLine> {
    const url = `${server().origin.replace("http:", "ws:")}/api/machines/${machineId}/line`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { Origin: server().origin }, handshakeTimeout: FRAME_WAIT_MS });
      // Listening from the start: the challenge may come with the upgrade's answer.
      const line = new NodeLine(ws);
      ws.once("open", () => resolve(line));
      ws.once("unexpected-response", (_request, response) => reject(new Error(`refused: ${response.statusCode}`)));
      ws.once("error", reject);
    });
  }

  it("is proved with the machine's key, answers keep-alives, and wakes the agent when a session is opened", async () => {
    const machine = await enrolledMachine();
    await beat(machine);
    const line = await openLine(machine.id);
    try {
      await line.answer(machine, server().origin);
      await line.next("ready");
      await line.sync();
      const opened = await postJson(server(), `/api/machines/${machine.id}/sessions`, {}, admin.cookie);
      expect(opened.status).toBe(201);
      MachineSession.parse(await opened.json());
      await line.next("wake");
      // Once, and nothing else: the pong comes after every frame sent before it.
      await line.sync();
      expect(line.received.map((frame) => frame.type)).toEqual(["challenge", "ready", "wake"]);
    } finally {
      line.close();
    }
  });

  it("refuses an answer its key did not sign (MACHINE_KEY_INVALID, 1008), and a machine it does not know", async () => {
    const machine = await enrolledMachine();
    const forged = await openLine(machine.id);
    await forged.answer(machine, server().origin, ed25519.keygen().secretKey);
    expect(await forged.next("error")).toMatchObject({ code: "MACHINE_KEY_INVALID" });
    expect((await forged.waitClosed()).code).toBe(1008);

    const unknown = await openLine(base64url(crypto.getRandomValues(new Uint8Array(32))));
    expect(await unknown.next("error")).toMatchObject({ code: "NOT_FOUND" });
    expect((await unknown.waitClosed()).code).toBe(1008);
  });
});
