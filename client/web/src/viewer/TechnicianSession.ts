import { assertNever } from "#protocol/assert-never.ts";
import type {
  ControlMessage,
  Screens,
  SharingState,
  StrokeColour,
  Surface,
  TabZoom,
  ZoomStep,
} from "#protocol/control.ts";
import type { ErrorCode } from "#protocol/errors.ts";
import type { EndReason, Peer, ServerMessage } from "#protocol/room.ts";
import { Annotations } from "../../../core/annotations.ts";
import type { InputWithoutSeq } from "../../../core/channels.ts";
import { type ChatEntry, ChatLog, type ChatRefusal } from "../../../core/chat.ts";
import { FileTransfers, type OfferRefusal, type Transfer } from "../../../core/file-transfer.ts";
import { isSameFingerprint } from "../../../core/fingerprint.ts";
import type { HandshakeConfirmed } from "../../../core/handshake.ts";
import { inviteKeyHash, inviteKeyOf } from "../../../core/link-secret.ts";
import type { ApiErrorCode } from "../lib/api.ts";
import { ExpiryWarning } from "../lib/expiry-warning.ts";
import { type LocalCertificate, newCertificate } from "../rtc/certificate.ts";
import { applyIceServers, IceServers, type RelaySetting } from "../rtc/ice-servers.ts";
import { interceptNotice, isInterceptNotice } from "../rtc/intercept-notice.ts";
import { type LinkState, PeerLink, type RelayFailure } from "../rtc/PeerLink.ts";
import { type Roster, updateRoster } from "../rtc/roster.ts";
import { SignalingClient, type SignalingError, type SignalingStatus } from "../rtc/signaling.ts";
import { type LinkStats, StatsSampler } from "../rtc/stats.ts";
import { fileSource, openMicrophone, transferActions } from "../rtc/together.ts";
import { type CheckStatus, CustomerCheck, type TechnicianSecret } from "./CustomerCheck.ts";

export type { CheckStatus, TechnicianSecret } from "./CustomerCheck.ts";

/** Why the viewer's session ended, as data; the viewer words it. */
export type ViewerEnd =
  | { reason: EndReason }
  /** The customer ended it before their page ever said it shared anything: Don't allow, a refusal. */
  | { reason: "declined" }
  /** The customer's end showed a certificate other than the authenticated one, here or on their page. */
  | { reason: "intercepted" }
  /** The technician said the verification code does not match. */
  | { reason: "codeMismatch" }
  /** The room refused this console for good (NOT_OWNER, SESSION_ENDED, another tab took the seat...). */
  | { reason: "refused"; code: SignalingError["code"]; message: string }
  /** This browser cannot make the certificate a secure connection needs. */
  | { reason: "unsupported" };

/** Something the viewer should tell the technician, as data. */
export type ViewerNotice =
  /** No relay servers: only a direct connection can be tried (why, as a code). */
  | { code: "noRelay"; error: ApiErrorCode }
  /** An error the room reported: its code, and its English message for diagnosis. */
  | { code: "server"; error: ErrorCode; message: string };

/** The verification code of the confirmed handshake, and whether the technician said the customer reads the same. */
export type Verification = { code: string; isMatched: boolean };

/** Everything the technician's viewer shows; rendered whole after every change. */
export type ViewerState = {
  code: string;
  /** When the session's lifetime ends; null until the room said. */
  expiresAt: number | null;
  /** Within EXPIRY_WARNING_MS of `expiresAt`: the viewer warns and offers to extend. */
  isExpiring: boolean;
  /** Whether the admin's limit may allow another extension (false once the room said it does not). */
  canExtend: boolean;
  customer: Peer | null;
  /** When a dropped customer's seat is released, if they dropped. */
  customerRejoinBy: number | null;
  /** Where the check that the customer's page holds the session's secret stands. */
  check: CheckStatus;
  /** Whether this console holds a link's secret, a typed password, or neither yet. */
  secretKind: TechnicianSecret["kind"] | null;
  /** Set once the customer's page proved the secret. */
  verification: Verification | null;
  /** What the customer says they share; null until their page says anything. */
  sharing: SharingState | null;
  surface: Surface;
  stream: MediaStream | null;
  link: LinkState | null;
  stats: LinkStats | null;
  iceRestarts: number;
  /** The relay the server hands out, if any; null until the ICE servers are in. */
  relay: RelaySetting;
  /** Relay-only, and no relay could be reached: the connection cannot start. */
  relayFailure: RelayFailure | null;
  signaling: SignalingStatus;
  ended: ViewerEnd | null;
  notice: ViewerNotice | null;
  /** The chat with the customer, oldest first, and how many of theirs this page has not shown yet. */
  chat: readonly ChatEntry[];
  unread: number;
  /** Files both ways, oldest first. */
  files: readonly Transfer[];
  /** The customer's voice, when their microphone is on the connection. */
  voice: MediaStreamTrack | null;
  /** This technician's microphone, while it is on (a recording mixes it with the customer's voice). */
  microphone: MediaStreamTrack | null;
  /** Whether the customer allows recording now; null while their page has said nothing (recording is off). */
  recordingConsent: boolean | null;
  /** What the customer's page last said of zooming the browser tab it shares; null where it says nothing. */
  tabZoom: TabZoom | null;
  /**
   * Whether the person at the customer's machine lets this technician use its mouse and keyboard (their native agent
   * says so); null where nothing can be controlled (a customer's page, or no connection).
   */
  remoteControl: boolean | null;
  /**
   * Whether this technician asked the customer's page for control (askControl) on the current connection: the page
   * then offers its person the native agent, whose own connection replaces this one.
   */
  isControlAsked: boolean;
  /** The customer's machine's screens and the one shown (their native agent says so); null where there is no choice. */
  screens: Screens | null;
  /** Whether this technician owns the session (false: a colleague the owner invited); null until seated. */
  isOwner: boolean | null;
  /** The other technicians the customer let in: the owner may hand the session to one of them. */
  colleagues: readonly Peer[];
};

/** The customer's page whose handshake confirmed, and the verification code shown for it. */
type Trusted = { customerId: string; confirmed: HandshakeConfirmed; verification: Verification };

/**
 * A technician's side of one session: the seat, the handshake that proves the customer's page holds the session's
 * secret (and this console too), the answering end of the customer's connection (only from that page, only with its
 * authenticated certificate), the customer's sharing state from the `control` channel, and live figures from
 * getStats once a second.
 */
export class TechnicianSession {
  readonly #signaling: SignalingClient;
  readonly #onChange: (state: ViewerState) => void;
  readonly #check: CustomerCheck;
  #state: ViewerState;
  #roster: Roster = [];
  #trusted: Trusted | null = null;
  #certificate: LocalCertificate | null = null;
  #link: PeerLink | null = null;
  /** Whether the customer's page ever offered or said what it shares (only after Allow): an end before is a refusal. */
  #hasCustomerShared = false;
  readonly #expiry = new ExpiryWarning((isExpiring) => this.#update({ isExpiring }));
  #sampler: StatsSampler | null = null;
  #statsTimer: ReturnType<typeof setInterval> | undefined;
  /** Offers and candidates are handled in order, each once the ICE servers are in. */
  #signals: Promise<void> = Promise.resolve();
  readonly #ice: IceServers;
  /** This technician's microphone, while it is on. */
  #mic: MediaStreamTrack | null = null;
  /** The colleagues' invite key of this session's link (link-secret.ts), when this console holds the link's secret. */
  readonly #inviteKey: string | null;
  readonly #chat = new ChatLog(
    (msg) => this.#link?.sendControl(msg),
    () => Date.now(),
    () => this.#chatChanged(),
  );
  /**
   * A colleague's viewer: the owner's messages to the customer, which the customer's page passes on. Read along, never
   * answered: what this page has read of them is the owner's to say, so nothing is sent.
   */
  readonly #ownerChat = new ChatLog(
    () => {},
    () => Date.now(),
    () => this.#chatChanged(),
  );
  readonly #files = new FileTransfers(
    {
      sendControl: (msg) => this.#link?.sendControl(msg) ?? false,
      sendChunk: (chunk) => this.#link?.channels.sendFileChunk(chunk) ?? false,
      room: () => this.#link?.channels.fileRoom() ?? Promise.resolve(false),
      endTransfer: (id) => this.#link?.channels.endTransfer(id),
    },
    false,
    () => this.#ice.maxFileBytes,
    () => Date.now(),
    () => this.#update({ files: this.#files.transfers }),
  );
  /** This technician's pointer and drawings, as the customer sees them over the picture (a colleague: the owner's). */
  readonly annotations = new Annotations();
  /** Runs when drawings arrived from the far end. */
  onAnnotations: () => void = () => {};

  /** `secret` is memory only — never stored here, never sent: the handshake proves it without revealing it. */
  constructor(code: string, secret: TechnicianSecret | null, onChange: (state: ViewerState) => void) {
    this.#onChange = onChange;
    this.#check = new CustomerCheck(code, secret, {
      send: (msg) => this.#signaling.send(msg),
      onStatus: (check) => this.#update({ check, secretKind: this.#check.secretKind }),
      onConfirmed: (customerId, confirmed) => this.#confirmed(customerId, confirmed),
    });
    this.#state = {
      code,
      expiresAt: null,
      isExpiring: false,
      canExtend: true,
      customer: null,
      customerRejoinBy: null,
      check: this.#check.status,
      secretKind: secret?.kind ?? null,
      verification: null,
      sharing: null,
      surface: "unknown",
      stream: null,
      link: null,
      stats: null,
      iceRestarts: 0,
      relay: null,
      relayFailure: null,
      signaling: "connecting",
      ended: null,
      notice: null,
      chat: [],
      unread: 0,
      files: [],
      voice: null,
      microphone: null,
      recordingConsent: null,
      tabZoom: null,
      remoteControl: null,
      isControlAsked: false,
      screens: null,
      isOwner: null,
      colleagues: [],
    };
    // A link's secret also makes the key that seats this console as a colleague, should the owner have invited it.
    const inviteKey = secret?.kind === "link" ? inviteKeyOf(secret.prs) : null;
    this.#inviteKey = inviteKey;
    this.#signaling = new SignalingClient({
      code,
      role: "technician",
      ...(inviteKey ? { inviteKey } : {}),
      onMessage: (msg) => this.#receive(msg),
      onStatus: (status, error) => {
        if (status !== "open") this.#check.unseated();
        if (status === "closed" && error) this.#finish({ reason: "refused", ...error });
        this.#update({ signaling: status });
      },
    });
    // The sign-in cookie is the technician's right to the session's ICE servers.
    this.#ice = new IceServers(
      code,
      {},
      (config) => {
        if (this.#link) applyIceServers(this.#link.pc, config);
        this.#update({ relay: this.#ice.relay });
      },
      (error) => this.#update({ notice: { code: "noRelay", error } }),
    );
  }

  /** Takes the seat; the certificate is made meanwhile, and the ICE servers fetched, all at once. */
  start(): void {
    this.#update({});
    this.#signaling.start();
    newCertificate().then(
      (certificate) => {
        this.#certificate = certificate;
        this.#check.setCertificate(certificate);
      },
      () => this.#finish({ reason: "unsupported" }),
    );
  }

  /** The technician typed the customer's password (again), or asks to try the session's secret once more. */
  retry(secret?: TechnicianSecret): void {
    this.#check.retry(secret);
  }

  /** The customer read the same four words. */
  confirmCode(): void {
    const trusted = this.#trusted;
    if (!trusted) return;
    trusted.verification = { ...trusted.verification, isMatched: true };
    this.#update({ verification: trusted.verification });
  }

  /** Shows the customer where this technician points on the picture (0–1), or that the pointer left it. */
  point(x: number, y: number, isAway: boolean): void {
    this.annotations.pointer(x, y, isAway, Date.now());
    this.#link?.channels.sendPointer({ type: "pointer", x, y, ...(isAway ? { isAway } : {}) });
  }

  /** Adds points to stroke `id`, here and on the customer's page; `isEnd`: the pen lifted. */
  draw(id: number, colour: StrokeColour, points: [number, number][], isEnd: boolean): void {
    this.annotations.stroke(id, colour, points, isEnd, Date.now());
    this.#link?.sendControl({ type: "stroke", id, colour, points, isEnd });
  }

  /** Wipes every drawing, here and on the customer's page. */
  clearDrawing(): void {
    this.annotations.clear();
    this.#link?.sendControl({ type: "clearDrawing" });
  }

  /**
   * A click, key or wheel for the customer's machine, on the input channel; the agent acts on it only while the person
   * there allows control. False when the channel is not open.
   */
  sendInput(msg: InputWithoutSeq): boolean {
    return this.#link?.channels.sendInput(msg) ?? false;
  }

  /** Sends a chat message (or text for their clipboard) to the customer; a refusal says why nothing was sent. */
  say(text: string, isClipboard = false): ChatRefusal | null {
    return this.#chat.say(text, isClipboard);
  }

  /** The technician has seen the customer's messages. */
  markChatRead(): void {
    this.#chat.markRead();
    this.#ownerChat.markRead();
  }

  /** Both logs as one, in the order their messages arrived here. */
  #chatChanged(): void {
    const owner = this.#ownerChat.entries.map((entry) => ({ ...entry, from: "owner" as const }));
    // One log alone is in order already; only a colleague's two are merged.
    const chat =
      owner.length === 0 ? [...this.#chat.entries] : [...this.#chat.entries, ...owner].sort((a, b) => a.at - b.at);
    this.#update({ chat, unread: this.#chat.unread + this.#ownerChat.unread });
  }

  /** Turns this technician's microphone on (asking the browser) or off; false when it could not be turned on. */
  async setMicrophone(isOn: boolean): Promise<boolean> {
    if (!isOn) {
      this.#mic?.stop();
      this.#mic = null;
      this.#update({ microphone: null });
      await this.#link?.setVoice(null);
      return true;
    }
    this.#mic = await openMicrophone();
    if (!this.#mic) return false;
    this.#update({ microphone: this.#mic });
    await this.#link?.setVoice(this.#mic);
    return true;
  }

  /** Offers a file to the customer; a refusal says why it was not offered. */
  offerFile(file: File): OfferRefusal | null {
    return this.#files.offer(fileSource(file));
  }

  /** What the technician does with a transfer. */
  readonly files = transferActions(this.#files, () => this.#ice.maxFileBytes);

  #onControl(msg: ControlMessage): void {
    if (this.#files.control(msg)) return;
    switch (msg.type) {
      case "sharing":
        this.#hasCustomerShared = true;
        this.#update({ sharing: msg.state, surface: msg.surface });
        return;
      case "chat":
        // Only a colleague hears the owner's messages; on the owner's own viewer the mark means nothing.
        if (msg.from === "owner" && this.#state.isOwner === false) this.#ownerChat.receive(msg);
        else this.#chat.receive(msg);
        return;
      case "chatRead":
        this.#chat.peerRead(msg.upTo);
        return;
      case "recordingConsent":
        this.#update({ recordingConsent: msg.isAllowed });
        return;
      case "tabZoom":
        this.#update({ tabZoom: msg });
        return;
      case "remoteControl":
        this.#update({ remoteControl: msg.isAllowed });
        return;
      case "screens":
        this.#update({ screens: msg });
        return;
      // A colleague sees the owner's drawings, which the customer's page passes on.
      case "stroke":
        this.annotations.stroke(msg.id, msg.colour, msg.points, msg.isEnd, Date.now());
        this.onAnnotations();
        return;
      case "clearDrawing":
        this.annotations.clear();
        this.onAnnotations();
        return;
      default:
        return;
    }
  }

  /** The customer read other words: someone may be in the middle, so the session ends for both sides. */
  rejectCode(): void {
    this.#endNow({ reason: "codeMismatch" });
  }

  /** Extends the session's lifetime by one more, within the admin's limit (the room allows it to the owner only). */
  extend(): void {
    this.#signaling.send({ type: "extend" });
  }

  /** Asks the customer's page to zoom the tab it shares one step; it does only while the customer allows it. */
  zoomTab(step: ZoomStep): boolean {
    return this.#link?.sendControl({ type: "tabZoomStep", step }) ?? false;
  }

  /**
   * Asks the customer's page for control of the mouse and keyboard, which a browser cannot give: the page offers its
   * person the native agent. False without a channel.
   */
  askControl(): boolean {
    const isSent = this.#link?.sendControl({ type: "askControl" }) ?? false;
    if (isSent) this.#update({ isControlAsked: true });
    return isSent;
  }

  /** Asks the customer's agent to show (and let this technician control) its screen `index`; false without a channel. */
  showScreen(index: number): boolean {
    return this.#link?.sendControl({ type: "showScreen", index }) ?? false;
  }

  /** Tells the customer's page whether a recording runs, for its ● REC badge; false when the channel is not open. */
  tellRecording(isOn: boolean): boolean {
    return this.#link?.sendControl({ type: "recording", isOn }) ?? false;
  }

  /**
   * Lets colleagues in (the owner only): the room hears the hash of the invite key, which the link this console gives
   * them lets their console derive. False when this console holds no link secret.
   */
  invite(): boolean {
    const keyHash = this.#inviteKey === null ? null : inviteKeyHash(this.#inviteKey);
    return keyHash !== null && this.#signaling.send({ type: "invite", keyHash });
  }

  /** Hands the session to colleague `id` (the owner only); this console stays as a colleague, free to leave. */
  handOver(id: string): boolean {
    return this.#signaling.send({ type: "handOver", id });
  }

  /** Ends the session for both sides (the room allows it to the owner only). */
  end(): void {
    this.#signaling.end();
  }

  /** Leaves the viewer; the seat stays held for a while, so coming back rejoins. */
  leave(): void {
    this.#expiry.stop();
    this.#mic?.stop();
    this.#mic = null;
    this.#ice.stop();
    this.#check.stop();
    this.#closeLink();
    this.#signaling.stop();
  }

  #receive(msg: ServerMessage): void {
    this.#roster = updateRoster(this.#roster, msg);
    switch (msg.type) {
      case "welcome":
        this.#update({ expiresAt: msg.session.expiresAt, isOwner: msg.isOwner ?? null });
        this.#expiry.set(msg.session.expiresAt);
        this.#customerChanged();
        this.#check.seated();
        return;
      case "peerJoined":
        // The customer's seat joined again while still connected: a new socket took it (another tab, the native
        // agent the page offered), which the roster cannot tell from no change at all.
        if (msg.peer.id === this.#state.customer?.id && this.#state.customer.connected) this.#check.customerReplaced();
        this.#customerChanged();
        return;
      case "peerLeft":
        this.#customerChanged();
        return;
      case "peerGone":
        if (msg.id === this.#state.customer?.id) {
          this.#closeLink();
          this.#update({ sharing: null });
        }
        this.#customerChanged();
        return;
      case "pakeReply":
      case "pakeResult":
        this.#check.receive(msg);
        return;
      case "offer":
      case "candidate":
        this.#signals = this.#signals
          .then(() => this.#ice.ready)
          .then(() => this.#signal(msg))
          .catch(() => undefined);
        return;
      case "keyExchange":
        if (this.#trusted?.customerId === msg.from && isInterceptNotice(this.#trusted.confirmed, msg.payload)) {
          this.#finish({ reason: "intercepted" });
        }
        return;
      case "answer":
      case "pakeStart":
      case "pakeFinish":
      case "handshakeThrottled":
        // Technicians answer and never offer; these frames are the customer's page's to receive.
        return;
      case "state":
        return;
      case "ended":
        this.#finish(
          msg.reason === "ended_by_customer" && !this.#hasCustomerShared && msg.why === undefined
            ? { reason: "declined" }
            : { reason: msg.reason },
        );
        return;
      case "extended":
        this.#update({ expiresAt: msg.expiresAt, canExtend: msg.canExtend });
        this.#expiry.set(msg.expiresAt);
        return;
      case "ownerChanged":
        this.#update({ isOwner: msg.id === this.#signaling.participantId });
        this.#customerChanged();
        return;
      case "error":
        if (this.#check.refused(msg)) return;
        if (msg.code === "EXTEND_LIMIT") this.#update({ canExtend: false });
        this.#update({ notice: { code: "server", error: msg.code, message: msg.message } });
        return;
      default:
        assertNever(msg);
    }
  }

  /** The customer, from the roster: there is at most one; the check runs for them while they are connected. */
  #customerChanged(): void {
    const customer = this.#roster.find((entry) => entry.peer.role === "customer") ?? null;
    const colleagues = this.#roster
      .filter((entry) => entry.peer.role === "technician" && entry.peer.isAdmitted === true && entry.peer.connected)
      .map((entry) => entry.peer);
    this.#update({ customer: customer?.peer ?? null, customerRejoinBy: customer?.rejoinBy ?? null, colleagues });
    this.#check.customerChanged(customer?.peer.connected ? customer.peer.id : null);
  }

  /**
   * The customer's page proved the secret. The same certificate as before (only a socket came back) keeps the
   * connection, the verification code and the technician's check of it; a new one (a new page) starts afresh.
   */
  #confirmed(customerId: string, confirmed: HandshakeConfirmed): void {
    const previous = this.#trusted;
    const isSamePeer =
      previous?.customerId === customerId &&
      isSameFingerprint(previous.confirmed.peerFingerprint, confirmed.peerFingerprint);
    if (!isSamePeer) this.#closeLink();
    // An enrolled machine's key proved it: there is nobody to compare a code with.
    const isMachine = this.#check.secretKind === "machine";
    const verification = isSamePeer
      ? previous.verification
      : { code: confirmed.verificationCode, isMatched: isMachine };
    this.#trusted = { customerId, confirmed, verification };
    this.#update({ verification });
  }

  #signal(msg: Extract<ServerMessage, { type: "offer" | "candidate" }>): void {
    if (msg.type === "offer") this.#acceptOffer(msg);
    else if (this.#link?.remoteId === msg.from) void this.#link.handleSignal(msg);
  }

  /**
   * An offer from the confirmed customer's page: on the current connection (an ICE restart) it is answered in place;
   * one from a new connection replaces it. Anyone else's offer is not answered.
   */
  #acceptOffer(msg: Extract<ServerMessage, { type: "offer" }>): void {
    const trusted = this.#trusted;
    if (!trusted || trusted.customerId !== msg.from || !this.#certificate || this.#state.ended) return;
    // An offer names its connection; one unnamed (from an older page) is not answered.
    if (msg.link === undefined) return;
    // The customer's page offers only after Allow.
    this.#hasCustomerShared = true;
    const isSameConnection = this.#link?.remoteId === msg.from && this.#link.linkId === msg.link;
    if (!isSameConnection) this.#openLink(msg.from, msg.link, this.#certificate, trusted);
    const link = this.#link;
    if (!link) return;
    void link.handleSignal(msg).then(() => {
      if (this.#link === link) this.#update({ iceRestarts: link.iceRestarts });
    });
  }

  #openLink(remoteId: string, linkId: string, certificate: LocalCertificate, trusted: Trusted): void {
    this.#closeLink();
    const link = new PeerLink({
      remoteId,
      linkId,
      isOfferer: false,
      config: this.#ice.config,
      certificate: certificate.certificate,
      peerFingerprint: trusted.confirmed.peerFingerprint,
      onIntercepted: () => {
        if (this.#link === link) this.#intercepted(trusted);
      },
      sendSignal: (msg) => this.#signaling.send(msg),
      onState: (state) => {
        if (this.#link === link) this.#update({ link: state });
      },
      onTrack: (track) => {
        if (this.#link !== link) return;
        if (track.kind === "audio") this.#update({ voice: track });
        else this.#update({ stream: new MediaStream([track]) });
      },
      onControl: (msg) => {
        if (this.#link === link) this.#onControl(msg);
      },
      channels: {
        onFileChunk: (chunk) => {
          if (this.#link === link) this.#files.chunk(chunk);
        },
      },
      onRelayFailure: (relayFailure) => {
        if (this.#link === link) this.#update({ relayFailure });
      },
    });
    this.#link = link;
    void link.setVoice(this.#mic);
    this.#sampler = new StatsSampler(link.pc, "inbound");
    this.#update({ link: link.state, stats: null, iceRestarts: 0, relayFailure: null });
    this.#statsTimer = setInterval(() => void this.#sample(), 1_000);
  }

  /** The customer's end showed another certificate: say so to their page (if the relay lets it through), and end. */
  #intercepted(trusted: Trusted): void {
    this.#signaling.send({ type: "keyExchange", to: trusted.customerId, payload: interceptNotice(trusted.confirmed) });
    this.#endNow({ reason: "intercepted" });
  }

  async #sample(): Promise<void> {
    const sampler = this.#sampler;
    if (!sampler) return;
    const stats = await sampler.sample().catch(() => null);
    if (sampler === this.#sampler) this.#update({ stats, iceRestarts: this.#link?.iceRestarts ?? 0 });
  }

  #closeLink(): void {
    clearInterval(this.#statsTimer);
    this.#link?.close();
    this.#link = null;
    this.#sampler = null;
    this.#update({
      link: null,
      stats: null,
      stream: null,
      tabZoom: null,
      remoteControl: null,
      isControlAsked: false,
      screens: null,
    });
  }

  /** Ends the session at once on this page, and for both sides through the room (as the owner may). */
  #endNow(ended: ViewerEnd): void {
    this.#signaling.end(ended.reason === "codeMismatch" ? "code_mismatch" : undefined);
    this.#expiry.stop();
    this.#ice.stop();
    this.#check.stop();
    this.#closeLink();
    this.#update({ ended: this.#state.ended ?? ended, sharing: null, notice: null });
  }

  /** The session is over for this page; the first reason given is the one shown. */
  #finish(ended: ViewerEnd): void {
    this.#expiry.stop();
    this.#ice.stop();
    this.#check.stop();
    this.#closeLink();
    this.#signaling.stop();
    this.#update({ ended: this.#state.ended ?? ended, sharing: null, notice: null });
  }

  #update(patch: Partial<ViewerState>): void {
    this.#state = { ...this.#state, ...patch };
    this.#onChange(this.#state);
  }
}
