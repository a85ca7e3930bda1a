/** The session id of an SDP's origin line (RFC 4566 `o=`): fixed for one RTCPeerConnection, new for a new one. */
export function sdpSessionId(sdp: string): string | null {
  return /^o=\S+ (\S+) /m.exec(sdp)?.[1] ?? null;
}

/** The first ICE username fragment in an SDP: it changes when, and only when, ICE restarts. */
export function iceUfrag(sdp: string): string | null {
  return /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] ?? null;
}
