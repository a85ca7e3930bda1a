import type { BrowserContext, Page } from "playwright-core";

/**
 * Runs in the page before its own scripts: keeps every RTCPeerConnection it makes on `window.peerConnections`, for
 * getStats from a test. Serialised by the browser driver, so it must stand alone.
 */
export function keepPeerConnectionsInPage(): void {
  const Native = RTCPeerConnection;
  const made: RTCPeerConnection[] = [];
  Object.assign(window, { peerConnections: made });
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      made.push(this);
    }
  };
}

/** Keeps every RTCPeerConnection the context's pages make on `window.peerConnections`, for getStats from a test. */
export async function keepPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(keepPeerConnectionsInPage);
}

/** The newest connection's selected candidate pair, seen from this end, and its decoded video frames. */
export type SelectedRoute = {
  localType: string | null;
  remoteType: string | null;
  /** For a local relay candidate: how this end reaches the relay ("udp", "tcp" or "tls"). */
  relayProtocol: string | null;
  framesDecoded: number;
};

export function selectedRoute(page: Page): Promise<SelectedRoute> {
  return page.evaluate(async () => {
    const made = (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections;
    const pc = made.at(-1);
    const stats = new Map<string, Record<string, unknown>>();
    (await pc?.getStats())?.forEach((s: Record<string, unknown>) => {
      stats.set(String(s.id), s);
    });
    const all = [...stats.values()];
    const transport = all.find((s) => s.type === "transport" && s.selectedCandidatePairId);
    const pair = transport ? stats.get(String(transport.selectedCandidatePairId)) : undefined;
    const local = pair ? stats.get(String(pair.localCandidateId)) : undefined;
    const remote = pair ? stats.get(String(pair.remoteCandidateId)) : undefined;
    const video = all.find((s) => s.type === "inbound-rtp" && s.kind === "video");
    return {
      localType: (local?.candidateType as string | undefined) ?? null,
      remoteType: (remote?.candidateType as string | undefined) ?? null,
      relayProtocol: (local?.relayProtocol as string | undefined) ?? null,
      framesDecoded: Number(video?.framesDecoded ?? 0),
    };
  });
}

/** The newest connection's video sender: whether it carries a track, and how many frames it has sent so far. */
export type VideoSending = { hasTrack: boolean; framesSent: number };

export function videoSending(page: Page): Promise<VideoSending> {
  return page.evaluate(async () => {
    const made = (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections;
    const pc = made.at(-1);
    // Through the transceiver: a sender without a track no longer says what kind it is.
    const sender = pc?.getTransceivers().find((t) => t.receiver.track.kind === "video")?.sender;
    let framesSent = 0;
    (await sender?.getStats())?.forEach((s: Record<string, unknown>) => {
      if (s.type === "outbound-rtp") framesSent += Number(s.framesSent ?? 0);
    });
    return { hasTrack: Boolean(sender?.track), framesSent };
  });
}

/** The ICE username fragment of the newest connection's local description: an ICE restart offers a new one. */
export function localIceUfrag(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const made = (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections;
    return /^a=ice-ufrag:(\S+)/m.exec(made.at(-1)?.localDescription?.sdp ?? "")?.[1] ?? null;
  });
}

/** The newest connection's received audio: packets, and the energy of what was heard (0 for silence). */
export function audioReceived(page: Page): Promise<{ packets: number; energy: number }> {
  return page.evaluate(async () => {
    const made = (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections;
    let packets = 0;
    let energy = 0;
    (await made.at(-1)?.getStats())?.forEach((s: Record<string, unknown>) => {
      if (s.type !== "inbound-rtp" || s.kind !== "audio") return;
      packets += Number(s.packetsReceived ?? 0);
      energy += Number(s.totalAudioEnergy ?? 0);
    });
    return { packets, energy };
  });
}
