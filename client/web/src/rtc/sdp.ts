/** The first ICE username fragment in an SDP: it changes when, and only when, ICE restarts. */
export function iceUfrag(sdp: string): string | null {
  return /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] ?? null;
}
