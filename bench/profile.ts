import { parseClientMessage } from "#protocol/room.ts";
import { dispatch } from "../durable-objects/session/dispatch.ts";
import { checkFlood, newFloodState } from "../durable-objects/session/flood.ts";
import { join } from "../durable-objects/session/seats.ts";
import { createRoom } from "../durable-objects/session/state.ts";
import { SAMPLE_CANDIDATE, sampleSdp } from "./samples.ts";
import { median } from "./stats.ts";

// Micro-benchmarks of what the room does with one frame in JavaScript, in Node (V8, the engine workerd embeds):
// to tell how much of a relayed message's cost is ours before anyone optimizes it.

/** Microseconds per call of each step, median over several timed runs. */
export type RelayProfile = Record<string, { us: number; what: string }>;

/** Median µs per call of `fn` over `runs` runs of `iterations` calls, after a warm-up run. */
function timePerCall(fn: () => unknown, iterations: number, runs: number): number {
  let sink = 0;
  for (let i = 0; i < iterations; i++) if (fn()) sink++;
  const perRun: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    for (let i = 0; i < iterations; i++) if (fn()) sink++;
    perRun.push(((performance.now() - started) * 1000) / iterations);
  }
  if (sink < 0) throw new Error("unreachable");
  return median(perRun);
}

/** Times parsing and the room's pure relay path for an offer (2.4 kB SDP) and an ICE candidate. */
export function profileRelay(options: { iterations: number; runs: number }): RelayProfile {
  const { iterations, runs } = options;
  const now = Date.now();
  const room = createRoom(
    {
      code: "123456789",
      owner: { id: "tech", name: "Bench technician" },
      customerKeyHash: "k".repeat(43),
      organisation: "Tether",
      caseNumber: null,
      lifetimeS: 3_600,
      idleS: 900,
      graceS: 60,
      signInCheckS: 60,
      claimTimeoutS: 600,
      rejoinPerMin: 6,
      limits: { maxMessageBytes: 65_536, messagesPerS: 100_000, messageBurst: 100_000 },
      handshake: { backoffBaseS: 2, backoffCapS: 7_200, perMinute: 10 },
    },
    now,
  );
  const technician = { participantId: "techSeat", token: "t".repeat(43), tokenHash: "h".repeat(43) };
  const customer = { participantId: "custSeat", token: "u".repeat(43), tokenHash: "i".repeat(43) };
  const proof = { resumeHash: null, seatKeyHash: "k".repeat(43) };
  const seated = join(
    room,
    { role: "technician", technicianId: "tech", name: "Bench technician" },
    proof,
    technician,
    now,
  );
  join(room, { role: "customer" }, proof, customer, now);
  // As the customer's confirmation of the technician's handshake leaves it: signals pass only then.
  if (seated.ok) seated.seat.isVerified = true;
  const offer = JSON.stringify({ type: "offer", to: "techSeat", sdp: sampleSdp("offer") });
  const candidate = JSON.stringify({ type: "candidate", to: "techSeat", candidate: SAMPLE_CANDIDATE });
  const flood = newFloodState();
  // What SessionRoom.webSocketMessage does in JavaScript for one frame, minus the runtime's own work.
  const relay = (frame: string) => () => {
    const at = Date.now();
    if (checkFlood(flood, room.limits, at) !== "ok") flood.messages = undefined;
    const parsed = parseClientMessage(frame, room.limits.maxMessageBytes);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const effects = dispatch(room, "custSeat", parsed.msg, at);
    return effects.send.map(({ msg }) => JSON.stringify(msg)).length;
  };
  const time = (fn: () => unknown) => timePerCall(fn, iterations, runs);
  return {
    json_parse_offer: { us: time(() => JSON.parse(offer)), what: "JSON.parse of the offer frame alone" },
    parse_offer: {
      us: time(() => parseClientMessage(offer, 65_536)),
      what: "parseClientMessage(offer): size check, JSON.parse, zod schema",
    },
    relay_offer: {
      us: time(relay(offer)),
      what: "flood check + parseClientMessage + dispatch + JSON.stringify of the relayed offer",
    },
    json_parse_candidate: { us: time(() => JSON.parse(candidate)), what: "JSON.parse of the candidate frame alone" },
    parse_candidate: { us: time(() => parseClientMessage(candidate, 65_536)), what: "parseClientMessage(candidate)" },
    relay_candidate: { us: time(relay(candidate)), what: "the whole pure relay path for one candidate" },
  };
}
