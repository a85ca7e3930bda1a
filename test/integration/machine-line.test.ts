import { createExecutionContext, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ed25519 } from "@noble/curves/ed25519.js";
import { describe, expect, it } from "vitest";
import type { ErrorBody } from "#protocol/errors.ts";
import { LINE_ANSWER_TIMEOUT_MS } from "#protocol/machines.ts";
import type { LineAttachment } from "../../durable-objects/machine-line/line.ts";
import type { MachineLine } from "../../durable-objects/machine-line/MachineLine.ts";
import { createApp } from "../../worker/app.ts";
import { base64url } from "../../worker/auth/tokens.ts";
import { workersHost } from "../../worker/workers-host.ts";
import { LineQueue, type SigningMachine } from "../helpers/line-queue.ts";
import { beat, call, person, storedMachine } from "../helpers/workers/machines.ts";
import { storedBucket } from "../helpers/workers/rate-buckets.ts";
import { ORIGIN, randomIp } from "../helpers/workers/ws.ts";

// A machine's line through the real Worker and its MachineLine object (hibernatable sockets, attachments, the alarm):
// the upgrade's checks before any object is touched, the challenge and the answer, the wake a session opened with the
// machine sends, and the keep-alive the object answers without waking. The line's rules one by one are
// test/unit/machine-line.test.ts's; the same spec on both hosts, test/servers/machine-line.test.ts's.

const app = createApp(workersHost);
const switchedOn = { ...env, UNATTENDED_ACCESS: "on" };

/** A line as the agent holds it in workerd. */
class Line extends LineQueue {
  constructor(readonly ws: WebSocket) {
    super();
    ws.addEventListener("message", (event) => this.receive(event.data as string));
    ws.addEventListener("close", (event) => this.markClosed(event.code, event.reason));
  }

  sendText(text: string): void {
    this.ws.send(text);
  }
}

type Options = { isOn?: boolean; ip?: string; headers?: Record<string, string> };

/** GET /api/machines/:id/line as the agent asks for it (from the site's origin), with the switch on unless not. */
async function upgrade(
  machineId: string,
  { isOn = true, ip = randomIp(), headers = {} }: Options = {},
): Promise<Response> {
  const request = new Request(`${ORIGIN}/api/machines/${machineId}/line`, {
    headers: { Upgrade: "websocket", Origin: ORIGIN, "CF-Connecting-IP": ip, ...headers },
  });
  return isOn ? app.fetch(request, switchedOn, createExecutionContext()) : SELF.fetch(request);
}

/** Opens the machine's line; throws unless the upgrade succeeds. */
async function openLine(machineId: string, options: Options = {}): Promise<Line> {
  const res = await upgrade(machineId, options);
  if (!res.webSocket) throw new Error(`upgrade refused: ${res.status} ${await res.text()}`);
  res.webSocket.accept();
  return new Line(res.webSocket);
}

/** A line the machine proved with its key. */
async function provedLine(machine: SigningMachine): Promise<Line> {
  const line = await openLine(machine.id);
  await line.answer(machine, ORIGIN);
  await line.next("ready");
  return line;
}

function lineStub(machineId: string) {
  return env.MACHINE_LINE.get(env.MACHINE_LINE.idFromName(machineId));
}

describe("a machine's line", () => {
  it("is proved with the machine's key, and woken when a session is opened with the machine", async () => {
    const admin = await person("Ada Admin", true);
    const machine = await storedMachine(admin);
    await beat(machine);
    const ip = randomIp();
    const line = await openLine(machine.id, { ip });
    // Counted in a budget of its own: two a minute for each of 200 machines behind one address.
    expect(await storedBucket(ip, "line")).toMatchObject({ tokens: 200 * 2 - 1 });
    expect(await storedBucket(ip, "heartbeat")).toBeNull();
    // Nothing is woken before the line is proved.
    expect(await workersHost(switchedOn).machineLine(machine.id).wake()).toBe(0);
    await line.answer(machine, ORIGIN);
    await line.next("ready");
    // The object answers keep-alives.
    await line.sync();

    const opened = await call(`/api/machines/${machine.id}/sessions`, { method: "POST", cookie: admin.cookie });
    expect(opened.status).toBe(201);
    await line.next("wake");
    await line.sync();
    expect(line.received.map((frame) => frame.type)).toEqual(["challenge", "ready", "wake"]);
    // Another machine's session wakes no other line.
    const other = await storedMachine(admin, "other");
    await beat(other);
    expect((await call(`/api/machines/${other.id}/sessions`, { method: "POST", cookie: admin.cookie })).status).toBe(
      201,
    );
    await line.sync();
    expect(line.received.map((frame) => frame.type)).toEqual(["challenge", "ready", "wake"]);
    expect(await workersHost(switchedOn).machineLine(machine.id).wake()).toBe(1);
    await line.next("wake");
  });

  it("is woken when the machine is removed, so that its agent beats, hears it and stops at once", async () => {
    const admin = await person("Ada Admin", true);
    const machine = await storedMachine(admin);
    const line = await provedLine(machine);
    expect((await call(`/api/machines/${machine.id}`, { method: "DELETE", cookie: admin.cookie })).status).toBe(204);
    await line.next("wake");
  });

  it("keeps the newer of two proved lines, and closes the older with 1000", async () => {
    const admin = await person("Ada Admin", true);
    const machine = await storedMachine(admin);
    const older = await provedLine(machine);
    const newer = await provedLine(machine);
    expect(await older.waitClosed()).toEqual({ code: 1000, reason: "replaced" });
    expect(await workersHost(switchedOn).machineLine(machine.id).wake()).toBe(1);
    await newer.next("wake");
  });

  it("refuses an answer its key did not sign, or signed for another site (MACHINE_KEY_INVALID, 1008)", async () => {
    const admin = await person("Ada Admin", true);
    const machine = await storedMachine(admin);
    const forged = await openLine(machine.id);
    await forged.answer(machine, ORIGIN, ed25519.keygen().secretKey);
    expect(await forged.next("error")).toMatchObject({ code: "MACHINE_KEY_INVALID" });
    expect((await forged.waitClosed()).code).toBe(1008);
    const elsewhere = await openLine(machine.id);
    await elsewhere.answer(machine, "https://other.example");
    expect(await elsewhere.next("error")).toMatchObject({ code: "MACHINE_KEY_INVALID" });
    expect((await elsewhere.waitClosed()).code).toBe(1008);
    expect(await workersHost(switchedOn).machineLine(machine.id).wake()).toBe(0);
  });

  it("closes a line whose answer did not come by its deadline, at the object's alarm", async () => {
    const admin = await person("Ada Admin", true);
    const machine = await storedMachine(admin);
    const before = Date.now();
    const line = await openLine(machine.id);
    await line.next("challenge");
    const stub = lineStub(machine.id);
    // The alarm is for the answer's deadline; the test moves the deadline into the past rather than wait for it.
    await runInDurableObject(stub, async (_line: MachineLine, state) => {
      const alarmAt = await state.storage.getAlarm();
      expect(alarmAt).toBeGreaterThanOrEqual(before + LINE_ANSWER_TIMEOUT_MS);
      expect(alarmAt).toBeLessThanOrEqual(Date.now() + LINE_ANSWER_TIMEOUT_MS);
      const [ws, ...more] = state.getWebSockets();
      expect(more).toEqual([]);
      const attachment = ws?.deserializeAttachment() as LineAttachment;
      expect(attachment).toMatchObject({ machineId: machine.id, state: "challenged", origin: ORIGIN });
      ws?.serializeAttachment({ ...attachment, deadline: Date.now() - 1 });
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await line.next("error")).toMatchObject({ code: "BAD_REQUEST" });
    expect((await line.waitClosed()).code).toBe(1008);
    // Nothing else waits: the alarm stays off.
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });

  it("is refused for an unknown machine, without an upgrade, without the site's Origin, and while the switch is off", async () => {
    const unknown = await openLine(base64url(crypto.getRandomValues(new Uint8Array(32))));
    expect(await unknown.next("error")).toMatchObject({ code: "NOT_FOUND" });
    expect((await unknown.waitClosed()).code).toBe(1008);

    const admin = await person("Ada Admin", true);
    const machine = await storedMachine(admin);
    const asked = (headers: Record<string, string>) =>
      app.fetch(
        new Request(`${ORIGIN}/api/machines/${machine.id}/line`, {
          headers: { "CF-Connecting-IP": randomIp(), ...headers },
        }),
        switchedOn,
        createExecutionContext(),
      );
    const plain = await asked({ Origin: ORIGIN });
    expect(plain.status).toBe(426);
    expect(((await plain.json()) as ErrorBody).error.code).toBe("BAD_REQUEST");
    // An upgrade needs the site's Origin, as the rooms' do: a page elsewhere cannot open a machine's line.
    const originless = await asked({ Upgrade: "websocket" });
    expect(originless.status).toBe(403);
    expect(((await originless.json()) as ErrorBody).error.code).toBe("ORIGIN_NOT_ALLOWED");
    const foreign = await upgrade(machine.id, { headers: { Origin: "https://evil.example" } });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as ErrorBody).error.code).toBe("ORIGIN_NOT_ALLOWED");
    const malformed = await upgrade("not-a-machine-id");
    expect(malformed.status).toBe(400);
    const off = await upgrade(machine.id, { isOn: false });
    expect(off.status).toBe(403);
    expect(((await off.json()) as ErrorBody).error.code).toBe("UNATTENDED_OFF");
  });
});
