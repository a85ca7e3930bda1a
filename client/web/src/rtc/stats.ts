/** One sample of a connection's figures; null where the browser has nothing yet. */
export type LinkStats = {
  /** Direct (host, server- or peer-reflexive on both ends) or through a TURN relay. */
  route: "direct" | "relayed" | null;
  /** How this end reaches its relay, when this end's candidate is one: "udp", "tcp" or "tls" (TURN over TLS). */
  relayProtocol: "udp" | "tcp" | "tls" | null;
  rttMs: number | null;
  fps: number | null;
  kbps: number | null;
  width: number | null;
  height: number | null;
  /** Frames decoded (receiving) or sent (sending) so far. */
  frames: number | null;
  /** Packets lost since the previous sample, in percent. */
  lossPercent: number | null;
  /** The video codec in use, without its "video/" prefix: "VP9". */
  codec: string | null;
};

export type Quality = "good" | "fair" | "poor";

// RTCStatsReport values are loosely typed dictionaries; these are the fields read here.
type Stat = {
  id: string;
  type: string;
  kind?: string;
  selectedCandidatePairId?: string;
  state?: string;
  nominated?: boolean;
  localCandidateId?: string;
  remoteCandidateId?: string;
  candidateType?: string;
  relayProtocol?: string;
  currentRoundTripTime?: number;
  framesPerSecond?: number;
  framesDecoded?: number;
  framesSent?: number;
  bytesReceived?: number;
  bytesSent?: number;
  frameWidth?: number;
  frameHeight?: number;
  packetsLost?: number;
  packetsReceived?: number;
  fractionLost?: number;
  codecId?: string;
  mimeType?: string;
  timestamp: number;
};

function selectedPair(stats: Map<string, Stat>): Stat | undefined {
  for (const stat of stats.values()) {
    if (stat.type === "transport" && stat.selectedCandidatePairId) return stats.get(stat.selectedCandidatePairId);
  }
  for (const stat of stats.values()) {
    if (stat.type === "candidate-pair" && stat.state === "succeeded" && stat.nominated) return stat;
  }
  return undefined;
}

function find(stats: Map<string, Stat>, type: string): Stat | undefined {
  for (const stat of stats.values()) if (stat.type === type && stat.kind === "video") return stat;
  return undefined;
}

/** Samples one RTCPeerConnection's video figures; rates are over the time since the previous sample. */
export class StatsSampler {
  #previous: { bytes: number; lost: number; received: number; at: number } | null = null;
  readonly #pc: RTCPeerConnection;
  readonly #isInbound: boolean;

  constructor(pc: RTCPeerConnection, direction: "inbound" | "outbound") {
    this.#pc = pc;
    this.#isInbound = direction === "inbound";
  }

  async sample(): Promise<LinkStats> {
    const report = await this.#pc.getStats();
    const stats = new Map<string, Stat>();
    report.forEach((value: Stat) => {
      stats.set(value.id, value);
    });

    const pair = selectedPair(stats);
    const local = pair?.localCandidateId ? stats.get(pair.localCandidateId) : undefined;
    const remote = pair?.remoteCandidateId ? stats.get(pair.remoteCandidateId) : undefined;
    const route =
      local && remote
        ? local.candidateType === "relay" || remote.candidateType === "relay"
          ? "relayed"
          : "direct"
        : null;
    const relayProtocol =
      local?.candidateType === "relay" &&
      (local.relayProtocol === "udp" || local.relayProtocol === "tcp" || local.relayProtocol === "tls")
        ? local.relayProtocol
        : null;
    const rttMs = pair?.currentRoundTripTime === undefined ? null : Math.round(pair.currentRoundTripTime * 1000);

    const isInbound = this.#isInbound;
    const rtp = find(stats, isInbound ? "inbound-rtp" : "outbound-rtp");
    const bytes = (isInbound ? rtp?.bytesReceived : rtp?.bytesSent) ?? 0;
    // Sending, losses are what the far end reports back.
    const remoteReport = isInbound ? undefined : find(stats, "remote-inbound-rtp");
    const lost = (isInbound ? rtp?.packetsLost : remoteReport?.packetsLost) ?? 0;
    const received = isInbound ? (rtp?.packetsReceived ?? 0) : 0;
    const at = rtp?.timestamp ?? performance.now();

    let kbps: number | null = null;
    let lossPercent: number | null = null;
    const previous = this.#previous;
    if (rtp && previous && at > previous.at) {
      kbps = Math.round(((bytes - previous.bytes) * 8) / (at - previous.at));
      const lostNow = Math.max(0, lost - previous.lost);
      const total = lostNow + Math.max(0, received - previous.received);
      if (isInbound) lossPercent = total > 0 ? (lostNow / total) * 100 : 0;
    }
    if (!isInbound && remoteReport?.fractionLost !== undefined) lossPercent = remoteReport.fractionLost * 100;
    this.#previous = rtp ? { bytes, lost, received, at } : null;

    return {
      route,
      relayProtocol,
      rttMs,
      fps: rtp?.framesPerSecond ?? (rtp ? 0 : null),
      kbps,
      width: rtp?.frameWidth ?? null,
      height: rtp?.frameHeight ?? null,
      frames: (isInbound ? rtp?.framesDecoded : rtp?.framesSent) ?? null,
      lossPercent,
      codec: rtp?.codecId ? (stats.get(rtp.codecId)?.mimeType?.replace(/^video\//, "") ?? null) : null,
    };
  }
}

/** A plain rating from round trip and loss; null until there is a round trip to judge. */
export function rateQuality(stats: LinkStats): Quality | null {
  if (stats.rttMs === null) return null;
  const loss = stats.lossPercent ?? 0;
  if (stats.rttMs < 150 && loss < 2) return "good";
  if (stats.rttMs < 400 && loss < 8) return "fair";
  return "poor";
}
