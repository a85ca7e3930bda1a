import type { BrowserContext, Page } from "playwright-core";

/** Keeps every RTCPeerConnection the context's pages make on `window.peerConnections`, for getStats from a test. */
export async function keepPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Native = RTCPeerConnection;
    const made: RTCPeerConnection[] = [];
    Object.assign(window, { peerConnections: made });
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        made.push(this);
      }
    };
  });
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
    (await pc?.getStats())?.forEach((s: Record<string, unknown>) => stats.set(String(s.id), s));
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
