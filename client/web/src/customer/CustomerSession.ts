import type { ControlMessage, SharingState } from "#protocol/control.ts";
import type { RecordingPolicy } from "#protocol/recordings.ts";
import type { Capture, EndReason, Peer, Permission, SessionSummary } from "#protocol/room.ts";
import { Annotations } from "../../../core/annotations.ts";
import { type ChatEntry, ChatLog, type ChatRefusal } from "../../../core/chat.ts";
import { FileTransfers, type OfferRefusal, type Transfer } from "../../../core/file-transfer.ts";
import type { ApiErrorCode } from "../lib/api.ts";
import { ExpiryWarning } from "../lib/expiry-warning.ts";
import { type LocalCertificate, newCertificate } from "../rtc/certificate.ts";
import type { LinkState, RelayFailure } from "../rtc/PeerLink.ts";
import { captureScreen, surfaceOf } from "../rtc/screen.ts";
import { SignalingClient, type SignalingError, type SignalingStatus } from "../rtc/signaling.ts";
import type { LinkStats } from "../rtc/stats.ts";
import { fileSource, openMicrophone, transferActions } from "../rtc/together.ts";
import { type Colleague, Colleagues } from "./Colleagues.ts";
import { CustomerRoom, type RoomNotice, type Verification } from "./CustomerRoom.ts";
import { hasTorch, listCameras, nextCamera, openCamera, setTorch } from "./camera.ts";
import { type LinkTrust, OwnerLink } from "./OwnerLink.ts";
import type { CustomerSecret } from "./secret.ts";
import { fetchSessionInfo, seatProofHeaders } from "./session-info.ts";
import { forgetShared, hasSharedBefore, markShared } from "./shared-mark.ts";
import { TabZoomControl, type TabZoomView } from "./surface-control.ts";

/** waiting: no technician yet (help flow); asking: the consent screen; sharing: after Allow; ended: over. */
export type CustomerPhase = "waiting" | "asking" | "sharing" | "ended";

/** Why the session ended, as data; the page words it. */
export type CustomerEnd =
  /** The room ended it; `hasShared` tells a refusal (nothing was ever shared) from an end after sharing. */
  | { reason: EndReason; hasShared: boolean }
  /** The technician's end showed a certificate other than the authenticated one, here or on their page. */
  | { reason: "intercepted" }
  /** The customer said the verification code does not match. */
  | { reason: "codeMismatch" }
  /** The customer cancelled their help request before any technician was let in. */
  | { reason: "cancelled" }
  /** The room refused this page for good (SEAT_KEY_INVALID, SESSION_ENDED, another tab took the seat...). */
  | { reason: "refused"; code: SignalingError["code"]; message: string }
  /** This browser cannot make the certificate a secure connection needs. */
  | { reason: "unsupported" };

/** Something the page should tell the person, as data; the page words it. */
export type CustomerNotice =
  | { code: "pickerClosed" | "captureFailed" | "stoppedFromBrowser" }
  /** The camera was refused (by the person or the phone's settings), or could not be opened. */
  | { code: "cameraDenied" | "cameraFailed" }
  /** The page was reloaded after Allow: the session goes on, and nothing is shared until the person picks again. */
  | { code: "resumed" }
  /** No relay servers: only a direct connection can be tried (why, as a code). */
  | { code: "noRelay"; error: ApiErrorCode }
  /** What the room says (a failed or throttled handshake, an error). */
  | RoomNotice;

export type { Verification };

/** Everything the customer's page shows; rendered whole after every change. */
export type CustomerView = {
  phase: CustomerPhase;
  code: string;
  technician: { name: string; organisation: string } | null;
  caseNumber: string | null;
  expiresAt: number | null;
  /** Within EXPIRY_WARNING_MS of `expiresAt`: the page warns that the session is about to end. */
  isExpiring: boolean;
  /** The technician who owns the session: the one who may see the screen. */
  owner: Peer | null;
  /** When a dropped owner's seat is released, if they dropped. */
  ownerRejoinBy: number | null;
  /** Other technicians in the room whose handshake this page has not confirmed: listed, never sent the screen. */
  others: Peer[];
  /** Colleagues the owner invited whose handshake this page confirmed: each waits for Allow, or sees the screen. */
  colleagues: readonly Colleague[];
  /** Set once the owner proved the session's secret; null before. */
  verification: Verification | null;
  sharing: SharingState;
  /** What is captured (for the page's own preview); null when stopped. */
  track: MediaStreamTrack | null;
  link: LinkState | null;
  stats: LinkStats | null;
  /** Relay-only, and no relay could be reached: the technician cannot get the picture. */
  relayFailure: RelayFailure | null;
  signaling: SignalingStatus;
  ended: CustomerEnd | null;
  notice: CustomerNotice | null;
  /** The chat with the owning technician, oldest first, and how many of theirs this page has not shown yet. */
  chat: readonly ChatEntry[];
  unread: number;
  /** Files both ways, oldest first. */
  files: readonly Transfer[];
  /** The technician's voice, when their microphone is on the connection. */
  voice: MediaStreamTrack | null;
  /** Whether the customer's microphone is on: a consent of its own, withdrawn by turning it off. */
  isMicOn: boolean;
  /** The technician asked to control the mouse and keyboard: the page offers the native agent (the /agent page). */
  isControlAsked: boolean;
  /** What this browser can share: its screen, or (a phone) only its camera. */
  capture: Capture;
  /** How many cameras the device has, once one was allowed (another can be switched to when there are two). */
  cameras: number;
  /** Whether the camera in use has a light the page can turn on, and whether it is on. */
  hasTorch: boolean;
  isTorchOn: boolean;
  /** The organisation's recording policy, as the session's details said it. */
  recordingPolicy: RecordingPolicy;
  /** Whether the customer allows recording (its own consent; under "always" until they stop it). */
  isRecordingAllowed: boolean;
  /** When the recording the technician's page says runs started (this page's clock); null when none runs. */
  recordingSince: number | null;
};

/** What a customer's page is started with. */
export type CustomerSessionOptions = {
  code: string;
  /** What GET /api/sessions/CODE said, for a link; null for a help request (no technician yet). */
  session: SessionSummary | null;
  /** The seat key the hello presents (base64url): derived from the link's secret, or the help request's own. */
  seatKey: string;
  /** The secret every technician's handshake must prove: the link's, or the guarded Get-help password. */
  secret: CustomerSecret;
  /**
   * Whether the session ends when this page goes: a help request's does until the customer allowed a confirmed
   * technician (before then, nobody could find it again: the password lived only in that page). Asked when it matters.
   */
  isEndedOnLeave?: boolean | (() => boolean);
  /** What this browser can share (camera.ts captureMode); a screen unless said. */
  capture?: Capture;
};

/**
 * The customer's side of a session: the handshakes that prove each technician holds the secret, consent, capture,
 * the one connection to the owning technician once their handshake confirmed, Pause, Stop and End. Nothing is
 * captured before `allow()`, which the page calls from the Allow button's click, and nothing of the customer's (no
 * offer, no candidate) goes to a technician before their handshake confirmed.
 */
export class CustomerSession {
  readonly #signaling: SignalingClient;
  readonly #onChange: (view: CustomerView) => void;
  readonly #secret: CustomerSecret;
  /** The seat key (base64url), whose hash lets this page read the session's details. */
  readonly #seatKey: string;
  /** This page's DTLS certificate, made as the page opens, alongside the ICE servers' fetch. */
  readonly #certificate: Promise<LocalCertificate>;
  /** Who is in the room, every technician's handshake, and whom this page trusts (shared with the native agent). */
  readonly #room: CustomerRoom;
  /** Technicians beside the owner, each let in (or not) by the customer, each with a connection of their own. */
  readonly #colleagues: Colleagues;
  /** The owner this page sends the screen to: the first it saw, or a colleague the customer let in, by a hand-over. */
  #acceptedOwner: string | null = null;
  #view: CustomerView;
  #track: MediaStreamTrack | null = null;
  /** The connection to the owning technician; made at Allow, so there is none before consent. */
  #link: OwnerLink | null = null;
  #hasConsented = false;
  /** The customer's microphone, while it is on. */
  #mic: MediaStreamTrack | null = null;
  /** The customer's consent per permission, as last given or taken back. */
  readonly #consent = new Map<Permission, boolean>();
  readonly #isEndedOnLeave: () => boolean;
  readonly #expiry = new ExpiryWarning((isExpiring) => this.#update({ isExpiring }));
  readonly #chat = new ChatLog(
    (msg) => {
      this.#link?.sendControl(msg);
      // Colleagues read along what the customer writes; what they have read is the owner's to say.
      if (msg.type === "chat") this.#colleagues.sendControl(msg);
    },
    () => Date.now(),
    () => this.#update({ chat: [...this.#chat.entries], unread: this.#chat.unread }),
  );
  readonly #files = new FileTransfers(
    {
      sendControl: (msg) => this.#link?.files.sendControl(msg) ?? false,
      sendChunk: (chunk) => this.#link?.files.sendChunk(chunk) ?? false,
      room: () => this.#link?.files.room() ?? Promise.resolve(false),
      endTransfer: (id) => this.#link?.files.endTransfer(id),
    },
    true,
    () => this.#link?.maxFileBytes ?? 0,
    () => Date.now(),
    () => this.#update({ files: this.#files.transfers }),
  );
  /** The technician's pointer and drawings over the picture; `onAnnotations` runs when they change. */
  readonly annotations = new Annotations();
  onAnnotations: () => void = () => {};
  /** The technician's zoom of a shared browser tab, a consent of its own; `onTabZoom` runs when it changes. */
  readonly tabZoom = new TabZoomControl({
    sendControl: (msg) => this.#link?.sendControl(msg) ?? false,
    giveConsent: (isGiven) => this.#giveConsent("zoom", isGiven),
    onChange: (view) => this.onTabZoom(view),
    now: () => Date.now(),
  });
  onTabZoom: (view: TabZoomView) => void = () => {};

  constructor(options: CustomerSessionOptions, onChange: (view: CustomerView) => void) {
    const { code, session } = options;
    this.#onChange = onChange;
    this.#secret = options.secret;
    this.#seatKey = options.seatKey;
    const endsOnLeave = options.isEndedOnLeave ?? false;
    this.#isEndedOnLeave = typeof endsOnLeave === "function" ? endsOnLeave : () => endsOnLeave;
    this.#view = {
      phase: "waiting",
      code,
      technician: session?.technician ?? null,
      caseNumber: session?.caseNumber ?? null,
      expiresAt: session?.expiresAt ?? null,
      isExpiring: false,
      owner: null,
      ownerRejoinBy: null,
      others: [],
      colleagues: [],
      verification: null,
      sharing: "stopped",
      track: null,
      link: null,
      stats: null,
      relayFailure: null,
      signaling: "connecting",
      ended: null,
      notice: null,
      chat: [],
      unread: 0,
      files: [],
      voice: null,
      isMicOn: false,
      isControlAsked: false,
      capture: options.capture ?? "screen",
      cameras: 0,
      hasTorch: false,
      isTorchOn: false,
      recordingPolicy: session?.recording ?? "off",
      isRecordingAllowed: session?.recording === "always",
      recordingSince: null,
    };
    // A reload after Allow: the session goes on with nothing shared (a capture does not outlive its page) until the
    // person picks again. The room hears that viewing stopped meanwhile, so the audit log tells the gap.
    if (!this.#isEndedOnLeave() && hasSharedBefore(code)) {
      this.#hasConsented = true;
      this.#consent.set(this.#view.capture === "camera" ? "camera" : "view", false);
      this.#consent.set("zoom", false);
      this.#view.notice = { code: "resumed" };
    }
    this.#certificate = newCertificate();
    this.#colleagues = new Colleagues(code, seatProofHeaders(options.seatKey), {
      send: (msg) => this.#signaling.send(msg),
      sendSignal: (msg) => this.#signaling.send(msg),
      onControlOpen: (send) => {
        const surface = this.#view.capture === "camera" ? "camera" : surfaceOf(this.#track);
        send({ type: "sharing", state: this.#view.sharing, surface });
      },
      onIntercepted: () => this.#endNow({ reason: "intercepted" }),
    });
    this.#room = new CustomerRoom(code, options.secret, this.#certificate, {
      send: (msg) => this.#signaling.send(msg),
      onWelcome: (session) => {
        this.#update({
          technician: session.technician ?? this.#view.technician,
          caseNumber: session.caseNumber ?? this.#view.caseNumber,
          expiresAt: session.expiresAt,
        });
        this.#expiry.set(session.expiresAt);
      },
      onPeersChanged: () => this.#peersChanged(),
      onGone: (id) => {
        if (this.#link?.remoteId === id) this.#link.close();
        this.#colleagues.gone(id);
        // An owner whose seat was released comes back with a new one, as the session's owner still.
        if (this.#acceptedOwner === id) this.#acceptedOwner = null;
      },
      onSignal: (msg) => {
        this.#link?.handleSignal(msg);
        this.#colleagues.handleSignal(msg);
      },
      onOwnerChanged: (id) => this.#ownerChanged(id),
      onExtended: (expiresAt) => {
        this.#update({ expiresAt });
        this.#expiry.set(expiresAt);
      },
      onNotice: (notice) => {
        if (notice || this.#view.notice?.code === "handshakeFailed") this.#update({ notice });
      },
      onEnded: (end) => this.#finish(end.reason === "intercepted" ? end : { ...end, hasShared: this.#hasConsented }),
    });
    this.#signaling = new SignalingClient({
      code,
      role: "customer",
      seatKey: options.seatKey,
      capture: this.#view.capture,
      onMessage: (msg) => this.#room.receive(msg),
      onStatus: (status, error) => {
        if (status === "closed" && error) this.#finish({ reason: "refused", ...error });
        // Seated (again): the room hears what the customer has allowed, which a message sent while the socket was
        // away would have lost. It logs changes only, so saying it again costs nothing.
        if (status === "open")
          for (const [permission, isGiven] of this.#consent) this.#tellConsent(permission, isGiven);
        this.#update({ signaling: status });
      },
    });
  }

  /** Joins the room (as a seat, sharing nothing) so the page can show who is there. */
  start(): void {
    this.#update({});
    this.#certificate.catch(() => this.#finish({ reason: "unsupported" }));
    this.#signaling.start();
    // ICE servers are fetched as the page opens (while the certificate is made), not after Allow: the connection can
    // then be offered as soon as the technician is confirmed.
    this.#ensureLink();
  }

  /** Allow: opens the browser's picker, then shares what the person picked with the owning technician. */
  async allow(): Promise<void> {
    // captureScreen runs first, inside the click's user activation.
    const track = await this.#capture();
    if (!track) return;
    this.#hasConsented = true;
    if (!this.#isEndedOnLeave()) markShared(this.#view.code);
    if (this.#view.recordingPolicy !== "off" && this.#view.isRecordingAllowed) this.#giveConsent("record", true);
    this.#ensureLink();
    void this.#useTrack(track);
    this.#update({ notice: null });
    await this.#syncLink();
  }

  /** Sends a chat message (or text for their clipboard) to the technician; a refusal says why nothing was sent. */
  say(text: string, isClipboard = false): ChatRefusal | null {
    return this.#chat.say(text, isClipboard);
  }

  /** The person has seen the technician's messages. */
  markChatRead(): void {
    this.#chat.markRead();
  }

  /**
   * Turns the customer's microphone on (asking the browser, at their click) or off; its own consent, logged as such.
   * False when it could not be turned on.
   */
  async setMicrophone(isOn: boolean): Promise<boolean> {
    if (!isOn) {
      this.#mic?.stop();
      this.#mic = null;
      await this.#link?.setVoice(null);
      this.#giveConsent("voice", false);
      this.#update({ isMicOn: false });
      return true;
    }
    this.#mic = await openMicrophone();
    if (!this.#mic) return false;
    await this.#link?.setVoice(this.#mic);
    this.#giveConsent("voice", true);
    this.#update({ isMicOn: true });
    return true;
  }

  /**
   * Allows recording or stops it (the session goes on). Before Allow it only notes the choice, which Allow gives;
   * after, the room logs it and the technician's page hears it at once.
   */
  setRecording(isAllowed: boolean): void {
    if (this.#view.recordingPolicy === "off") return;
    this.#update({ isRecordingAllowed: isAllowed });
    if (!this.#hasConsented) return;
    this.#giveConsent("record", isAllowed);
    this.#announceRecording();
  }

  /** The token that reclaims this page's seat: the native agent that takes the page's place presents it. */
  get seatToken(): string | null {
    return this.#signaling.seatToken;
  }

  /** Offers a file to the technician; a refusal says why it was not offered. */
  offerFile(file: File): OfferRefusal | null {
    return this.#files.offer(fileSource(file));
  }

  /** What the person does with a transfer: accept, refuse or cancel it; the bytes of a checked incoming file. */
  readonly files = transferActions(this.#files, () => this.#link?.maxFileBytes ?? 0);

  #onControl(msg: ControlMessage): void {
    if (this.#files.control(msg)) return;
    switch (msg.type) {
      case "chat":
        this.#chat.receive(msg);
        this.#colleagues.sendControl({ ...msg, from: "owner" });
        break;
      case "chatRead":
        this.#chat.peerRead(msg.upTo);
        break;
      case "stroke":
        this.annotations.stroke(msg.id, msg.colour, msg.points, msg.isEnd, Date.now());
        this.onAnnotations();
        this.#colleagues.sendControl(msg);
        break;
      case "clearDrawing":
        this.annotations.clear();
        this.onAnnotations();
        // Colleagues see the owner's drawings too.
        this.#colleagues.sendControl(msg);
        break;
      case "recording":
        this.#update({ recordingSince: msg.isOn ? (this.#view.recordingSince ?? Date.now()) : null });
        break;
      case "tabZoomStep":
        void this.tabZoom.step(msg.step);
        break;
      case "askControl":
        this.#update({ isControlAsked: true });
        break;
      default:
        break;
    }
  }

  /** Allow: the colleague sees what is shared, on a connection of their own. */
  admitColleague(id: string): void {
    this.#colleagues.admit(id);
    this.#peersChanged();
  }

  /** Don't allow, or Remove: the colleague's connection closes and the room drops them for good. */
  removeColleague(id: string): void {
    this.#colleagues.remove(id);
    this.#room.forget(id);
    this.#peersChanged();
  }

  /** The customer heard the same four words from the technician. */
  confirmCode(): void {
    const owner = this.#view.owner;
    const verification = owner ? this.#room.confirmCode(owner.id) : null;
    if (verification) this.#update({ verification });
  }

  /** The technician read other words: someone may be in the middle, so the session ends for both sides. */
  rejectCode(): void {
    this.#endNow({ reason: "codeMismatch" });
  }

  /** The connection to the owning technician; it fetches the session's ICE servers as soon as it exists. */
  #ensureLink(): OwnerLink {
    this.#link ??= new OwnerLink(this.#view.code, seatProofHeaders(this.#seatKey), {
      sendSignal: (msg) => this.#signaling.send(msg),
      // A recording runs only over a working connection; the technician's page says so again when it is back.
      onState: (link) => this.#update(link === "connected" ? { link } : { link, recordingSince: null }),
      onStats: (stats) => this.#update({ stats }),
      onRelayFailure: (relayFailure) => this.#update({ relayFailure }),
      onControlOpen: () => this.#announceSharing(),
      onControl: (msg) => this.#onControl(msg),
      onPointer: (msg) => {
        this.annotations.pointer(msg.x, msg.y, msg.isAway ?? false, Date.now());
        this.onAnnotations();
      },
      onFileChunk: (chunk) => this.#files.chunk(chunk),
      onVoice: (track) => this.#update({ voice: track }),
      onIceError: (error) => this.#update({ notice: { code: "noRelay", error } }),
      onIntercepted: () => this.#intercepted(),
    });
    return this.#link;
  }

  /** Cancel on the Get-help screen: the request ends, and its ID and password with it. */
  cancel(): void {
    this.#endNow({ reason: "cancelled" });
  }

  /** Don't allow: the session ends, for both sides. */
  decline(): void {
    this.end();
  }

  /**
   * Pause: the sender carries no track until resume, so not a frame leaves (track.enabled = false would still send
   * black frames), and a `sharing` message on the control channel tells the technician at once that it is a pause.
   * A remote track's mute event is no substitute: browsers fire it late, if at all, and it cannot tell a pause from
   * a network drop.
   */
  async pause(): Promise<void> {
    if (this.#view.sharing !== "live") return;
    this.#setSharing("paused");
    await Promise.all([this.#link?.setTrack(null), this.#colleagues.setTrack(null)]);
  }

  async resume(): Promise<void> {
    if (this.#view.sharing !== "paused" || !this.#track) return;
    await Promise.all([this.#link?.setTrack(this.#track), this.#colleagues.setTrack(this.#track)]);
    this.#setSharing("live");
  }

  /** Share something else (or again after Stop): a new pick replaces the track in place, with no renegotiation. */
  async switchSource(): Promise<void> {
    const track = await this.#capture();
    if (!track) return;
    const old = this.#track;
    void this.#useTrack(track);
    old?.stop();
    if (this.#view.notice?.code === "resumed") this.#update({ notice: null });
  }

  /**
   * A phone's other camera (front after rear, and on): the new picture replaces the old in place. A phone may hold
   * only one camera open, so when the new one cannot open beside the old, the old is closed first.
   */
  async switchCamera(): Promise<void> {
    const old = this.#track;
    if (this.#view.capture !== "camera" || !old) return;
    const next = await nextCamera(old);
    if (!next) return;
    let track = await openCamera(next).catch(() => null);
    if (!track) {
      old.stop();
      track = await openCamera(next).catch(() => null);
      if (!track) track = await openCamera(old.getSettings().deviceId).catch(() => null);
      if (!track) return this.stopSharing();
    }
    // The old camera stops once the new one is on the connection: the technician's picture is never without a source.
    await this.#useTrack(track);
    if (old !== track) old.stop();
  }

  /** Turns the camera's light on or off, where it has one. */
  async setTorch(isOn: boolean): Promise<void> {
    const track = this.#track;
    if (!track || !hasTorch(track)) return;
    if (await setTorch(track, isOn)) this.#update({ isTorchOn: isOn });
  }

  /** Stop sharing: the capture ends; the session stays, so the person can share again or end. */
  stopSharing(isFromBrowser = false): void {
    const track = this.#track;
    this.#track = null;
    track?.stop();
    void this.#link?.setTrack(null);
    this.tabZoom.use(null);
    void this.#colleagues.setTrack(null);
    this.#setSharing("stopped");
    this.#update({ track: null, notice: isFromBrowser ? { code: "stoppedFromBrowser" } : null });
  }

  /** End: the room ends for everyone; this page stops sharing at once, whatever the network does. */
  end(): void {
    this.#endNow({ reason: "ended_by_customer", hasShared: this.#hasConsented });
  }

  /**
   * The tab is going away. A help request not yet allowed ends with it (its password lived only in this page). Once
   * anything was shared, the room ends the session unless this tab comes back within the rejoin grace: a reload
   * resumes, a closed tab ends.
   */
  leave(): void {
    if (this.#view.phase !== "ended") {
      if (this.#isEndedOnLeave()) this.#signaling.send({ type: "end" });
      else if (this.#hasConsented) this.#signaling.send({ type: "leaving" });
    }
    this.#teardown();
    this.#signaling.stop();
  }

  #endNow(ended: CustomerEnd): void {
    forgetShared(this.#view.code);
    this.#signaling.end(ended.reason === "codeMismatch" ? "code_mismatch" : undefined);
    this.#teardown();
    this.#update({ ended: this.#view.ended ?? ended, sharing: "stopped", track: null, notice: null });
  }

  async #capture(): Promise<MediaStreamTrack | null> {
    const isCamera = this.#view.capture === "camera";
    try {
      return await (isCamera ? openCamera() : captureScreen(this.tabZoom.nextController()));
    } catch (err) {
      const isRefused = err instanceof Error && err.name === "NotAllowedError";
      const [refused, failed] = isCamera
        ? (["cameraDenied", "cameraFailed"] as const)
        : (["pickerClosed", "captureFailed"] as const);
      this.#update({ notice: { code: isRefused ? refused : failed } });
      return null;
    }
  }

  /** Shares `track` from now on; resolves once the connection sends it (if there is one). */
  #useTrack(track: MediaStreamTrack): Promise<void> {
    this.#track = track;
    // The browser's own "Stop sharing" ends the track; the session notices and says so on both sides.
    track.addEventListener("ended", () => {
      if (this.#track === track) this.stopSharing(true);
    });
    const sent = Promise.all([this.#link?.setTrack(track), this.#colleagues.setTrack(track)]).then(() => undefined);
    this.tabZoom.use(track);
    this.#update({ track, hasTorch: hasTorch(track), isTorchOn: false });
    this.#setSharing("live");
    // The cameras' ids are known only once one was allowed: then the page can offer the other.
    if (this.#view.capture === "camera") void listCameras().then((ids) => this.#update({ cameras: ids.length }));
    return sent;
  }

  #setSharing(sharing: SharingState): void {
    this.#update({ sharing });
    this.tabZoom.setLive(sharing === "live");
    this.#announceSharing();
    // The room records consent in the audit log: given when something is shared, withdrawn at Stop (a pause is
    // neither).
    if (sharing !== "paused")
      this.#giveConsent(this.#view.capture === "camera" ? "camera" : "view", sharing === "live");
  }

  /** What the customer allowed or took back, for the room's audit log: said now, and again whenever seated again. */
  #giveConsent(permission: Permission, isGiven: boolean): void {
    this.#consent.set(permission, isGiven);
    this.#tellConsent(permission, isGiven);
  }

  #tellConsent(permission: Permission, isGiven: boolean): void {
    this.#signaling.send({ type: "consent", permission, isGiven });
  }

  #announceSharing(): void {
    const surface = this.#view.capture === "camera" ? "camera" : surfaceOf(this.#track);
    this.#link?.sendControl({ type: "sharing", state: this.#view.sharing, surface });
    this.#colleagues.sendControl({ type: "sharing", state: this.#view.sharing, surface });
    this.#announceRecording();
    this.tabZoom.announce();
  }

  /** Tells the technician's page whether it may record (only when the organisation records at all). */
  #announceRecording(): void {
    if (this.#view.recordingPolicy === "off") return;
    this.#link?.sendControl({ type: "recordingConsent", isAllowed: this.#view.isRecordingAllowed });
  }

  /** The technician's end showed another certificate: say so to them (if the relay lets it through), and end. */
  #intercepted(): void {
    const owner = this.#view.owner;
    if (owner) this.#room.sayIntercepted(owner.id);
    this.#endNow({ reason: "intercepted" });
  }

  /**
   * A hand-over. The page takes it only to a colleague the customer let in: the room alone cannot make anyone the one
   * who sees the screen. The former owner stays in as a colleague (the customer had let them in).
   */
  #ownerChanged(id: string): void {
    const former = this.#view.owner;
    if (!this.#colleagues.isAdmitted(id)) return;
    this.#acceptedOwner = id;
    this.#colleagues.gone(id);
    this.#colleagues.keep(id);
    if (former) this.#colleagues.keep(former.id);
    // The new owner's name is who the page says it is with.
    const owner = this.#room.roster.find((entry) => entry.peer.id === id)?.peer;
    if (owner?.name && this.#view.technician) {
      this.#update({ technician: { ...this.#view.technician, name: owner.name } });
    }
    this.#peersChanged();
  }

  /** The owning technician (the one who may see the screen) and the others, from the roster. */
  #peersChanged(): void {
    const technicians = this.#room.roster.filter((entry) => entry.peer.role === "technician");
    const owner = technicians.find((entry) => entry.peer.isOwner) ?? null;
    // A colleague is one of the owner's, in a session that has an owner; a help request's candidates are not.
    const isColleague = (peer: Peer) =>
      owner !== null && peer !== owner.peer && this.#room.trusted(peer.id) !== undefined;
    const others = technicians.filter((entry) => entry !== owner).map((entry) => entry.peer);
    this.#update({
      owner: owner?.peer ?? null,
      ownerRejoinBy: owner?.rejoinBy ?? null,
      others: others.filter((peer) => !isColleague(peer)),
      colleagues: others
        .filter(isColleague)
        .map((peer) => ({ peer, isAdmitted: this.#colleagues.isAdmitted(peer.id) })),
      verification: (owner && this.#room.trusted(owner.peer.id)?.verification) ?? null,
    });
    // A help request gets its technician's name and organisation once someone claims it.
    if (owner && !this.#view.technician) void this.#refreshSession();
    void this.#syncLink();
  }

  async #refreshSession(): Promise<void> {
    const info = await fetchSessionInfo(this.#view.code, this.#seatKey);
    if (info.ok && info.data.technician) this.#update({ technician: info.data.technician });
    const policy = info.ok ? info.data.recording : undefined;
    if (policy && policy !== this.#view.recordingPolicy && !this.#hasConsented) {
      this.#update({ recordingPolicy: policy, isRecordingAllowed: policy === "always" });
    }
  }

  /** While sharing, keeps a working connection to the owner whenever they are connected and confirmed. */
  async #syncLink(): Promise<void> {
    const owner = this.#view.owner;
    // Nothing is offered before Allow: the link exists from the start only to have its ICE servers ready. And
    // nothing goes to a technician whose handshake this page has not confirmed.
    const trusted = owner ? this.#room.trusted(owner.id) : undefined;
    if (!this.#link || !this.#hasConsented || this.#view.phase === "ended") return;
    // The first owner is the one the consent named; another only by a hand-over to a colleague the customer let in.
    this.#acceptedOwner ??= owner?.id ?? null;
    const { certificate } = await this.#certificate;
    const track = this.#view.sharing === "live" ? this.#track : null;
    const colleagues = new Map<string, LinkTrust>();
    for (const { peer } of this.#view.colleagues) {
      const confirmed = this.#room.trusted(peer.id)?.confirmed;
      if (peer.connected && confirmed)
        colleagues.set(peer.id, { certificate, peerFingerprint: confirmed.peerFingerprint });
    }
    void this.#colleagues.sync(colleagues, track);
    if (!owner?.connected || !trusted || owner.id !== this.#acceptedOwner) return;
    await this.#link.sync(owner.id, track, { certificate, peerFingerprint: trusted.confirmed.peerFingerprint });
  }

  #teardown(): void {
    this.#expiry.stop();
    this.#track?.stop();
    this.#track = null;
    this.#mic?.stop();
    this.#mic = null;
    this.#link?.stop();
    this.#colleagues.stop();
    this.#secret.stop();
  }

  /** The session is over for this page; the first reason given is the one shown. */
  #finish(ended: CustomerEnd): void {
    forgetShared(this.#view.code);
    this.#teardown();
    this.#signaling.stop();
    this.#update({ ended: this.#view.ended ?? ended, sharing: "stopped", track: null, notice: null });
  }

  #update(patch: Partial<CustomerView>): void {
    const view = { ...this.#view, ...patch };
    view.phase =
      view.ended !== null ? "ended" : this.#hasConsented ? "sharing" : view.technician ? "asking" : "waiting";
    this.#view = view;
    this.#onChange(view);
  }
}
