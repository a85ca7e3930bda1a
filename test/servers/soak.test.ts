import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreatedSession } from "#protocol/sessions.ts";
import { newSeatKey } from "../helpers/handshake.ts";
import { type RoomSocket, upgrade } from "../helpers/node/room-socket.ts";
import { startServer, type TestServer } from "../helpers/node/servers.ts";
import { enrolTechnician, postJson, type SignedIn } from "../helpers/node/technicians.ts";
import { type WorkerMemory, workerdServing, workerMemoryAfterGc } from "../helpers/node/workerd-inspector.ts";

// A soak against `wrangler dev`: rounds of socket floods on sessions and help requests that then end, and what the
// Worker keeps afterwards. The Worker's own objects (its V8 heap after a full collection, read through workerd's
// inspector) must come back to where they were after the first round, whatever the floods did; workerd's resident
// memory is printed beside it (it keeps native memory of its own per connection, a bare Durable Object relay as much
// as ours; docs/performance.md has the figures). Bounded in count, loopback only.

const VARS = {
  MAX_SESSIONS_PER_TECHNICIAN: "100",
  RATE_CREATE_PER_MIN: "10000",
  RATE_SIGNIN_PER_MIN: "10000",
  RATE_JOIN_PER_MIN: "10000",
  RATE_HANDSHAKE_PER_MIN: "10000",
  RATE_REJOIN_PER_MIN: "10000",
};
const ROUNDS = 4;
const SESSIONS_PER_ROUND = 10;
const SOCKETS_PER_SESSION = 20;
const GARBAGE_FRAMES = 40;

// Minutes long, so run on demand: `SOAK=1 npm run test:servers`.
describe.runIf(process.env.SOAK === "1")("wrangler dev under rounds of socket floods", () => {
  let server: TestServer;
  let owner: SignedIn;
  let workerd: number;

  beforeAll(async () => {
    server = await startServer("wrangler", { vars: VARS });
    owner = await enrolTechnician(server, "Sofia Soak");
    workerd = workerdServing(Number(new URL(server.origin).port));
  });

  afterAll(async () => {
    await server?.stop();
  });

  const wsUrl = (code: string, role: string) =>
    `${server.origin.replace(/^http/, "ws")}/api/sessions/${code}/ws?role=${role}`;

  async function open(code: string, role: "customer" | "technician"): Promise<RoomSocket | null> {
    const headers = { Origin: server.origin, ...(role === "technician" ? { Cookie: owner.cookie } : {}) };
    const result = await upgrade(wsUrl(code, role), headers).catch(() => null);
    return result?.ok ? result.socket : null;
  }

  /** Half sessions of the owner, half anonymous help requests; each with its seat key. */
  async function newSessions(): Promise<{ code: string; seatKey: string; isHelp: boolean }[]> {
    return Promise.all(
      Array.from({ length: SESSIONS_PER_ROUND }, async (_, i) => {
        const isHelp = i % 2 === 1;
        const { seatKey, customerKeyHash } = await newSeatKey();
        const res = isHelp
          ? await postJson(server, "/api/help", { customerKeyHash })
          : await postJson(server, "/api/sessions", { customerKeyHash }, owner.cookie);
        expect(res.status).toBe(201);
        const { code } = (await res.json()) as CreatedSession;
        return { code, seatKey, isHelp };
      }),
    );
  }

  /** The session's own customer, seated with its seat key. */
  async function seatCustomer(code: string, seatKey: string): Promise<RoomSocket> {
    const customer = await open(code, "customer");
    if (!customer) throw new Error(`the customer of ${code} was refused`);
    customer.send({ type: "hello", version: 1, seatKey });
    await customer.next("welcome");
    return customer;
  }

  /**
   * One round: each session's customer takes its seat, then the session is flooded with sockets (silent ones, the
   * owner's, would-be customers without the seat key, garbage), which are all dropped or closed; then each customer
   * ends its session.
   */
  async function round(): Promise<number> {
    const sessions = await newSessions();
    const customers = await Promise.all(sessions.map(({ code, seatKey }) => seatCustomer(code, seatKey)));
    const sockets = await Promise.all(
      sessions.flatMap(({ code, isHelp }) =>
        Array.from({ length: SOCKETS_PER_SESSION }, async (_, k) => {
          const role = k % 4 === 0 && !isHelp ? "technician" : "customer";
          const socket = await open(code, role);
          if (!socket) return null;
          if (k % 2 === 0) socket.send({ type: "hello", version: 1 });
          if (k % 3 === 0) {
            for (let j = 0; j < GARBAGE_FRAMES; j++)
              socket.sendRaw(j % 2 ? "{not json" : JSON.stringify({ type: "x" }));
          }
          return socket;
        }),
      ),
    );
    const opened = sockets.filter((s) => s !== null).length;
    for (const [i, socket] of sockets.entries()) {
      if (i % 2) socket?.close();
      else socket?.terminate();
    }
    await Promise.all(sockets.map((socket) => socket?.waitClosed().catch(() => undefined)));
    for (const customer of customers) {
      customer.send({ type: "end" });
      await customer.next("ended");
      customer.close();
      await customer.waitClosed();
    }
    return opened;
  }

  it("keeps none of the Worker's objects from one round to the next", { timeout: 600_000 }, async () => {
    const start = await workerMemoryAfterGc(workerd);
    const after: WorkerMemory[] = [];
    let sockets = 0;
    for (let i = 0; i < ROUNDS; i++) {
      sockets += await round();
      after.push(await workerMemoryAfterGc(workerd));
    }
    const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    console.log(
      `soak: ${sockets} sockets over ${ROUNDS} rounds; Worker heap after GC ${mb(start.heapUsedBytes)} MB at start, then ${after.map((m) => mb(m.heapUsedBytes)).join(", ")} MB; workerd RSS ${mb(start.rssBytes)} MB, then ${after.map((m) => mb(m.rssBytes)).join(", ")} MB`,
    );
    expect(sockets).toBeGreaterThan(ROUNDS * SESSIONS_PER_ROUND * SOCKETS_PER_SESSION * 0.9);
    // After the first round (which loads what every later one uses), three rounds of 600 sockets and 30 ended
    // sessions may leave only the ended rooms' small objects until workerd evicts them (about 0.2 MB here): a kilobyte
    // kept per socket, or any frame kept, would go over this.
    const [first] = after;
    const last = after.at(-1);
    expect(first && last && last.heapUsedBytes - first.heapUsedBytes).toBeLessThan(512 * 1024);
  });
});
