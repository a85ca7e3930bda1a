import { setTimeout as sleep } from "node:timers/promises";
import type { ErrorCode } from "#protocol/errors.ts";
import type { ClientMessage, Role, ServerMessage, SessionSummary } from "#protocol/room.ts";
import { SEAT_PROOF_HEADER } from "#protocol/sessions.ts";
import { base64urlText, clip, fuzzPayload, type Payload, Rng } from "../fuzz.ts";
import { newSeatKey, pake } from "../handshake.ts";
import {
  canonical,
  type FuzzFrame,
  fuzzFrame,
  helloFrame,
  judge,
  receivedForm,
  relayedForm,
  type SeatView,
} from "../room-fuzz.ts";
import { FuzzSocket, waitFor } from "./fuzz-socket.ts";
import type { TestServer } from "./servers.ts";
import { postJson, type SignedIn } from "./technicians.ts";

// Fuzzes one session's room on a running server from both seats, then proves it still works. Each round, each seat
// sends a batch of random and mutated frames (paced under the per-socket limit), then a barrier frame whose refusal
// echoes a unique field name; the answers are checked against the protocol's own verdict on every frame. Seats also
// reconnect with their resume token (after a policy close, or at random with frames before the hello), try mutated
// hellos on a second socket, and flood once past the rate limit. What arrives is checked as it arrives: every frame
// well formed, only the expected error codes, peers and relays that name the right seats, no relayed frame that the
// peer did not send exactly so. Afterwards both seats take their seats back, complete a handshake, relay an offer,
// an answer and candidates, the API describes the session as the room does, and the customer can still end it.

/** The per-socket limits the room was created with (WS_MAX_MESSAGE_BYTES, WS_MESSAGES_PER_S, WS_MESSAGE_BURST). */
export type SocketLimits = { maxMessageBytes: number; messagesPerS: number; messageBurst: number };

export type RoomFuzzOptions = {
  server: TestServer;
  owner: SignedIn;
  seed: number;
  /** How many fuzz frames to send in all, both seats together (floods and barriers come on top). */
  frames: number;
  /** A cap that only shortens the run: no new round starts after it. */
  wallClockMs: number;
  limits: SocketLimits;
};

/** What a run did, and what it found wrong (empty when nothing). */
export type RoomFuzzReport = {
  frames: number;
  floodFrames: number;
  rounds: number;
  reconnects: number;
  helloEpisodes: number;
  relayed: number;
  errors: Record<string, number>;
  closes: Record<string, number>;
  ms: number;
  isCapped: boolean;
  problems: string[];
};

/** Error codes a seated socket may get for what it sends: HANDSHAKE_BUSY needs a second technician, not here. */
const SEATED_CODES = new Set<ErrorCode>([
  "MESSAGE_INVALID",
  "MESSAGE_TOO_LARGE",
  "UNSUPPORTED_VERSION",
  "RATE_LIMITED",
  "PEER_NOT_FOUND",
  "WRONG_ROLE",
  "HANDSHAKE_REQUIRED",
  "HANDSHAKE_WAIT",
  // The owner's well-formed extend frames reach SESSION_MAX_LIFETIME_S after a few.
  "EXTEND_LIMIT",
]);

/** A socket that has not said hello yet may also be refused its seat. */
const JOINING_CODES = new Set<ErrorCode>([...SEATED_CODES, "SEAT_TAKEN", "SEAT_KEY_INVALID"]);

/** How many rounds pass before each seat floods once. */
const FLOOD_ROUND = { technician: 7, customer: 15 } as const;

/** Sends at most `perS` frames a second after a burst of `capacity`: well under the server's own bucket. */
class Pacer {
  private tokens: number;
  private last = performance.now();

  constructor(
    private readonly perS: number,
    private readonly capacity: number,
  ) {
    this.tokens = capacity;
  }

  async take(): Promise<void> {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perS);
    this.last = now;
    if (this.tokens < 1) {
      await sleep(Math.ceil(((1 - this.tokens) / this.perS) * 1000));
      this.tokens = 1;
      this.last = performance.now();
    }
    this.tokens -= 1;
  }
}

/** One seat of the session and every socket it opened. */
class Seat {
  id = "";
  resume = "";
  readonly oldResumes: string[] = [];
  socket: FuzzSocket | null = null;
  /** Sockets this seat replaced while they were open: the room must close them with 1000. */
  readonly replaced: FuzzSocket[] = [];
  readonly sockets: FuzzSocket[] = [];
  /** Well-formed frames this seat sent lately, to replay. */
  readonly recent: FuzzFrame[] = [];
  /** The relayed form of every well-formed frame this seat sent to its peer, with how many times. */
  readonly sentValid = new Map<string, number>();
  framesSent = 0;
  errorsReceived = 0;
  other!: Seat;

  constructor(
    readonly role: Role,
    readonly pacer: Pacer,
    readonly seatKey?: string,
  ) {}

  view(): SeatView {
    return {
      role: this.role,
      selfId: this.id,
      peerId: this.other.id,
      resume: this.resume,
      ...(this.seatKey ? { seatKey: this.seatKey } : {}),
    };
  }

  hello(): Record<string, unknown> {
    return {
      type: "hello",
      version: 1,
      ...(this.resume ? { resume: this.resume } : {}),
      ...(this.seatKey ? { seatKey: this.seatKey } : {}),
    };
  }
}

function describeFrames(frames: FuzzFrame[]): string {
  return frames
    .map(
      (f, i) => `  #${i} [${f.how}] ${clip(f.text, 160)} → ${f.verdict.ok ? f.verdict.msg.type : f.verdict.error.code}`,
    )
    .join("\n");
}

/** Runs the fuzz described at the top of this file; it throws only when it cannot go on (a host that stopped answering). */
export async function fuzzRoom(options: RoomFuzzOptions): Promise<RoomFuzzReport> {
  const fuzz = new RoomFuzz(options);
  return fuzz.run();
}

class RoomFuzz {
  private readonly report: RoomFuzzReport = {
    frames: 0,
    floodFrames: 0,
    rounds: 0,
    reconnects: 0,
    helloEpisodes: 0,
    relayed: 0,
    errors: {},
    closes: {},
    ms: 0,
    isCapped: false,
    problems: [],
  };
  private code = "";
  /** The customer's seat key hash: what its page proves to read the session. */
  private customerKeyHash = "";
  private tech!: Seat;
  private customer!: Seat;
  private readonly max: number;
  /** Set once the customer ends the session on purpose, at the very end. */
  private isEnding = false;

  constructor(private readonly options: RoomFuzzOptions) {
    this.max = options.limits.maxMessageBytes;
  }

  async run(): Promise<RoomFuzzReport> {
    const started = performance.now();
    const { server, owner, limits } = this.options;
    const { seatKey, customerKeyHash } = await newSeatKey();
    const res = await postJson(server, "/api/sessions", { caseNumber: "FUZZ-1", customerKeyHash }, owner.cookie);
    if (res.status !== 201) throw new Error(`could not create the session: ${res.status} ${await res.text()}`);
    this.code = ((await res.json()) as { code: string }).code;
    this.customerKeyHash = customerKeyHash;
    // Well under the server's bucket, so that only the floods are limited.
    const pacer = () => new Pacer(limits.messagesPerS * 0.6, Math.floor(limits.messageBurst / 4));
    this.tech = new Seat("technician", pacer());
    this.customer = new Seat("customer", pacer(), seatKey);
    this.tech.other = this.customer;
    this.customer.other = this.tech;
    const setup = this.rng("setup");
    await this.join(this.tech, setup, false);
    await this.join(this.customer, setup, false);

    const deadline = started + this.options.wallClockMs;
    for (let round = 0; this.report.frames < this.options.frames; round++) {
      if (performance.now() > deadline) {
        this.report.isCapped = true;
        break;
      }
      this.report.rounds = round + 1;
      await Promise.all([this.turn(this.tech, round), this.turn(this.customer, round)]);
      await this.confirm(this.rng(`confirm/${round}`));
    }
    await this.finish();
    for (const seat of [this.tech, this.customer]) {
      for (const socket of seat.sockets) {
        for (const fault of socket.faults) this.problem(`${seat.role} received a malformed frame`, fault);
      }
    }
    this.report.ms = Math.round(performance.now() - started);
    return this.report;
  }

  private rng(label: string): Rng {
    return Rng.derive(this.options.seed, `${this.options.server.name}/room/${label}`);
  }

  private problem(where: string, text: string): void {
    if (this.report.problems.length < 50) this.report.problems.push(clip(`${where}: ${text}`, 4_000));
  }

  private url(role: Role): string {
    return `${this.options.server.origin.replace(/^http/, "ws")}/api/sessions/${this.code}/ws?role=${role}`;
  }

  /** Opens a socket for `seat`; every frame on it is checked as it arrives, against `allowed` error codes. */
  private async open(seat: Seat, allowed: Set<ErrorCode>): Promise<FuzzSocket> {
    const { server, owner } = this.options;
    const headers = { Origin: server.origin, ...(seat.role === "technician" ? { Cookie: owner.cookie } : {}) };
    const opened = await FuzzSocket.open(this.url(seat.role), headers, (msg) => this.observe(seat, allowed, msg));
    if (!opened.ok) throw new Error(`the ${seat.role}'s upgrade was refused: ${opened.status} ${opened.body}`);
    seat.sockets.push(opened.socket);
    return opened.socket;
  }

  /** Checks one frame a seat received: an allowed error, or news about and relays from the other seat only. */
  private observe(seat: Seat, allowed: Set<ErrorCode>, msg: ServerMessage): void {
    const where = `${seat.role} received`;
    const other = seat.other;
    switch (msg.type) {
      case "error":
        seat.errorsReceived++;
        this.report.errors[msg.code] = (this.report.errors[msg.code] ?? 0) + 1;
        if (!allowed.has(msg.code)) this.problem(where, `an unexpected error ${JSON.stringify(msg)}`);
        return;
      case "welcome": {
        const isWrong =
          msg.role !== seat.role ||
          msg.session.code !== this.code ||
          (seat.id !== "" && msg.participantId !== seat.id) ||
          msg.peers.some((p) => p.role !== other.role || (other.id !== "" && p.id !== other.id));
        if (isWrong) this.problem(where, `a welcome that does not match the room: ${JSON.stringify(msg)}`);
        return;
      }
      case "peerJoined":
        // The peer's id is known once its own welcome has been read, which may come after this frame at the start.
        if ((other.id !== "" && msg.peer.id !== other.id) || msg.peer.role !== other.role) {
          this.problem(where, `peerJoined about a seat that is not its peer: ${JSON.stringify(msg)}`);
        }
        return;
      case "peerLeft":
        if (other.id !== "" && msg.id !== other.id)
          this.problem(where, `peerLeft about a seat that is not its peer: ${JSON.stringify(msg)}`);
        return;
      case "state":
        if (msg.state !== "waiting" && msg.state !== "connected") this.problem(where, JSON.stringify(msg));
        return;
      case "ended":
        if (this.isEnding) return;
        this.problem(where, `${JSON.stringify(msg)}, though nobody ended the session`);
        return;
      case "peerGone":
        this.problem(where, `${JSON.stringify(msg)}, though nobody was removed`);
        return;
      case "handshakeThrottled":
        if (seat.role !== "customer") this.problem(where, "handshakeThrottled, which only the customer is told");
        return;
      case "extended":
        // The owning technician's well-formed `extend` frames extend the session, within its limit.
        return;
      case "ownerChanged":
        // Two seats: there is no colleague to hand the session to.
        this.problem(where, `${JSON.stringify(msg)}, though the session has no colleague`);
        return;
      default: {
        const form = receivedForm(msg);
        const left = form === null ? 0 : (other.sentValid.get(form) ?? 0);
        if (form === null || msg.from !== other.id || left === 0) {
          this.problem(where, `a relayed frame its peer never sent so: ${clip(JSON.stringify(msg), 500)}`);
          return;
        }
        other.sentValid.set(form, left - 1);
        this.report.relayed++;
      }
    }
  }

  /**
   * Sends one frame, paced; unless it goes before a hello, a well-formed one addressed to someone is remembered in the
   * form it would be relayed.
   */
  private async send(
    seat: Seat,
    socket: FuzzSocket,
    data: Payload,
    verdict: FuzzFrame["verdict"],
    isRelayable = true,
  ): Promise<void> {
    await seat.pacer.take();
    if (verdict.ok && isRelayable) {
      const form = relayedForm(verdict.msg, seat.id);
      if (form !== null) seat.sentValid.set(form, (seat.sentValid.get(form) ?? 0) + 1);
    }
    socket.send(data);
    seat.framesSent++;
  }

  private recordClose(socket: FuzzSocket): void {
    const code = String(socket.close?.code);
    this.report.closes[code] = (this.report.closes[code] ?? 0) + 1;
  }

  /** Makes `socket` the seat's socket after its welcome; the socket it replaces must be closed by the room. */
  private seated(seat: Seat, socket: FuzzSocket, welcome: Extract<ServerMessage, { type: "welcome" }>): void {
    if (seat.id !== "" && welcome.participantId !== seat.id) {
      this.problem(`${seat.role} rejoined`, `with another participant id: ${welcome.participantId}, not ${seat.id}`);
    }
    seat.id = welcome.participantId;
    if (seat.resume) seat.oldResumes.push(seat.resume);
    seat.resume = welcome.resume;
    if (seat.socket && seat.socket !== socket && seat.socket.close === null) seat.replaced.push(seat.socket);
    seat.socket = socket;
  }

  /** Seats `seat` on a new socket with its resume token, after a few random frames sent before the hello. */
  private async join(seat: Seat, rng: Rng, withPrelude = true): Promise<FuzzSocket> {
    const socket = await this.open(seat, JOINING_CODES);
    const prelude: FuzzFrame[] = [];
    const count = withPrelude ? rng.int(4) : 0;
    for (let i = 0; i < count; i++) {
      // Not a hello (that would be the join) and not one of another version (the room closes the socket for it).
      const frame = fuzzFrame(rng, seat.view(), this.max, (f) =>
        f.verdict.ok ? f.verdict.msg.type !== "hello" : f.verdict.error.code !== "UNSUPPORTED_VERSION",
      );
      prelude.push(frame);
      await this.send(seat, socket, frame.data, frame.verdict, false);
    }
    this.report.frames += count;
    socket.sendJson(seat.hello());
    const isWelcomed = () => socket.frames.some((m) => m.type === "welcome");
    await socket.until(() => isWelcomed() || socket.close !== null, `the ${seat.role}'s welcome`);
    const index = socket.frames.findIndex((m) => m.type === "welcome");
    const welcome = socket.frames[index];
    if (welcome?.type !== "welcome") {
      this.recordClose(socket);
      throw new Error(
        `the ${seat.role} could not take its seat back: ${JSON.stringify(socket.frames).slice(0, 500)}, closed ${JSON.stringify(socket.close)}`,
      );
    }
    const answers = socket.frames.slice(0, index).flatMap((m) => (m.type === "error" ? [m.code] : []));
    const expected = prelude.map((f) => (f.verdict.ok ? "MESSAGE_INVALID" : f.verdict.error.code));
    if (answers.join() !== expected.join()) {
      this.problem(`${seat.role} before its hello`, `answered ${answers.join(", ")} to:\n${describeFrames(prelude)}`);
    }
    socket.drain();
    this.seated(seat, socket, welcome);
    this.report.reconnects++;
    return socket;
  }

  /** One seat's part of a round: back in its seat if it was closed, then a batch, a hello episode or its flood. */
  private async turn(seat: Seat, round: number): Promise<void> {
    const rng = this.rng(`${seat.role}/${round}`);
    if (!seat.socket?.isOpen) await this.join(seat, rng);
    if (round === FLOOD_ROUND[seat.role]) return this.flood(seat);
    if (rng.chance(0.06)) return this.helloEpisode(seat, rng);
    return this.batch(seat, rng);
  }

  /**
   * Sends a frame that the room refuses with a message naming its unique field, and waits for that answer (or the
   * close): everything sent before it on this socket has been answered then. A rate-limited barrier is sent again.
   */
  private async barrier(seat: Seat, socket: FuzzSocket, label: string): Promise<"answered" | "closed"> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const data = JSON.stringify({ type: "end", [`fuzzBarrier_${label}_${attempt}`.replaceAll("/", "_")]: true });
      const verdict = judge(data, this.max);
      const message = verdict.ok ? "" : verdict.error.message;
      const from = socket.frames.length;
      let answer: "answered" | "limited" | null = null;
      await seat.pacer.take();
      socket.send(data);
      await socket.until(() => {
        for (const msg of socket.frames.slice(from)) {
          if (msg.type !== "error") continue;
          if (msg.message === message) answer = "answered";
          else if (msg.code === "RATE_LIMITED" && msg.retryAfterS === undefined) answer ??= "limited";
        }
        return answer === "answered" || answer === "limited" || socket.close !== null;
      }, `the answer to barrier ${label}`);
      if (answer === "answered") return "answered";
      if (socket.close) return "closed";
      // The socket's bucket refills at WS_MESSAGES_PER_S: a second brings back enough for a barrier.
      await sleep(1_000);
    }
    throw new Error(`barrier ${label} was rate limited 20 times in a row`);
  }

  /** A batch of fuzz frames, then a barrier; the room must answer each refused frame with the parser's code. */
  private async batch(seat: Seat, rng: Rng): Promise<void> {
    const socket = seat.socket as FuzzSocket;
    const frames: FuzzFrame[] = [];
    const size = rng.between(1, 24);
    for (let i = 0; i < size; i++) {
      // Sometimes a replay of a well-formed frame sent earlier (a handshake round again, an old signal); never a
      // well-formed end, which would end the session this run fuzzes.
      const replay = seat.recent.length > 0 && rng.chance(0.08) ? rng.pick(seat.recent) : undefined;
      const frame = replay
        ? { ...replay, how: `replay of ${replay.how}` }
        : fuzzFrame(rng, seat.view(), this.max, (f) => !(f.verdict.ok && f.verdict.msg.type === "end"));
      frames.push(frame);
      if (frame.verdict.ok && !replay) {
        seat.recent.push(frame);
        if (seat.recent.length > 16) seat.recent.shift();
      }
      // Another protocol version closes the socket: nothing after it would be read.
      if (!frame.verdict.ok && frame.verdict.error.code === "UNSUPPORTED_VERSION") break;
    }
    socket.drain();
    for (const frame of frames) await this.send(seat, socket, frame.data, frame.verdict);
    this.report.frames += frames.length;
    const last = frames[frames.length - 1];
    const isClosing = last !== undefined && !last.verdict.ok && last.verdict.error.code === "UNSUPPORTED_VERSION";
    const outcome = isClosing
      ? await socket.until(() => socket.close !== null, "the close after UNSUPPORTED_VERSION").then(() => "closed")
      : await this.barrier(seat, socket, `${seat.role}_${this.report.rounds}`);
    const errors = socket.drain().flatMap((m) => (m.type === "error" ? [m] : []));
    const count = (code: ErrorCode) => errors.filter((e) => e.code === code).length;
    const predicted = (code: ErrorCode) => frames.filter((f) => !f.verdict.ok && f.verdict.error.code === code).length;
    const isRateLimited = errors.some((e) => e.code === "RATE_LIMITED" && e.retryAfterS === undefined);
    const where = `${seat.role} batch in round ${this.report.rounds}`;
    const report = () => `answered ${errors.map((e) => e.code).join(", ") || "nothing"} to:\n${describeFrames(frames)}`;
    if (socket.close) {
      this.recordClose(socket);
      const isExpected = socket.close.code === 1008 && (isClosing || isRateLimited);
      if (!isExpected) this.problem(where, `closed with ${JSON.stringify(socket.close)}; ${report()}`);
    } else if (isClosing) {
      this.problem(where, `not closed after UNSUPPORTED_VERSION; ${report()}`);
    }
    if (isRateLimited) return;
    // A well-formed hello (already said) or a confirmed pakeResult without a tag is refused as MESSAGE_INVALID too.
    const mayBeInvalid = frames.filter(
      (f) =>
        f.verdict.ok &&
        (f.verdict.msg.type === "hello" ||
          (f.verdict.msg.type === "pakeResult" && f.verdict.msg.ok && f.verdict.msg.tag === undefined)),
    ).length;
    const invalid = count("MESSAGE_INVALID") - (outcome === "answered" ? 1 : 0);
    const isWrong =
      count("MESSAGE_TOO_LARGE") !== predicted("MESSAGE_TOO_LARGE") ||
      count("UNSUPPORTED_VERSION") !== predicted("UNSUPPORTED_VERSION") ||
      invalid < predicted("MESSAGE_INVALID") ||
      invalid > predicted("MESSAGE_INVALID") + mayBeInvalid;
    if (isWrong) this.problem(where, report());
  }

  /**
   * A second socket for `seat` says a hello, well formed or mutated; the outcome must be the one its proofs call for:
   * a technician is seated again by identity, a customer only with the session's seat key and its latest token.
   */
  private async helloEpisode(seat: Seat, rng: Rng): Promise<void> {
    this.report.helloEpisodes++;
    const socket = await this.open(seat, JOINING_CODES);
    let data: Payload;
    let how: string;
    if (rng.chance(0.6)) {
      const resume = rng.weighted<string | undefined>([
        [3, seat.resume],
        [1, seat.oldResumes[seat.oldResumes.length - 1] ?? seat.resume],
        [1, seat.other.resume],
        [1, base64urlText(rng, 43)],
        [1, undefined],
      ]);
      const seatKey =
        seat.role === "customer"
          ? rng.weighted<string | undefined>([
              [3, seat.seatKey],
              [1, base64urlText(rng, 43)],
              [1, undefined],
            ])
          : undefined;
      how = "structured hello";
      data = JSON.stringify({
        type: "hello",
        version: 1,
        ...(resume ? { resume } : {}),
        ...(seatKey ? { seatKey } : {}),
      });
    } else {
      const mutated = fuzzPayload(rng, helloFrame(rng, seat.view()), { maxBytes: this.max });
      how = mutated.how;
      data = mutated.data;
    }
    const verdict = judge(data, this.max);
    let expected: { code: ErrorCode; closes: boolean } | "welcome";
    if (!verdict.ok) expected = { code: verdict.error.code, closes: verdict.error.code === "UNSUPPORTED_VERSION" };
    else if (verdict.msg.type !== "hello") expected = { code: "MESSAGE_INVALID", closes: false };
    else if (seat.role === "technician") expected = "welcome";
    else if (verdict.msg.seatKey !== seat.seatKey) expected = { code: "SEAT_KEY_INVALID", closes: true };
    else if (verdict.msg.resume !== seat.resume) expected = { code: "SEAT_TAKEN", closes: true };
    else expected = "welcome";
    socket.send(data);
    this.report.frames++;
    const where = `${seat.role} hello episode in round ${this.report.rounds} [${how}] ${clip(typeof data === "string" ? data : `<${data.length} bytes>`, 300)}`;
    await socket.until(() => socket.frames.length > 0 || socket.close !== null, "the answer to a hello");
    const first = socket.frames[0];
    if (expected === "welcome") {
      if (first?.type !== "welcome") {
        this.problem(where, `expected a welcome, got ${JSON.stringify(first)} ${JSON.stringify(socket.close)}`);
        await socket.end();
        return;
      }
      socket.drain();
      this.seated(seat, socket, first);
      return;
    }
    if (first?.type !== "error" || first.code !== expected.code) {
      this.problem(where, `expected ${expected.code}, got ${JSON.stringify(first)} ${JSON.stringify(socket.close)}`);
    }
    if (expected.closes) {
      await socket.until(() => socket.close !== null, "the close after a refused hello");
      this.recordClose(socket);
      if (socket.close?.code !== 1008) this.problem(where, `closed with ${JSON.stringify(socket.close)}, not 1008`);
      return;
    }
    // Still waiting for a hello: a proper one seats it, in place of the seat's socket.
    socket.sendJson(seat.hello());
    await socket.until(() => socket.frames.some((m) => m.type === "welcome") || socket.close !== null, "a welcome");
    const welcome = socket.frames.find((m) => m.type === "welcome");
    if (welcome?.type !== "welcome") {
      this.problem(where, `a proper hello afterwards was not welcomed: ${JSON.stringify(socket.frames).slice(0, 300)}`);
      await socket.end();
      return;
    }
    socket.drain();
    this.seated(seat, socket, welcome);
  }

  /** Sends far more than the socket's burst at once: refusals are RATE_LIMITED, and sustained abuse closes it (1008). */
  private async flood(seat: Seat): Promise<void> {
    const socket = seat.socket as FuzzSocket;
    const count = this.options.limits.messageBurst + 300;
    socket.drain();
    const from = socket.frames.length;
    for (let i = 0; i < count; i++) socket.send("{}");
    this.report.floodFrames += count;
    const answered = () => socket.frames.slice(from).filter((m) => m.type === "error").length;
    await socket.until(() => socket.close !== null || answered() >= count, "the answers to a flood");
    const codes = new Set(socket.drain().flatMap((m) => (m.type === "error" ? [m.code] : [])));
    const where = `${seat.role} flood in round ${this.report.rounds}`;
    for (const code of codes) {
      if (code !== "MESSAGE_INVALID" && code !== "RATE_LIMITED") this.problem(where, `answered ${code} to "{}"`);
    }
    if (socket.close) {
      this.recordClose(socket);
      // The room refuses the flood and closes with 1008. A close that crosses the flood still arriving can reach this
      // end as an abrupt one (1006): the server's TCP stack resets a connection closed with unread data, and the
      // close frame (with the refusals before it) is lost. Either way the host must live on, which is checked after.
      const isPolicyClose = socket.close.code === 1008 && codes.has("RATE_LIMITED");
      if (!isPolicyClose && socket.close.code !== 1006) {
        this.problem(where, `closed with ${JSON.stringify(socket.close)}, answers ${[...codes].join(", ")}`);
      }
      return;
    }
    await this.barrier(seat, socket, `${seat.role}_flood`);
    socket.drain();
  }

  /**
   * Between rounds, often: the technician starts a handshake and the customer confirms it, or the customer confirms
   * whatever attempt is open. This keeps the session's failed-handshake count, and so its waits, small.
   */
  private async confirm(rng: Rng): Promise<void> {
    const tech = this.tech.socket;
    const customer = this.customer.socket;
    if (!tech?.isOpen || !customer?.isOpen || rng.chance(0.5)) return;
    if (rng.chance(0.5)) {
      const mark = { tech: tech.frames.length, customer: customer.frames.length };
      await this.sendMessage(this.tech, tech, pake.start(this.customer.id));
      await waitFor(
        [tech, customer],
        () =>
          customer.frames.slice(mark.customer).some((m) => m.type === "pakeStart") ||
          tech.frames.slice(mark.tech).some((m) => m.type === "error") ||
          tech.close !== null ||
          customer.close !== null,
        "the start's relay or refusal",
      );
    }
    await this.sendMessage(this.customer, customer, pake.result(this.tech.id, true));
    if (customer.isOpen) await this.barrier(this.customer, customer, `confirm_${this.report.rounds}`);
  }

  /** Sends a well-formed message as the seat's page would. */
  private sendMessage(seat: Seat, socket: FuzzSocket, msg: ClientMessage): Promise<void> {
    return this.send(seat, socket, JSON.stringify(msg), { ok: true, msg });
  }

  /** Both seats back on fresh sockets: the roster, a handshake, relays both ways, the API's view, and the end. */
  private async finish(): Promise<void> {
    const { tech, customer } = this;
    const { server, owner } = this.options;
    const rng = this.rng("finish");
    // The technician's roster shows the customer connected: its socket must be open first.
    if (!customer.socket?.isOpen) await this.join(customer, rng, false);
    const t = await this.join(tech, rng, false);
    const c = await this.join(customer, rng, false);
    const roster = [
      { who: "technician", socket: t, peer: { id: customer.id, role: "customer", connected: true } },
      {
        who: "customer",
        socket: c,
        peer: { id: tech.id, role: "technician", name: owner.name, isOwner: true, connected: true },
      },
    ];
    for (const { who, socket, peer } of roster) {
      const welcome = socket.frames.find((m) => m.type === "welcome");
      const isRight =
        welcome?.type === "welcome" &&
        welcome.session.state === "connected" &&
        canonical(welcome.peers) === canonical([peer]);
      if (!isRight) this.problem(`after the fuzz, the ${who}'s welcome`, JSON.stringify(welcome));
    }
    for (const seat of [tech, customer]) {
      for (const socket of seat.replaced) {
        await socket.until(() => socket.close !== null, "a replaced socket's close");
        this.recordClose(socket);
        if (socket.close?.code !== 1000) this.problem(`${seat.role}'s replaced socket`, JSON.stringify(socket.close));
      }
    }

    // The handshake: a start waits out any failed attempts the fuzz left (the room says how long), then three rounds.
    for (let attempt = 0; ; attempt++) {
      const mark = { t: t.frames.length, c: c.frames.length };
      await this.sendMessage(tech, t, pake.start(customer.id));
      const isRelayed = () => c.frames.slice(mark.c).some((m) => m.type === "pakeStart");
      // Only a wait is a legitimate refusal now; any other error is checked as it arrives (observe).
      const wait = () => t.frames.slice(mark.t).find((m) => m.type === "error" && m.code === "HANDSHAKE_WAIT");
      await waitFor([t, c], () => isRelayed() || wait() !== undefined, "the final start's relay or HANDSHAKE_WAIT");
      if (isRelayed()) break;
      const error = wait();
      const waitS = error?.type === "error" ? error.retryAfterS : undefined;
      if (waitS === undefined || attempt >= 5) {
        throw new Error(`after the fuzz, the technician's start was refused: ${JSON.stringify(error)}`);
      }
      await sleep(waitS * 1_000);
    }
    await c.next("pakeStart");
    await this.sendMessage(customer, c, pake.reply(tech.id));
    await t.next("pakeReply");
    await this.sendMessage(tech, t, pake.finish(customer.id));
    await c.next("pakeFinish");
    await this.sendMessage(customer, c, pake.result(tech.id, true));
    const verdict = await t.next("pakeResult");
    if (!verdict.ok) this.problem("after the fuzz, the handshake", JSON.stringify(verdict));

    const candidate = { candidate: "candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host", sdpMid: "0" };
    const signals: [
      Seat,
      FuzzSocket,
      FuzzSocket,
      Extract<ClientMessage, { type: "offer" | "answer" | "candidate" }>,
    ][] = [
      [customer, c, t, { type: "offer", to: tech.id, sdp: "v=0 after the fuzz" }],
      [tech, t, c, { type: "answer", to: customer.id, sdp: "v=0 answer after the fuzz" }],
      [customer, c, t, { type: "candidate", to: tech.id, candidate }],
      [tech, t, c, { type: "candidate", to: customer.id, candidate: null }],
    ];
    for (const [from, socket, peerSocket, msg] of signals) {
      await this.sendMessage(from, socket, msg);
      const got = await peerSocket.next(msg.type);
      if (receivedForm(got) !== relayedForm(msg, from.id)) {
        this.problem("after the fuzz, a relay", `sent ${JSON.stringify(msg)}, got ${JSON.stringify(got)}`);
      }
    }

    const proof = { [SEAT_PROOF_HEADER]: this.customerKeyHash };
    const described = await fetch(`${server.origin}/api/sessions/${this.code}`, { headers: proof });
    const session = (await described.json()) as SessionSummary;
    const isDescribed =
      described.status === 200 &&
      session.state === "connected" &&
      session.technician?.name === owner.name &&
      session.caseNumber === "FUZZ-1";
    if (!isDescribed) {
      this.problem("after the fuzz, GET /api/sessions/:code", `${described.status} ${JSON.stringify(session)}`);
    }
    const listed = await fetch(`${server.origin}/api/sessions`, { headers: { cookie: owner.cookie } });
    const codes = ((await listed.json()) as { sessions: { code: string }[] }).sessions.map((s) => s.code);
    if (!codes.includes(this.code)) this.problem("after the fuzz, GET /api/sessions", `does not list ${this.code}`);

    this.isEnding = true;
    await this.sendMessage(customer, c, { type: "end" });
    for (const socket of [t, c]) {
      const ended = await socket.next("ended");
      await socket.until(() => socket.close !== null, "the close after the end");
      if (ended.reason !== "ended_by_customer" || socket.close?.code !== 1000) {
        this.problem("after the fuzz, the end", `${JSON.stringify(ended)} ${JSON.stringify(socket.close)}`);
      }
    }
    const gone = await fetch(`${server.origin}/api/sessions/${this.code}`, { headers: proof });
    if (gone.status !== 410) this.problem("after the end, GET /api/sessions/:code", String(gone.status));
  }
}
