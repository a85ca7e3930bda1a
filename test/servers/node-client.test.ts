import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerMessage, SignalMessage } from "#protocol/room.ts";
import { CreatedSession } from "#protocol/sessions.ts";
import { AgentSession } from "../../client/agent/AgentSession.ts";
import { EXIT } from "../../client/agent/exit-codes.ts";
import type { DialogText } from "../../client/agent/indicator/dialog.ts";
import type { IndicatorText } from "../../client/agent/indicator/x11.ts";
import type { InputAction } from "../../client/agent/input/InputGate.ts";
import type { InputSink } from "../../client/agent/input/input.ts";
import { parseSessionLink } from "../../client/agent/link.ts";
import { MemoryStorage, siteApi, socketOpener } from "../../client/agent/node-runtime.ts";
import { runAgent } from "../../client/agent/run.ts";
import { toBase64url } from "../../client/core/base64url.ts";
import type { HandshakeConfirmed } from "../../client/core/handshake.ts";
import { newLinkSecret, prsOfLinkSecret, seatKeyHash, seatKeyOf } from "../../client/core/link-secret.ts";
import { CustomerHandshakes } from "../../client/web/src/customer/CustomerHandshakes.ts";
import { linkSecret } from "../../client/web/src/customer/secret.ts";
import { fetchSessionInfo, seatProofHeaders } from "../../client/web/src/customer/session-info.ts";
import * as en from "../../client/web/src/i18n/catalogues/en.ts";
import { IceServers } from "../../client/web/src/rtc/ice-servers.ts";
import { type Roster, updateRoster } from "../../client/web/src/rtc/roster.ts";
import { SignalingClient, type SignalingStatus, type SocketLike } from "../../client/web/src/rtc/signaling.ts";
import { CustomerCheck } from "../../client/web/src/viewer/CustomerCheck.ts";
import { FakeCapture, FakeConnection, fingerprint, sdpOf } from "../helpers/fake-rtc.ts";
import { startServer, type TestServer } from "../helpers/node/servers.ts";
import { enrolTechnician, type SignedIn } from "../helpers/node/technicians.ts";

// The client core the pages and the native agent share, run on Node against a real server with what the agent passes
// it (client/agent/node-runtime.ts): Node's WebSocket and fetch aimed at the site, and a store for the seat token. Both
// sides prove a link's secret to each other through the real room with the pages' own handshake drivers, the
// customer's side reads the session's details and ICE servers, and a dropped or restarted connection reclaims its
// seat. One host is enough: what is under test is the client; the hosts' own spec is rendezvous.test.ts.

const WAIT = { timeout: 60_000, interval: 50 };

/** One side's room connection, recording what it hears, with the sockets it opened. */
function connect(
  server: TestServer,
  options: { code: string; role: "customer" | "technician"; seatKey?: string; cookie?: string },
  onMessage: (msg: ServerMessage) => void,
  storage = new MemoryStorage(),
) {
  const statuses: SignalingStatus[] = [];
  const sockets: SocketLike[] = [];
  const open = socketOpener(server.origin, options.cookie ? { Cookie: options.cookie } : {});
  const client = new SignalingClient({
    code: options.code,
    role: options.role,
    ...(options.seatKey ? { seatKey: options.seatKey } : {}),
    origin: server.origin,
    openSocket: (url) => {
      const socket = open(url);
      sockets.push(socket);
      return socket;
    },
    storage,
    onOnline: () => undefined,
    onMessage,
    onStatus: (status) => statuses.push(status),
  });
  client.start();
  return { client, statuses, sockets, storage };
}

/** The technician's side: the console's handshake driver over a room connection of its own. */
function technicianSide(server: TestServer, code: string, prs: Uint8Array, cookie: string) {
  const confirmed: HandshakeConfirmed[] = [];
  const heard: ServerMessage[] = [];
  let roster: Roster = [];
  const check = new CustomerCheck(
    code,
    { kind: "link", prs },
    {
      send: (msg) => side.client.send(msg),
      onStatus: () => undefined,
      onConfirmed: (_, run) => confirmed.push(run),
    },
  );
  const side = connect(server, { code, role: "technician", cookie }, (msg) => {
    heard.push(msg);
    roster = updateRoster(roster, msg);
    if (msg.type === "welcome") check.seated();
    if (msg.type === "pakeReply" || msg.type === "pakeResult") check.receive(msg);
    const customer = roster.find((entry) => entry.peer.role === "customer");
    check.customerChanged(customer?.peer.connected ? customer.peer.id : null);
  });
  check.setCertificate({ fingerprint: fingerprint("02") });
  const stop = () => {
    side.client.stop();
    check.stop();
  };
  return { ...side, confirmed, heard, stop };
}

/** The OS's input as a list of what it was asked to do, on a 1000×500 screen. */
class RecordingSink implements InputSink {
  readonly screen = { x: 0, y: 0, width: 1000, height: 500 };
  readonly actions: InputAction[] = [];
  isClosed = false;

  async perform(actions: readonly InputAction[]): Promise<void> {
    this.actions.push(...actions);
  }

  close(): void {
    this.isClosed = true;
  }
}

/** The agent's certificate in these tests: what its handshake binds is fingerprint 01. */
const FAKE_CERTIFICATE = { expires: Date.now() + 86_400_000, getFingerprints: () => [fingerprint("01")] };

/** The agent's WebRTC and certificate for runAgent, as recording fakes: each connection made goes into `connections`. */
function fakeWebRtc(connections: FakeConnection[]) {
  return {
    rtc: {
      createPeerConnection: (config: RTCConfiguration) => {
        const connection = new FakeConnection(config, fingerprint("01"));
        connections.push(connection);
        return connection;
      },
      addVideo: () => () => undefined,
    },
    certificate: Promise.resolve({ certificate: FAKE_CERTIFICATE, fingerprint: fingerprint("01") }),
  };
}

describe("the shared client core on Node", () => {
  let server: TestServer;
  let owner: SignedIn;

  beforeAll(async () => {
    server = await startServer("wrangler");
    owner = await enrolTechnician(server, "Olivia Owner");
  });

  afterAll(async () => {
    await server?.stop();
  });

  /** A new link session of the owner's, created through the API client on Node's fetch. */
  async function createSession() {
    const secret = newLinkSecret();
    const prs = prsOfLinkSecret(secret);
    const seatKey = seatKeyOf(secret);
    if (!prs || !seatKey) throw new Error("a fresh link secret did not parse");
    const api = siteApi(server.origin);
    const created = await api(
      "POST",
      "/api/sessions",
      CreatedSession,
      { customerKeyHash: seatKeyHash(seatKey), caseNumber: "CASE-14" },
      { Cookie: owner.cookie },
    );
    if (!created.ok) throw new Error(`POST /api/sessions: ${created.code} ${created.message}`);
    const { code } = created.data;
    return { api, code, prs, seatKey, link: `${server.origin}/j/${code}#${secret}` };
  }

  /**
   * What the agent runs against in these tests: a new session and its owner's side, the terminal's two ends (`said`:
   * all it printed so far), and the recording fakes of its connections and capture.
   */
  async function agentStage() {
    const { code, prs, link } = await createSession();
    const technician = technicianSide(server, code, prs, owner.cookie);
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
    });
    const connections: FakeConnection[] = [];
    return { link, technician, input, output, said: () => printed, connections, capture: new FakeCapture() };
  }

  it("joins a link's session as the customer: handshake, verification code, details, ICE servers, seat resume", async () => {
    const { api, code, prs, seatKey } = await createSession();
    const seatKeyText = toBase64url(seatKey);
    const technician = technicianSide(server, code, prs, owner.cookie);
    const confirmed = { technician: technician.confirmed, customer: [] as HandshakeConfirmed[] };

    // The customer's side, as the agent runs it: the page's handshake driver with the link's secret.
    const handshakes = new CustomerHandshakes(
      code,
      linkSecret(prs),
      Promise.resolve({ fingerprint: fingerprint("01") }),
      {
        send: (msg) => customer.client.send(msg),
        onConfirmed: (_, run) => confirmed.customer.push(run),
        onFailed: () => undefined,
      },
    );
    const heard: ServerMessage[] = [];
    const storage = new MemoryStorage();
    const onCustomerMessage = (msg: ServerMessage) => {
      heard.push(msg);
      if (msg.type === "pakeStart" || msg.type === "pakeFinish") handshakes.receive(msg);
    };
    const customer = connect(server, { code, role: "customer", seatKey: seatKeyText }, onCustomerMessage, storage);

    await expect.poll(() => confirmed.customer.length, WAIT).toBe(1);
    await expect.poll(() => confirmed.technician.length, WAIT).toBe(1);
    const [customerRun] = confirmed.customer;
    const [technicianRun] = confirmed.technician;
    expect(customerRun?.verificationCode).toMatch(/^[a-z]+( [a-z]+){3}$/);
    expect(customerRun?.verificationCode).toBe(technicianRun?.verificationCode);
    expect(customerRun?.peerFingerprint).toEqual(fingerprint("02"));
    expect(technicianRun?.peerFingerprint).toEqual(fingerprint("01"));

    // Who is asking, as the consent shows it, and the ICE servers, through the API client on Node's fetch.
    const info = await fetchSessionInfo(code, seatKeyText, api);
    expect(info).toMatchObject({
      ok: true,
      data: { technician: { name: "Olivia Owner" }, caseNumber: "CASE-14" },
    });
    const iceErrors: string[] = [];
    const seated = new IceServers(
      code,
      seatProofHeaders(seatKeyText),
      () => undefined,
      (error) => iceErrors.push(error),
      api,
    );
    await seated.ready;
    seated.stop();
    expect(seated.relay).not.toBeNull();
    expect(Array.isArray(seated.config.iceServers)).toBe(true);
    expect(iceErrors).toEqual([]);

    // A dropped connection comes back to the same seat with the token it was given.
    const participantId = customer.client.participantId;
    expect(participantId).not.toBeNull();
    customer.sockets.at(-1)?.close(1000, "");
    await expect.poll(() => customer.sockets.length, WAIT).toBe(2);
    await expect.poll(() => customer.statuses.at(-1), WAIT).toBe("open");
    expect(customer.client.participantId).toBe(participantId);

    // So does a new client (a restarted agent) that finds the token in its store.
    customer.client.stop();
    const restarted = connect(server, { code, role: "customer", seatKey: seatKeyText }, () => undefined, storage);
    await expect.poll(() => restarted.statuses.at(-1), WAIT).toBe("open");
    expect(restarted.client.participantId).toBe(participantId);
    expect(heard.some((msg) => msg.type === "error")).toBe(false);

    restarted.client.end();
    await expect.poll(() => restarted.statuses.at(-1), WAIT).toBe("closed");
    technician.stop();
  });

  it("runs the agent's session: who is asking, the verification code, consent, the owner's connection, end", async () => {
    const { api, code, prs, link } = await createSession();
    const technician = technicianSide(server, code, prs, owner.cookie);
    const parsed = parseSessionLink(link);
    if (!parsed.ok) throw new Error(`the session's link did not parse: ${parsed.problem}`);
    const syncs: { ownerId: string; peerFingerprint: unknown }[] = [];
    let closes = 0;
    let sendSignal: (msg: SignalMessage) => boolean = () => false;
    const session = new AgentSession({
      link: parsed.link,
      certificate: Promise.resolve({ fingerprint: fingerprint("01") }),
      runtime: { openSocket: socketOpener(server.origin), storage: new MemoryStorage(), api },
      connection: (send) => {
        sendSignal = send;
        return {
          sync: (ownerId, peerFingerprint) => syncs.push({ ownerId, peerFingerprint }),
          handleSignal: () => undefined,
          close: () => {
            closes++;
          },
        };
      },
      onChange: () => undefined,
    });
    session.start();

    await expect.poll(() => session.view.phase, WAIT).toBe("asking");
    await expect.poll(() => session.view.verification, WAIT).not.toBeNull();
    await expect.poll(() => technician.confirmed.length, WAIT).toBe(1);
    expect(session.view).toMatchObject({
      technician: { name: "Olivia Owner" },
      caseNumber: "CASE-14",
      owner: { role: "technician", isOwner: true, connected: true },
      verification: { code: technician.confirmed[0]?.verificationCode, isMatched: false },
    });
    // Nothing is connected before the person allows it.
    expect(syncs).toEqual([]);
    session.confirmCode();
    expect(session.view.verification?.isMatched).toBe(true);
    session.setAllowed(true);
    expect(session.view.phase).toBe("viewing");
    const ownerId = session.view.owner?.id;
    expect(syncs).toEqual([{ ownerId, peerFingerprint: fingerprint("02") }]);
    // The connection's signals reach the technician through the room, which lets them pass after the handshake.
    expect(sendSignal({ type: "offer", to: ownerId ?? "", sdp: "v=0 an offer" })).toBe(true);
    await expect
      .poll(() => technician.heard.find((msg) => msg.type === "offer"), WAIT)
      .toMatchObject({
        from: session.view.owner ? expect.any(String) : "",
        sdp: "v=0 an offer",
      });

    session.setAllowed(false);
    expect(closes).toBeGreaterThan(0);
    session.end();
    expect(session.view).toMatchObject({ phase: "ended", ended: { reason: "ended_by_customer" } });
    await expect
      .poll(() => technician.heard.find((msg) => msg.type === "ended"), WAIT)
      .toMatchObject({
        reason: "ended_by_customer",
      });
    await expect.poll(() => session.view.signaling, WAIT).toBe("closed");
    technician.stop();
  });

  it("runs the agent from its link to the owner's connection, with the person answering in the terminal", async () => {
    const { link, technician, input, output, said, connections, capture } = await agentStage();
    const sink = new RecordingSink();
    const shown: (IndicatorText | null | "closed")[] = [];
    const exit = runAgent(link, {
      ...fakeWebRtc(connections),
      capture,
      input: sink,
      indicator: async () => ({ show: (text) => shown.push(text), close: () => shown.push("closed") }),
      io: { input, output },
      env: { LANG: "en_GB.UTF-8" },
    });

    await expect.poll(said, WAIT).toContain(en.agent.confirmCode);
    await expect.poll(() => technician.confirmed.length, WAIT).toBe(1);
    expect(said()).toContain("Olivia Owner (");
    expect(said()).toContain("Case number: CASE-14");
    expect(said()).toContain(`Verification code: ${technician.confirmed[0]?.verificationCode}`);
    expect(connections).toEqual([]);
    input.write("y\n");
    await expect.poll(said, WAIT).toContain(en.agent.allowView);
    input.write("y\n");
    // The offer carries the agent's certificate, the one its handshake bound, and the capture runs.
    await expect
      .poll(() => technician.heard.find((msg) => msg.type === "offer"), WAIT)
      .toMatchObject({
        sdp: sdpOf(fingerprint("01")),
      });
    expect(connections[0]?.config.certificates).toEqual([FAKE_CERTIFICATE]);
    expect(capture.starts).toBe(1);
    expect(said()).toContain(en.agent.viewing);

    // Control is asked for on its own. Until given, what comes on the input channel reaches nothing.
    const channel = (label: string) => connections[0]?.channels.find((c) => c.label === label);
    const control = channel("control");
    const inputChannel = channel("input");
    control?.open();
    inputChannel?.open();
    expect(control?.sentJson()).toContainEqual({ type: "remoteControl", isAllowed: false });
    let seq = 0;
    const key = (code: string) => JSON.stringify({ type: "key", seq: seq++, code, isDown: true });
    inputChannel?.receive(key("KeyQ"));
    await expect.poll(said, WAIT).toContain(en.agent.allowControl);
    input.write("y\n");
    await expect.poll(said, WAIT).toContain(en.agent.controlOn);
    // The strip on the screen says who sees it, then who controls it.
    const viewingAt = shown.findIndex((text) => text !== null && text !== "closed" && /can see/.test(text.line));
    const controlAt = shown.findIndex((text) => text !== null && text !== "closed" && /controls/.test(text.line));
    expect(shown[viewingAt]).toEqual({ line: "Tether: Olivia Owner can see your screen.", end: "End" });
    expect(shown[controlAt]).toEqual({
      line: "Tether: Olivia Owner controls your mouse and keyboard. Ctrl+Alt+End takes it back.",
      end: "End",
    });
    expect(viewingAt).toBeLessThan(controlAt);
    expect(control?.sentJson()).toContainEqual({ type: "remoteControl", isAllowed: true });
    inputChannel?.receive(key("ControlLeft"));
    inputChannel?.receive(JSON.stringify({ type: "button", seq: seq++, button: "left", isDown: true, x: 0.5, y: 0.5 }));
    await expect
      .poll(() => sink.actions, WAIT)
      .toEqual([
        { kind: "key", code: "ControlLeft", linuxCode: 29, isDown: true },
        { kind: "move", x: 500, y: 250 },
        { kind: "button", button: "left", isDown: true },
      ]);
    // "stop" takes control back at once: what was held comes up, the viewer hears it, and nothing more passes.
    input.write("stop\n");
    await expect.poll(said, WAIT).toContain(en.agent.controlOff);
    await expect
      .poll(() => sink.actions.slice(3), WAIT)
      .toEqual([
        { kind: "key", code: "ControlLeft", linuxCode: 29, isDown: false },
        { kind: "button", button: "left", isDown: false },
      ]);
    expect(control?.sentJson().at(-1)).toEqual({ type: "remoteControl", isAllowed: false });
    inputChannel?.receive(key("KeyW"));
    expect(sink.actions).toHaveLength(5);

    // The technician ends the session: the agent says so, stops capturing and exits as after any usual end.
    technician.client.end();
    expect(await exit).toBe(EXIT.ended);
    expect(said()).toContain(en.customer.ended.ended_by_technician);
    expect(capture.stops).toBe(1);
    expect(sink.isClosed).toBe(true);
    // Gone from the screen with the session.
    expect(shown.slice(-2)).toEqual([null, "closed"]);
    technician.stop();
  });

  it("asks in the dialog on the screen as well, and takes a click only for the question it showed", async () => {
    const { link, technician, input, output, said, connections, capture } = await agentStage();
    const shown: (DialogText | null | "closed")[] = [];
    let click: (shown: DialogText, isYes: boolean) => void = () => undefined;
    let agentSession = null as AgentSession | null;
    const exit = runAgent(link, {
      ...fakeWebRtc(connections),
      capture,
      input: new RecordingSink(),
      indicator: null,
      dialog: async (onAnswer) => {
        click = onAnswer;
        return { show: (text) => shown.push(text), close: () => shown.push("closed") };
      },
      io: { input, output },
      env: { LANG: "en_GB.UTF-8" },
      onSession: (session) => {
        agentSession = session;
      },
    });
    const asked = () => shown.filter((text): text is DialogText => text !== null && text !== "closed");
    await expect.poll(() => asked().at(-1)?.yes, WAIT).toBe("Matches");
    const codeQuestion = asked().at(-1) as DialogText;
    await expect.poll(() => technician.confirmed.length, WAIT).toBe(1);
    expect(codeQuestion.lines).toContain(`Verification code: ${technician.confirmed[0]?.verificationCode}`);
    // A click on a question that is not (or no longer) the one due counts for nothing.
    click(
      { ...codeQuestion, lines: codeQuestion.lines.map((line) => line.replace(/code: .*/, "code: a b c d")) },
      true,
    );
    expect(asked().at(-1)).toEqual(codeQuestion);
    click(codeQuestion, true);
    await expect.poll(() => asked().at(-1)?.yes, WAIT).toBe("Allow");
    // The terminal moves on with the dialog: it asks the next question, not the answered one again.
    await expect.poll(said, WAIT).toContain(en.agent.allowView);
    click(codeQuestion, false);
    click(asked().at(-1) as DialogText, true);
    await expect.poll(() => technician.heard.find((msg) => msg.type === "offer"), WAIT).toBeDefined();
    expect(capture.starts).toBe(1);
    // Viewing, it asks for control on its own; View only keeps the view, and the question goes once answered.
    await expect.poll(() => asked().at(-1)?.yes, WAIT).toBe("Allow control");
    click(asked().at(-1) as DialogText, false);
    await expect.poll(() => agentSession?.view.control, WAIT).toBe(false);
    expect(agentSession?.view.phase).toBe("viewing");
    expect(shown.at(-1)).toBeNull();
    // The session ends, and the dialog with it.
    technician.client.end();
    expect(await exit).toBe(EXIT.ended);
    expect(shown.at(-1)).toBe("closed");
    technician.stop();
  });

  it("refuses a damaged link before anything connects", async () => {
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
    });
    const exit = await runAgent(`${server.origin}/j/123456789`, {
      rtc: { createPeerConnection: () => expect.fail("no connection"), addVideo: () => () => undefined },
      certificate: Promise.resolve({ certificate: {} as RTCCertificate, fingerprint: fingerprint("01") }),
      capture: new FakeCapture(),
      input: null,
      indicator: null,
      io: { input: new PassThrough(), output },
      env: {},
    });
    expect(exit).toBe(EXIT.badLink);
    expect(printed).toBe(`${en.agent.link.noSecret}\n`);
  });
});
