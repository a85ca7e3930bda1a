import type { IceCandidate } from "#protocol/room.ts";
import type { DataChannelInit, DataChannelLike } from "../../../core/channels.ts";

// What PeerLink needs of a peer connection, and nothing more: the browser's RTCPeerConnection is one, and the native
// agent brings its own (werift behind an adapter). Events come through addEventListener, as in the browser.

/** A description to set: an offer or answer as made (or received), or a rollback of an unanswered offer. */
export type DescriptionInit = { type: "offer" | "answer" | "pranswer" | "rollback"; sdp?: string };

/** A gathered candidate, as the icecandidate event carries it. */
export type GatheredCandidate = {
  readonly type: string | null;
  readonly candidate: string;
  readonly sdpMid: string | null;
  readonly sdpMLineIndex: number | null;
  readonly usernameFragment: string | null;
};

/** The DTLS transport, where the runtime lets one read the far end's certificates (DER). */
export type DtlsTransportLike = { getRemoteCertificates?(): ArrayBuffer[] };

/** A transceiver as voice uses it: its direction, the track it sends and the kind it receives. */
export type TransceiverLike = {
  direction: string;
  readonly sender: { replaceTrack(track: MediaStreamTrack | null): Promise<void> };
  readonly receiver: { readonly track: { readonly kind: string } };
};

/** The connection states PeerLink listens for; each event is read back from the connection itself. */
export type StateEvent = "icegatheringstatechange" | "iceconnectionstatechange" | "connectionstatechange";

/** What PeerLink needs of a peer connection. */
export interface PeerConnectionLike {
  readonly signalingState: string;
  readonly iceGatheringState: string;
  readonly iceConnectionState: string;
  readonly connectionState: string;
  readonly localDescription: { readonly sdp: string } | null;
  readonly remoteDescription: { readonly sdp: string } | null;
  readonly sctp: { readonly transport: DtlsTransportLike } | null;
  createDataChannel(label: string, init: DataChannelInit): DataChannelLike;
  createOffer(options: { iceRestart: boolean }): Promise<DescriptionInit>;
  createAnswer(): Promise<DescriptionInit>;
  setLocalDescription(description: DescriptionInit): Promise<void>;
  setRemoteDescription(description: { type: "offer" | "answer"; sdp: string }): Promise<void>;
  addIceCandidate(candidate: IceCandidate): Promise<void>;
  addTransceiver(kind: "audio", init: { direction: "sendrecv" }): TransceiverLike;
  getTransceivers(): TransceiverLike[];
  getReceivers(): { readonly transport: DtlsTransportLike | null }[];
  getConfiguration(): { iceTransportPolicy?: string };
  close(): void;
  addEventListener(type: "icecandidate", listener: (event: { candidate: GatheredCandidate | null }) => void): void;
  /** The event carries the STUN or TURN error code (errorCode) where the runtime reports one. */
  addEventListener(type: "icecandidateerror", listener: (event: unknown) => void): void;
  addEventListener(type: StateEvent, listener: () => void): void;
  addEventListener(type: "track", listener: (event: { track: MediaStreamTrack }) => void): void;
}
