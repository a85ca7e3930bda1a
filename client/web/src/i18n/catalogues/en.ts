import type { AuditType } from "#protocol/audit.ts";
import type { StrokeColour } from "#protocol/control.ts";
import type { ErrorCode } from "#protocol/errors.ts";
import type { NameProblem } from "#protocol/names.ts";
import type { WebhookEventType } from "#protocol/webhooks.ts";
import type { TransferState } from "../../../../core/file-transfer.ts";

// English: the catalogue every other language is typed against (Catalogue in ../catalogue.ts). Four parts, so a
// page bundles only the English it shows: `common` (every page), `customer` (the screens of a customer's session: a
// session link, and the home page's Get help), `help` (the home page's own) and `technician` (console, viewer, enrol,
// sign-in). `markup` holds the static text of the HTML, by the keys in its
// data-text and data-label attributes. A message with values is a function of them; numbers, dates and times come
// in already formatted for the language (i18n/format.ts), so the sentences only place them.

/** An error a page can meet besides the server's codes: no answer, an answer without a known error, a bad body. */
export type ClientErrorCode = "NETWORK" | "HTTP" | "BAD_RESPONSE" | "REPLACED";

/** A connection's plain rating (rtc/stats.ts rateQuality). */
export type Quality = "good" | "fair" | "poor";

/** Which field a name problem is about. */
export type NameField = "displayName" | "caseNumber" | "machineName";

/** The error codes only a technician's pages can meet: their text is in `technician`, which no customer's page loads. */
export type TechnicianErrorCode =
  | "UNAUTHENTICATED"
  | "SIGN_IN_REVOKED"
  | "CHALLENGE_INVALID"
  | "PASSKEY_INVALID"
  | "INVITE_INVALID"
  | "LAST_PASSKEY"
  | "LAST_ADMIN"
  | "INVALID_NAME"
  | "NAME_LOCKED"
  | "SESSION_LIMIT"
  | "NOT_OWNER"
  | "REMOVED_BY_CUSTOMER"
  | "EXTEND_LIMIT"
  | "WEBHOOK_TARGET_NOT_ALLOWED"
  | "TOKEN_INVALID"
  | "RECORDING_NOT_ALLOWED"
  | "RECORDING_PART_INVALID"
  | "RECORDING_STORE_FAILED"
  | "PLAYBACK_LINK_INVALID"
  | "UNATTENDED_OFF"
  | "ENROLMENT_INVALID"
  | "MACHINE_KEY_INVALID"
  | "MACHINE_OFFLINE";

/** The text of every error code any page can meet. */
const errors: Record<Exclude<ErrorCode | ClientErrorCode, TechnicianErrorCode>, string> = {
  BAD_REQUEST: "Tether could not accept that request; check what you entered and try again.",
  FORBIDDEN: "You are not allowed to do that.",
  NOT_FOUND: "That could not be found; it may have been removed.",
  CONFLICT: "That changed in the meantime; reload and try again.",
  RATE_LIMITED: "Too many tries in a short time. Wait a little, then try again.",
  PAYLOAD_TOO_LARGE: "That is too large for Tether to accept.",
  ORIGIN_NOT_ALLOWED: "This page's address is not allowed to use Tether. Open Tether at its usual address.",
  SESSION_NOT_FOUND: "There is no session with this code.",
  SESSION_ENDED: "This session has ended.",
  SEAT_TAKEN: "This session is already open in another browser.",
  MESSAGE_INVALID: "The connection sent something Tether did not understand. Reload the page.",
  MESSAGE_TOO_LARGE: "The connection sent too much at once. Reload the page.",
  UNSUPPORTED_VERSION: "This page is out of date. Reload it.",
  WRONG_ROLE: "That is not possible from this side of the session.",
  PEER_NOT_FOUND: "The other side is no longer in the session.",
  SEAT_KEY_INVALID: "This link does not match its session.",
  HANDSHAKE_WAIT: "Too many tries for this session. Wait, then try again.",
  HANDSHAKE_BUSY: "Another check is running for this session. Try again in a moment.",
  HANDSHAKE_REQUIRED: "The security check has not finished yet.",
  CONFIG_INVALID: "Tether is not set up correctly. Tell your admin.",
  TURN_UNAVAILABLE: "The relay server cannot be used right now.",
  SERVER_BUSY: "Tether is busy right now. Try again in a moment.",
  INTERNAL: "Something went wrong at Tether. Try again.",
  NETWORK: "Could not reach Tether. Check your connection and try again.",
  HTTP: "Tether did not answer as expected; please try again.",
  BAD_RESPONSE: "Tether sent an answer this page does not understand; reload and try again.",
  REPLACED: "This session was opened in another tab or window.",
};

export const common = {
  /** The language switcher's label. */
  language: "Language",
  errors,
  /** In place of a figure the page does not have yet. */
  none: "–",
  /** The chat panel's words on both sides (each side's own are in its part). */
  chat: {
    you: "You",
    read: "Read",
    unread: (count: number) => `${count} new`,
    titleFlash: (count: number, title: string) => `(${count}) New message · ${title}`,
    empty: "Write something first.",
    tooLong: "A message can be at most 2,000 characters long.",
    forClipboard: "(for the clipboard)",
    copy: "Copy",
    copied: "Copied to your clipboard.",
    notCopied: "This browser did not let the page copy it; select the text and copy it yourself.",
  },
  /** The files panel's words on both sides (each side's own are in its part). */
  files: {
    state: {
      offered: "waiting for them to accept",
      incoming: "accept it?",
      sending: "sending",
      receiving: "receiving",
      done: "done, checked",
      refused: "refused",
      cancelled: "cancelled",
      corrupt: "damaged on the way: its checksum does not match, so it was not kept",
      failed: "failed: the connection was lost",
    } satisfies Record<TransferState, string>,
    progress: (done: string, total: string, rate: string | null, left: string | null) =>
      `${done} of ${total}${rate ? `, ${rate}` : ""}${left ? `, ${left} left` : ""}`,
    hash: (sha256: string) => `SHA-256 ${sha256}`,
    accept: "Accept",
    refuse: "Refuse",
    cancel: "Cancel",
    save: "Save",
    tooLarge: (max: string) => `Files can be at most ${max} in this session.`,
    empty: "That file is empty.",
  },
  /** The voice panel's words on both sides (each side's own are in its part). */
  recording: {
    /** Beside the red dot, with the elapsed time: the recording runs. */
    rec: "REC",
  },
  voice: {
    micOn: "Turn on my microphone",
    micOff: "Turn off my microphone",
    denied: "The microphone could not be used: the browser or the computer refused it.",
  },
};

export const customer = {
  markup: {
    "colleagues.title": "Other technicians",
    "join.title": "Support session · Tether",
    "join.heading": "Support session",
    "verification.title": "Check the verification code",
    "verification.code": "Verification code",
    "verification.matches": "Matches",
    "verification.differs": "Doesn't match",
    "consent.title": "Who is asking to see your screen",
    "consent.sessionId": "Session ID",
    "consent.caseNumber": "Case number",
    "consent.ends": "Session ends",
    "consent.warningStrong": "Only continue if you contacted this organisation yourself.",
    "consent.warning":
      "Tether staff will never call you unexpectedly or ask you to share your screen. If someone called you out of the blue, close this page now.",
    "consent.viewOnly":
      "If you allow, this technician sees only the screen, window or tab you pick in the next step. View only: they cannot control your computer. You can pause or stop at any time.",
    "consent.allow": "Allow and choose what to share",
    "consent.decline": "Don't allow",
    "consent.titleCamera": "Who is asking to see through your camera",
    "consent.cameraOnly":
      "This phone's browser cannot share its screen. You can share your camera instead: point it at the device, cable or display you need help with. If you allow, this technician sees only what the camera sees. View only: they cannot control anything. You can pause or stop at any time.",
    "consent.allowCamera": "Allow and turn on the camera",
    "bar.label": "Your support session",
    "bar.stop": "Stop sharing",
    "bar.end": "End session",
    "bar.preview": "Preview of what you are sharing",
    "bar.switchCamera": "Switch camera",
    "bar.torch": "Camera light",
    "bar.agentAsked": "Your technician asks to use your mouse and keyboard, which a browser cannot allow.",
    "bar.agentHow": "Allow it with the Tether agent",
    "bar.keepOnTopMissing":
      "This browser cannot keep this panel on top of other windows: keep this tab in view to see where your technician points.",
    "ended.title": "Session ended",
    "chat.title": "Chat with your technician",
    "chat.label": "Your message",
    "chat.send": "Send",
    "chat.clip": "Send to your technician's clipboard",
    "files.title": "Files",
    "files.hint": "Send a file to your technician, or drop it here. You decide about each file they send you.",
    "files.choose": "Choose files to send",
  },
  /** "Tess Tech from Acme": {name} and {organisation} mark where the two go. */
  technicianFrom: "{name} from {organisation}",
  /** The end screen's heading when the session goes on without this page (another browser or tab holds it). */
  elsewhereTitle: "This session is open somewhere else",
  link: {
    noCode:
      "This link is damaged: a working link ends in a nine-digit session code, such as /j/123456789, and is opened whole. Ask your technician to send it again, or open the home page and choose Get help.",
    incomplete: "This link is incomplete — ask your technician to send it again.",
  },
  yourTechnician: "Your technician",
  technicianLabel: (name: string, organisation: string) => `${name} (${organisation})`,
  notJoined: (name: string) => `${name} has not joined yet.`,
  lostConnection: (name: string, until: string | null) =>
    until ? `${name} lost their connection; they can come back until ${until}.` : `${name} lost their connection.`,
  connected: (name: string) => `${name} is connected.`,
  sharingLive: (who: string) => `${who} can see what you are sharing. View only: they cannot control anything.`,
  sharingBeforeConnect: (who: string) =>
    `You are sharing; ${who} will see it when they connect. View only: they cannot control anything.`,
  paused: (who: string) => `Paused: ${who} sees nothing until you resume.`,
  notSharing: (who: string) => `You are not sharing anything. ${who} sees nothing.`,
  others: (names: string[]) => `Also in the session, without a view of your screen: ${names.join(", ")}.`,
  aTechnician: "a technician",
  reconnecting: "Connection to Tether lost; reconnecting…",
  relayFailed:
    "Could not reach the relay server, so your technician cannot see your screen. Tell them; they can check the settings.",
  linkConnecting: "Connecting to your technician…",
  linkReconnecting: "Connection interrupted; reconnecting…",
  linkClosed: "Disconnected.",
  linkConnected: "Connected.",
  /** "Connection: direct · good quality · 12 ms round trip"; `rtt` comes formatted, with its unit. */
  linkStats: (route: "direct" | "relayed" | null, quality: Quality | null, rtt: string | null) =>
    route === null
      ? "Connection: not connected"
      : `Connection: ${[route, quality ? `${quality} quality` : "", rtt === null ? "" : `${rtt} round trip`].filter(Boolean).join(" · ")}`,
  noCaseNumber: "none given",
  resume: "Resume",
  pause: "Pause",
  shareAgain: "Share again",
  shareSomethingElse: "Share something else",
  codeToCheck:
    "Your technician sees four words too. Ask them to read theirs aloud: if they are not exactly these, click Doesn't match.",
  codeMatched: "You checked: your technician sees the same four words.",
  codeWaiting: "Four words appear here once your technician has connected, for you to check with them.",
  ended: {
    ended_by_customer: "You ended the session. Nothing more is shared.",
    declined: "You did not allow sharing, so the session has ended. Nothing was shared.",
    cancelled:
      "You cancelled your request for help. Nothing was shared, and the session ID and password no longer work.",
    ended_by_technician: "The technician ended the session. Nothing more is shared.",
    expired:
      "The session reached its time limit. Nothing more is shared. If you still need help, ask your technician for a new link.",
    idle: "The session ended after a period without activity. Nothing more is shared. If you still need help, ask your technician for a new link.",
    intercepted:
      "This connection may be intercepted: your technician's end did not show the certificate your page checked, so the session has ended. Nothing more is shared. Tell your technician, and start again only with a new link or password.",
    codeMismatch:
      "You said the verification code did not match, so the session has ended. Nothing more is shared. Tell your technician by phone.",
    unsupported:
      "This browser cannot make a secure connection. Try a current Chrome, Edge, Firefox or Safari on a computer.",
  },
  /** The customer's own words for the codes a link or the room may refuse them with; other codes use `errors`. */
  refused: {
    SEAT_KEY_INVALID: "This link does not match its session — ask your technician to send it again.",
    SESSION_NOT_FOUND: "There is no session with this code. Ask your technician to send the link again.",
    SESSION_ENDED:
      "This session has ended, so this link no longer works. If you still need help, ask your technician for a new link, or open the home page and choose Get help.",
    SEAT_TAKEN:
      "Someone already opened this link and is in the session, so this page cannot join it. If that was you, go back to that window. If not, tell your technician and ask for a new link.",
    REPLACED: "This session goes on in another tab or window, or in the Tether agent on this computer.",
  },
  chat: {
    peer: "Technician",
  },
  keepOnTop: {
    open: "Keep on top of other windows",
    close: "Put back in the page",
  },
  files: {
    line: (name: string, size: string, mime: string, isIncoming: boolean) =>
      `${isIncoming ? "From your technician" : "To your technician"}: ${name} (${size}${mime ? `, ${mime}` : ""})`,
  },
  recording: {
    always:
      "This organisation records its support sessions: what you share, and what you and the technician say while a microphone is on. You can stop the recording at any time without ending the session.",
    allow:
      "Allow recording: the technician's browser records what you share (and what you and the technician say while a microphone is on). You can stop it at any time without ending the session.",
    stop: "Stop recording",
    allowAgain: "Allow recording",
  },
  /** The technician's zoom of a browser tab the customer shares (its own consent). */
  tabZoom: {
    offered:
      "You are sharing a browser tab: you can let your technician zoom it in and out. They still cannot click, type or scroll in it.",
    allowed: (level: string | null) =>
      level
        ? `Your technician can zoom the tab you share (now ${level}).`
        : "Your technician can zoom the tab you share.",
    allow: "Let my technician zoom this tab",
    stop: "Stop tab zoom",
    refused: "The browser did not allow zooming the shared tab, so your technician cannot zoom it.",
  },
  voice: {
    speaking: "Your technician is speaking.",
  },
  /** What the customer allowed and has not taken back, for the session bar. */
  expiring: (time: string) =>
    `This session ends at ${time}, in less than five minutes. If you need more time, ask your technician to extend it.`,
  allowed: ({ isViewing, isHearing }: { isViewing: boolean; isHearing: boolean }): string => {
    const now = [isViewing ? "see what you share" : "", isHearing ? "hear you" : ""].filter(Boolean);
    return now.length === 0
      ? "Right now your technician can neither see nor hear you."
      : `Right now your technician can ${now.join(" and ")}.`;
  },
  colleagues: {
    asking: (name: string, organisation: string) =>
      `${name} from ${organisation} wants to join this session and see what you share.`,
    admitted: (name: string, organisation: string) => `${name} from ${organisation} also sees what you share.`,
    allow: "Allow",
    deny: "Don't allow",
    remove: "Remove",
    allowLabel: (name: string) => `Allow ${name} to join`,
    denyLabel: (name: string) => `Don't allow ${name} to join`,
    removeLabel: (name: string) => `Remove ${name} from the session`,
  },
  notice: {
    pickerClosed: "Nothing was shared: the picker was closed or sharing is blocked in this browser.",
    captureFailed:
      "This browser could not share the screen. Try a current Chrome, Edge, Firefox or Safari on a computer.",
    stoppedFromBrowser: "You stopped sharing from the browser's control.",
    cameraDenied:
      "Nothing was shared: the camera was not allowed. To share it, allow the camera for this page in the browser's settings, then try again.",
    cameraFailed: "The camera could not be turned on. Close other apps that use it, then try again.",
    resumed:
      "The page was reloaded and your session goes on, but nothing is shared now. Click Share again to choose what your technician may see, or End session.",
    handshakeFailed:
      "A connection attempt failed the security check (a wrong link or password, or someone interfering), so nothing of yours was sent to it.",
    noRelay: (reason: string) => `No relay servers (${reason}); only a direct connection can be tried.`,
    throttled: (failures: number) =>
      `Someone is trying to join this session without the right password or link (${failures} failed ${failures === 1 ? "try" : "tries"}). Tether makes them wait between tries. Only give your password or link to the person you contacted.`,
  },
};

/** The home page's own text (index.html and its Get help); the screens of the session it opens are `customer`'s. */
export const help = {
  markup: {
    "home.title": "Tether: remote support from a link",
    "home.lede":
      "Remote support from a link. You see who is asking before anything is shared, you choose what they may see, and you can stop at any time.",
    "home.getHelpTitle": "Get help",
    "home.getHelpText":
      "If a technician sent you a link, open it in this browser. If you are on the phone with a technician, click Get help and read them the session ID and password that appear.",
    "home.getHelp": "Get help",
    "home.cameraOnly":
      "On this phone you can share your camera, not your screen: your technician sees what you point it at, such as a device, a cable or a display.",
    "home.readTheseTitle": "Read these to your technician",
    "home.sessionId": "Session ID",
    "home.password": "Password",
    "home.waiting": "Waiting for your technician to join. Nothing is shared until you allow it.",
    "home.warningStrong": "Only read these to someone from an organisation you contacted yourself.",
    "home.warning": "Tether staff will never call you unexpectedly or ask you for a code.",
    "home.signIn": "Technician sign-in",
    "home.cancel": "Cancel",
    "home.helpAgain": "Get help again",
  },
  opening: "Opening a session…",
  rotated: {
    failures: "Someone tried a wrong password. Only read the new one to the person you called.",
    expired: (minutes: string) =>
      `Your password was not used for ${minutes}, so it was replaced. Read the new one when your technician asks.`,
  },
};

/** The page that offers the native agent to a customer whose technician asks for control (agent.html). */
export const agentPage = {
  markup: {
    "agentPage.title": "Let your technician control this computer · Tether",
    "agentPage.heading": "Let your technician use your mouse and keyboard",
    "agentPage.intro":
      "A browser can show your screen but cannot let anyone use your mouse and keyboard. The Tether agent can: a small program you run on this computer. It joins your session in place of your session's page, asks you again before your technician sees or controls anything, and stops when you end it.",
    "agentPage.needs": "It runs on Linux with an X11 desktop, and needs Node.js 22 or later and ffmpeg.",
    "agentPage.download": "1. Download the agent (tether-agent.mjs)",
    "agentPage.run":
      "2. In a terminal, in the folder you saved it to, run this command. It holds your session's secret: do not give it to anyone.",
    "agentPage.commandLabel": "Command to run",
    "agentPage.copy": "Copy",
    "agentPage.keepOpen":
      "Keep your session's page open until the agent has joined: that page then says the session goes on elsewhere.",
  },
  noSession:
    "This page has no session to join. Go back to your session's page and choose “Allow it with the Tether agent” there.",
  needsLink:
    "The agent joins sessions opened from a link. Ask your technician to send you a session link, open it, and choose “Allow it with the Tether agent” there.",
};

export const technician = {
  /** The text of the error codes only a technician's pages can meet (the rest are `common.errors`). */
  errors: {
    UNAUTHENTICATED: "You are not signed in. Sign in and try again.",
    SIGN_IN_REVOKED: "You were signed out. Sign in again.",
    CHALLENGE_INVALID: "The passkey request expired. Try again.",
    PASSKEY_INVALID: "This passkey was not accepted. Try another one, or ask your admin.",
    INVITE_INVALID:
      "This invite link does not work: it has already been used, was revoked or has expired. Ask your admin for a new one.",
    LAST_PASSKEY: "This is your only passkey, so it cannot be removed. Add another one first.",
    LAST_ADMIN: "Tether needs at least one admin, so this change was not made.",
    INVALID_NAME: "This name cannot be shown to customers; use plain letters, digits and punctuation.",
    NAME_LOCKED: "An admin has locked this name; ask an admin to change it.",
    SESSION_LIMIT: "You have as many live sessions as you may have. End one, then try again.",
    NOT_OWNER: "This session belongs to another technician.",
    REMOVED_BY_CUSTOMER: "The customer took you out of this session.",
    EXTEND_LIMIT: "This session cannot be extended any further: it has reached the longest time your admin allows.",
    WEBHOOK_TARGET_NOT_ALLOWED: "Webhooks can only go to an https:// address on the public internet.",
    TOKEN_INVALID: "This API token is unknown or was revoked, or it may not do this.",
    RECORDING_NOT_ALLOWED: "Recording is not allowed for this session.",
    RECORDING_PART_INVALID: "Part of the recording did not arrive in order; the recording stopped.",
    RECORDING_STORE_FAILED:
      "The server could not store the recording: its storage failed. What it took before is kept.",
    PLAYBACK_LINK_INVALID: "This playback link has expired. Play the recording again.",
    UNATTENDED_OFF:
      "Unattended access is off on this site. An administrator turns it on with UNATTENDED_ACCESS in wrangler.toml.",
    ENROLMENT_INVALID: "This enrolment link is unknown, used or expired. Make a new one in the console.",
    MACHINE_KEY_INVALID: "The machine's signature did not match its key. Enrol it again with a new link.",
    MACHINE_OFFLINE:
      "This machine is offline: its agent is not running or cannot reach the site. Try again once the console shows it online.",
  } satisfies Record<TechnicianErrorCode, string>,
  markup: {
    "recordings.title": "Recordings",
    "recordings.hint":
      "Sessions recorded with the customer's consent. Every playback and deletion is written to the audit log.",
    "recordings.filter": "Filter recordings",
    "recordings.session": "Session code",
    "recordings.show": "Show",
    "recordings.empty": "No recordings.",
    "recordings.player": "Recording",
    "console.title": "Console · Tether",
    "console.signOut": "Sign out",
    "console.heading": "Console",
    "newSession.title": "New session",
    "newSession.caseNumber": "Case number (optional)",
    "newSession.reference": "Helpdesk reference (optional)",
    "newSession.create": "New session",
    "newSession.code": "Session code",
    "newSession.link": "Session link",
    "newSession.copy": "Copy",
    "newSession.copyLabel": "Copy session link",
    "newSession.view": "View this session",
    "join.title": "Join a customer's session",
    "join.hint": 'The customer clicked "Get help" on the home page and reads you a session ID and a password.',
    "join.code": "Session ID",
    "join.password": "Password",
    "join.submit": "Join",
    "live.title": "Your live sessions",
    "live.none": "None right now.",
    "name.title": "Your name",
    "name.hint": "Customers read it, with the organisation, before they let you in.",
    "name.change": "Change your name",
    "name.locked": "An admin has locked your name; ask an admin to change it.",
    "passkeys.title": "Your passkeys",
    "passkeys.add": "Add a passkey",
    "passkeys.hint": "Removing a passkey signs out every browser that signed in with it.",
    "passkeys.signOutEverywhere": "Sign me out everywhere",
    "tokens.title": "Your API tokens",
    "tokens.hint":
      "A helpdesk app uses a token to start sessions for you. Whoever holds it can do that, so revoke a token you no longer use.",
    "tokens.none": "None yet.",
    "tokens.create": "Create a token",
    "tokens.value": "New token (shown only now)",
    "tokens.copy": "Copy",
    "tokens.copyLabel": "Copy the token",
    "webhooks.title": "Helpdesk webhooks",
    "webhooks.hint":
      "Tether tells your helpdesk when a session is created, starts, fails its check and ends, signed as Standard Webhooks.",
    "webhooks.url": "Receiver address (https://)",
    "webhooks.description": "Description (optional)",
    "webhooks.events": "Events",
    "webhooks.add": "Add endpoint",
    "webhooks.secret": "Signing secret (shown only now)",
    "webhooks.copy": "Copy",
    "webhooks.copyLabel": "Copy the signing secret",
    "webhooks.none": "No endpoints yet.",
    "admin.title": "Technicians",
    "admin.invite": "Invite a technician",
    "admin.inviteLink": "Invite link",
    "admin.copy": "Copy",
    "admin.copyLabel": "Copy invite link",
    "admin.openInvites": "Open invites",
    "admin.noInvites": "None right now.",
    "machines.title": "Machines",
    "machines.hint":
      "Machines enrolled for unattended access: admins may reach every one, any other technician those assigned to them here. Enrol one by running, on the machine itself, the command made here.",
    "machines.hintAssigned": "Machines an admin lets you reach with no one present. Connect to one while it is online.",
    "machines.enrol": "Enrol a machine",
    "machines.command": "Run this on the machine (it works once)",
    "machines.copy": "Copy",
    "machines.copyLabel": "Copy the enrolment command",
    "machines.none": "No machines yet.",
    "machines.noneAssigned": "No machines are assigned to you. An admin can assign you some.",
    "audit.title": "Audit log",
    "audit.hint": "Who did what, and when: signed, append-only, newest first. Check it with this command:",
    "audit.filters": "Filter the audit log",
    "audit.session": "Session code",
    "audit.technician": "Technician id",
    "audit.type": "Event",
    "audit.since": "From",
    "audit.until": "Until",
    "audit.show": "Show",
    "audit.empty": "No entries match.",
    "audit.more": "Older entries",
    "viewer.session": "Session",
    "viewer.actualSize": "Actual size (1:1)",
    "viewer.fullScreen": "Full screen",
    "viewer.zoomIn": "Zoom in",
    "viewer.zoomOut": "Zoom out",
    "viewer.zoomReset": "Reset zoom",
    "viewer.tabZoom": "Zoom the customer's tab",
    "viewer.screens": "Their screens",
    "viewer.tabZoomIn": "Zoom their tab in",
    "viewer.tabZoomOut": "Zoom their tab out",
    "viewer.tabZoomReset": "Reset their tab's zoom",
    "viewer.end": "End session",
    "viewer.back": "Back to console",
    "viewer.invite": "Invite a colleague",
    "viewer.inviteHint":
      "Send this link to a colleague you trust. They open it signed in with their own passkey; the customer sees their name and decides whether to let them in.",
    "viewer.inviteLink": "Link for your colleague",
    "viewer.inviteCopy": "Copy",
    "viewer.inviteCopyLabel": "Copy the link for your colleague",
    "viewer.inviteClose": "Done",
    "viewer.handOverTitle": "Colleagues in this session",
    "viewer.handOverHint":
      "Hand the session to a colleague the customer let in: they own it from then on, and you can leave without ending it.",
    "viewer.annotate": "Show the customer",
    "viewer.point": "Point",
    "viewer.draw": "Draw",
    "viewer.colour": "Colour",
    "viewer.clearDrawing": "Clear drawings",
    "viewer.control": "Control",
    "viewer.ctrlAltDel": "Send Ctrl+Alt+Del",
    "viewer.askControl": "Ask for control",
    "viewer.connectTitle": "Connect to the customer",
    "viewer.password": "Customer's password",
    "viewer.verificationTitle": "Check the verification code",
    "viewer.verificationCode": "Verification code",
    "viewer.matches": "Matches",
    "viewer.differs": "Doesn't match",
    "viewer.screen": "Customer's screen",
    "viewer.stage": "Customer's picture: + and − zoom, the arrows move, 0 resets",
    "viewer.details": "Connection details",
    "viewerChat.title": "Chat with the customer",
    "viewerChat.label": "Your message",
    "viewerChat.send": "Send",
    "viewerChat.clip": "Send to the customer's clipboard",
    "viewerChat.colleague":
      "You read along as a colleague: the session's owner writes to the customer, points, draws and sends files.",
    "viewerFiles.title": "Files",
    "viewerFiles.hint": "Send the customer a file, or drop it here. The customer decides whether to take it.",
    "viewerFiles.choose": "Choose files to send",
    "stat.route": "Connection",
    "stat.relay": "Relay",
    "stat.quality": "Quality",
    "stat.rtt": "Round trip",
    "stat.fps": "Frames per second",
    "stat.bitrate": "Bitrate",
    "stat.resolution": "Resolution",
    "stat.codec": "Codec",
    "stat.restarts": "ICE restarts",
    "enrol.title": "Enrol · Tether",
    "enrol.heading": "Enrol as a technician",
    "enrol.intro": "Create a passkey to sign in to the Tether console. This link works once.",
    "enrol.name": "Your name",
    "enrol.nameHint": "Customers see this name before they allow you to connect.",
    "enrol.create": "Create passkey",
    "signIn.title": "Sign in · Tether",
    "signIn.heading": "Technician sign-in",
    "signIn.intro": "Sign in with the passkey you created when you enrolled, on this device or on your phone.",
    "signIn.button": "Sign in with a passkey",
    "signIn.back": "Back to Tether",
  },
  waitingForPasskey: "Waiting for your passkey…",
  signedIn: "Signed in.",
  enrol: {
    needName: "Enter the name customers will see.",
    created: "Passkey created.",
    incomplete:
      "This enrolment link is incomplete. Open the whole link you were sent, or ask your admin for a new one.",
  },
  passkeyError: {
    cancelled: "The passkey request was cancelled or timed out. Try again when you are ready.",
    exists: "This device already holds a passkey for your account.",
    failed: "Your browser could not use a passkey.",
  },
  /** A name or case number a customer could be misled by, and why; `at` names the character ("U+202E"). */
  nameProblem: (field: NameField, problem: NameProblem) => {
    const what = { displayName: "The display name", caseNumber: "The case number", machineName: "The machine's name" }[
      field
    ];
    switch (problem.kind) {
      case "direction":
        return `${what} contains a character that changes the direction of text (${problem.at}); remove it.`;
      case "control":
        return `${what} contains a control character or line break (${problem.at}); remove it.`;
      case "invisible":
        return `${what} contains an invisible character (${problem.at}); remove it.`;
      case "unassigned":
        return `${what} contains an unassigned or private-use character (${problem.at}); remove it.`;
      case "symbol":
        return `${what} contains a symbol or emoji (${problem.at}); use letters, digits and punctuation only.`;
      case "styled":
        return `${what} contains a styled or full-width form of a character (${problem.at}); type it plainly.`;
      case "script":
        return `${what} contains a letter of a script not accepted in names (${problem.at}); write it in another script.`;
      case "loneMark":
        return `${what} contains an accent mark that is on no letter (${problem.at}); remove it.`;
      case "stackedMarks":
        return `${what} stacks too many accent marks (${problem.at}); remove some.`;
      case "mixedScripts":
        return `${what} mixes ${problem.scripts[0]} and ${problem.scripts[1]} letters; write it in one script.`;
    }
  },
  console: {
    signedInAs: (name: string, isAdmin: boolean) => `Signed in as ${name}${isAdmin ? " (admin)" : ""}`,
    renameMePrompt: "Your name, as customers will see it before they let you in:",
    renamedMe: (name: string) => `Customers now see your name as ${name}.`,
    badCode: "The session ID is nine digits, like 123 456 789.",
    badPassword: "The password is three words, like maple river owl. Ask the customer again.",
    passkeyLabel: (n: number) => `Passkey ${n}`,
    passkeyUsed: (when: string | null) => (when === null ? "never used to sign in" : `last used ${when}`),
    passkeyLine: (label: string, added: string, used: string) => `${label}: added ${added}, ${used}`,
    remove: "Remove",
    removeLabel: (label: string) => `Remove ${label.toLowerCase()}`,
    rename: "Rename",
    renameLabel: (label: string) => `Rename ${label.toLowerCase()}`,
    renamePrompt: (label: string) => `A name for ${label.toLowerCase()} (like "Work laptop"):`,
    badPasskeyName: "A passkey's name is 1 to 64 characters.",
    passkeyRenamed: "Passkey renamed.",
    passkeyRemoved: "Passkey removed; the browsers that signed in with it are signed out.",
    confirmSignOutEverywhere: "Sign out of Tether in every browser, this one included?",
    waitingForNewPasskey: "Waiting for your new passkey…",
    passkeyAdded: "Passkey added.",
    noSecret: "This browser could not make a secret for the link; reload and try again.",
    expires: (when: string) => `Expires ${when}.`,
    sessionCreated: "Session created. Send your customer the whole link: the part after # is its secret.",
    linkNotHere: (code: string) => `${code} (this browser does not hold its link)`,
    sessionDetails: (caseNumber: string | null, reference: string | null, expires: string) =>
      [
        caseNumber === null ? "" : `case ${caseNumber}`,
        reference === null ? "" : `helpdesk ${reference}`,
        `expires ${expires}`,
      ]
        .filter(Boolean)
        .join(", "),
    view: "View",
    viewLabel: (code: string) => `View session ${code}`,
    inviteExpiry: (when: string) => `Works once, until ${when}.`,
    inviteCreated: "Invite link created. Send it to the technician over a channel you trust.",
    copied: "Copied.",
    notCopied: "Could not copy; the link is selected, copy it with your keyboard.",
  },
  helpdesk: {
    tokenLine: (name: string, created: string, used: string | null) =>
      `${name}: created ${created}, ${used === null ? "never used" : `last used ${used}`}`,
    revoke: "Revoke",
    revokeLabel: (name: string) => `Revoke the token ${name}`,
    tokenNamePrompt: "A name for the token, like the helpdesk app that will use it:",
    badTokenName: "A token's name is 1 to 60 characters.",
    tokenCreated: "Token created. Copy it now: it is not shown again.",
    tokenRevoked: "Token revoked: it no longer works.",
    eventName: {
      "session.created": "session created",
      "session.started": "session started",
      "session.verification_failed": "check failed",
      "session.ended": "session ended",
      "recording.available": "recording available",
    } satisfies Record<WebhookEventType, string>,
    endpointLine: (url: string, description: string, events: string, state: string) =>
      `${url}${description ? ` (${description})` : ""}: ${events}. ${state}`,
    delivering: "Delivering.",
    retrying: (failures: number, next: string) =>
      `The last ${failures === 1 ? "attempt" : `${failures} attempts`} failed; next try ${next}.`,
    stopped: (when: string) => `Stopped ${when}: every retry of a message failed. Fix the receiver, then enable it.`,
    log: "Delivery log",
    logLabel: (url: string) => `Delivery log of ${url}`,
    enable: "Enable",
    enableLabel: (url: string) => `Enable ${url} again`,
    remove: "Remove",
    removeLabel: (url: string) => `Remove ${url}`,
    confirmRemove: (url: string) => `Remove the endpoint ${url}? It will receive nothing more.`,
    attemptLine: (id: string, event: string, attempt: number, at: string, status: number | null, isManual: boolean) =>
      `${id} (${event}), ${isManual ? "sent again by hand" : `attempt ${attempt}`}, ${at}: ${status === null ? "no answer" : `HTTP ${status}`}`,
    redeliver: "Send again",
    redeliverLabel: (id: string) => `Send again: ${id}`,
    redelivered: (isDelivered: boolean): string =>
      isDelivered ? "Sent again; the receiver accepted it." : "Sent again; the receiver did not accept it.",
    noAttempts: "Nothing sent yet.",
    needEvents: "Choose at least one event.",
    added: "Endpoint added. Copy its signing secret now: it is not shown again.",
    enabled: "Endpoint enabled: delivery goes on from where it stopped.",
    removed: "Endpoint removed.",
  },
  machines: {
    machineLine: (
      m: { name: string; os: string; isOnline: boolean; isBusy: boolean },
      key: string,
      enrolled: string,
      lastSeen: string | null,
    ) =>
      `${m.name} (${m.os}), key ${key}, enrolled ${enrolled}: ${m.isOnline ? (m.isBusy ? "online, in a session" : "online") : `offline, last seen ${lastSeen ?? "never"}`}`,
    created: (until: string) => `Enrolment command made: run it on the machine. It works once, until ${until}.`,
    rename: "Rename",
    renameLabel: (name: string) => `Rename ${name}`,
    renamePrompt: (name: string) => `The name of ${name} in the console:`,
    renamed: (name: string) => `The machine is now called ${name}.`,
    remove: "Remove",
    removeLabel: (name: string) => `Remove ${name}`,
    confirmRemove: (name: string) => `Remove ${name}? Its key stops working; it must be enrolled again to be reached.`,
    removed: (name: string) => `${name} was removed.`,
    connect: "Connect",
    connectLabel: (name: string) => `Connect to ${name}`,
    access: (count: number) =>
      count === 0
        ? "Who may reach it: admins only"
        : `Who may reach it: admins and ${count} technician${count === 1 ? "" : "s"}`,
    accessLabel: (name: string) => `Technicians who may reach ${name}`,
    noneAssignable: "There are no technicians besides the admins, who reach every machine.",
    accessChanged: (technician: string, machine: string, isAssigned: boolean) =>
      isAssigned ? `${technician} may now reach ${machine}.` : `${technician} may no longer reach ${machine}.`,
  },
  admin: {
    technicianLine: (
      t: { name: string; isAdmin: boolean; nameLocked: boolean; passkeys: number; liveSessions: number },
      lastSignIn: string | null,
      isYou: boolean,
    ) =>
      `${t.name}${t.isAdmin ? " (admin)" : ""}${t.nameLocked ? " (name locked)" : ""}: ${t.passkeys} passkey${t.passkeys === 1 ? "" : "s"}, last sign-in ${lastSignIn ?? "never"}, ${t.liveSessions} live session${t.liveSessions === 1 ? "" : "s"}${isYou ? " (you)" : ""}`,
    promote: "Make admin",
    demote: "Take admin rights",
    promoteLabel: (name: string) => `Make admin: ${name}`,
    demoteLabel: (name: string) => `Take admin rights from ${name}`,
    editName: "Edit name",
    editNameLabel: (name: string) => `Edit name of ${name}`,
    editNamePrompt: (name: string) => `The name customers see for ${name}:`,
    nameChanged: (name: string) => `The display name is now ${name}.`,
    lockName: "Lock name",
    lockNameLabel: (name: string) => `Lock name of ${name}`,
    unlockName: "Unlock name",
    unlockNameLabel: (name: string) => `Unlock name of ${name}`,
    nameLockChanged: (name: string, isLocked: boolean) =>
      isLocked
        ? `${name}'s display name is locked: only an admin can change it.`
        : `${name} can change their name again.`,
    remove: "Remove",
    removeLabel: (name: string) => `Remove ${name}`,
    confirmRemove: (name: string) =>
      `Remove ${name}? Their passkeys stop working, they are signed out everywhere and leave their sessions within a minute.`,
    removed: (name: string) => `${name} was removed and signed out everywhere.`,
    roleChanged: (name: string, isAdmin: boolean) =>
      isAdmin ? `${name} is now an admin.` : `${name} is no longer an admin.`,
    inviteLine: (isAdmin: boolean, by: string | null, expires: string) =>
      `${isAdmin ? "Admin invite" : "Invite"} by ${by ?? "the command line"}, works until ${expires}`,
    revoke: "Revoke",
    revokeLabel: (expires: string) => `Revoke the invite that works until ${expires}`,
    revoked: "Invite revoked: its link no longer works.",
  },
  audit: {
    anyType: "Any event",
    types: {
      technician_enrolled: "technician enrolled",
      technician_invited: "technician invited",
      invite_revoked: "invite revoked",
      technician_removed: "technician removed",
      technician_role_changed: "technician role changed",
      passkey_added: "passkey added",
      passkey_removed: "passkey removed",
      sign_in_succeeded: "sign in succeeded",
      sign_in_failed: "sign in failed",
      signed_out: "signed out",
      session_created: "session created",
      handshake_succeeded: "handshake succeeded",
      handshake_failed: "handshake failed",
      technician_admitted: "technician admitted",
      technician_dropped: "technician dropped",
      colleague_invited: "colleague invited",
      colleague_admitted: "colleague let in by the customer",
      colleague_removed: "colleague taken out by the customer",
      session_handed_over: "session handed over",
      session_ended: "session ended",
      session_extended: "session extended",
      verification_mismatch: "verification code did not match",
      consent_given: "customer allowed",
      consent_withdrawn: "customer withdrew consent",
      webhook_added: "webhook added",
      webhook_removed: "webhook removed",
      api_token_created: "API token created",
      api_token_revoked: "API token revoked",
      recording_started: "recording started",
      recording_stopped: "recording stopped",
      recording_deleted: "recording deleted",
      recording_played: "recording played back",
      file_transferred: "file transferred",
      machine_enrolment_created: "machine enrolment made",
      machine_enrolled: "machine enrolled",
      machine_renamed: "machine renamed",
      machine_removed: "machine removed",
      machine_session_opened: "unattended session opened",
      machine_assigned: "machine assigned to a technician",
      machine_unassigned: "machine taken back from a technician",
    } satisfies Record<AuditType, string>,
    line: (seq: number, time: string, type: string, actor: string, session: string | null) =>
      `#${seq} ${time}: ${type} by ${actor}${session ? ` in session ${session}` : ""}`,
    noValue: "none",
    unreadable: "An entry could not be read; run npm run audit:verify.",
    badSession: "A session code is 9 digits.",
  },
  chat: {
    peer: "Customer",
    owner: "Session owner",
  },
  files: {
    line: (name: string, size: string, mime: string, isIncoming: boolean) =>
      `${isIncoming ? "From the customer" : "To the customer"}: ${name} (${size}${mime ? `, ${mime}` : ""})`,
  },
  recording: {
    started: "Recording: the customer's screen is being recorded and uploaded.",
    stopped: "The recording stopped and was saved.",
    failed: (error: string) => `The recording stopped: ${error}`,
  },
  recordings: {
    line: (session: string, started: string, size: string, isUploading: boolean) =>
      `Session ${session}, ${started}, ${size}${isUploading ? ", still uploading" : ""}`,
    hash: (sha256: string) => `SHA-256 ${sha256}`,
    deletesOn: (date: string) => `Deleted automatically on ${date}.`,
    play: "Play",
    playLabel: (started: string) => `Play the recording of ${started}`,
    delete: "Delete",
    deleteLabel: (started: string) => `Delete the recording of ${started}`,
    deleted: "Recording deleted.",
    playing: (started: string) => `Playing the recording of ${started}.`,
    badSession: "A session code is 9 digits.",
  },
  voice: {
    speaking: "The customer is speaking.",
  },
  viewer: {
    expiry: {
      at: (time: string) => `The session ends at ${time}.`,
      soon: (time: string, canExtend: boolean) =>
        canExtend
          ? `The session ends at ${time}, in less than five minutes. Extend it if you need more time.`
          : `The session ends at ${time}, in less than five minutes. It cannot be extended further.`,
      extend: "Extend session",
    },
    colours: { red: "Red", yellow: "Yellow", blue: "Blue", green: "Green" } satisfies Record<StrokeColour, string>,
    tabZoom: {
      offered: "The customer is sharing a browser tab: they can let you zoom it from their session bar.",
      level: (level: string) => `Their tab's zoom: ${level}`,
    },
    askControl: {
      asked:
        "Asked for control: the customer's page offers them the Tether agent, which joins this session in its place.",
    },
    screens: {
      screen: (number: number, size: string) => `Screen ${number} (${size})`,
    },
    surface: {
      monitor: "their whole screen",
      window: "a window",
      browser: "a browser tab",
      unknown: "their screen",
      camera: "their camera",
    },
    customer: {
      notYet: "The customer has not opened the session yet.",
      lost: (until: string | null) =>
        until
          ? `The customer lost their connection. They can come back until ${until}.`
          : "The customer lost their connection.",
      deciding: "The customer is connected and deciding whether to allow viewing.",
      cameraOnly:
        "The customer is on a phone: camera only. They can show you a device, a cable or a display through their camera, not their screen.",
      sharing: (surface: string) => `The customer is sharing ${surface}. View only.`,
      /** The customer's native agent lets the technician use its mouse and keyboard. */
      sharingControl: (surface: string) =>
        `The customer is sharing ${surface} and lets you use their mouse and keyboard: choose Control, then click the picture.`,
      paused: "The customer paused sharing.",
      stopped: "The customer stopped sharing.",
    },
    /** The same lines for a session with an enrolled machine (unattended: its agent, and maybe nobody at it). */
    machine: {
      notYet: "Waiting for the machine's agent to join. While the machine is online, that takes a few seconds.",
      /** The machine was in another session, whose technician is connected, as this one was opened. */
      busy: "The machine is in another session, with its technician connected. Yours starts as soon as that one ends or its technician leaves.",
      lost: (until: string | null) =>
        until
          ? `The machine lost its connection. Its agent can come back until ${until}.`
          : "The machine lost its connection.",
      starting: "The machine's agent is connected and starts sharing its screen.",
      sharing: "The machine is sharing its screen. View only.",
      sharingControl:
        "The machine is sharing its screen and lets you use its mouse and keyboard: choose Control, then click the picture.",
      paused: "Someone at the machine paused sharing.",
      stopped: "Someone at the machine stopped sharing.",
      waiting: "Waiting for the machine…",
      waitingForScreen: "Waiting for the machine's screen…",
      ended: {
        ended_by_customer:
          "The session ended at the machine: someone there clicked End, its agent stopped, or it went on to a newer session while you were away.",
        expired: "The session reached its time limit. Connect again from Machines if you still need the machine.",
        idle: "The session ended after a period without activity. Connect again from Machines if you still need the machine.",
      },
    },
    overlay: {
      ended: "Session ended.",
      declined: "The customer did not allow viewing.",
      signalingLost: "Connection to Tether lost; reconnecting…",
      waitingForCustomer: "Waiting for the customer…",
      paused: "Paused by the customer.",
      stopped: "The customer stopped sharing.",
      reconnecting: "Connection interrupted; reconnecting…",
      customerLost: "The customer lost their connection.",
      waitingForAllow: "Waiting for the customer to allow viewing…",
      waitingForCamera: "Waiting for the customer to allow the camera…",
      intercepted: "This connection may be intercepted.",
    },
    check: {
      needsPassword: "Type the password the customer reads to you, then Connect.",
      wrongPassword: "The password did not match. Ask the customer to read it again, then type it below.",
      running: "Checking that the customer's page holds this session's secret…",
      waiting: (wait: string) =>
        `Too many tries for this session: Tether asks to wait ${wait}. The next try starts by itself.`,
      refused: "The customer's page did not accept this session's secret, so nothing was connected.",
      failed:
        "The customer's page could not prove this session's secret; someone may be interfering. Nothing was connected.",
      linkHint: "Nothing connects until the customer's page has proved the session's secret.",
      passwordHint:
        "The customer's page shows a three-word password. It never reaches Tether's servers: only their page can check it.",
      noLinkSecret: "A session link's secret is kept only in the browser tab that created the session.",
      connect: "Connect",
      tryAgain: "Try again",
      badPassword: "The password is three words, like maple river owl. Ask the customer again.",
      machineRunning: "Checking that the machine holds the key it was enrolled with…",
      machineFailed:
        "The machine could not prove it holds the key it was enrolled with; someone may be standing in for it. Nothing was connected.",
      machineHint: "Nothing connects until the machine has signed this connection with the key it was enrolled with.",
    },
    verification: {
      toCheck:
        "Read these four words to the customer, or ask them to read theirs. If they differ, click Doesn't match.",
      matched: "You checked: the customer sees the same four words.",
      machine:
        "The machine signed this connection with the key it was enrolled with. It is the key the console shows for it.",
    },
    ended: {
      ended_by_customer: "The customer ended the session.",
      declined:
        "The customer did not allow you to see their screen: they clicked Don't allow, and nothing was shared. If they still want help, talk it through with them, then create a new session.",
      ended_by_technician: "You ended the session.",
      expired: "The session reached its time limit. If the customer still needs help, create a new session.",
      idle: "The session ended after a period without activity. If the customer still needs help, create a new session.",
      intercepted:
        "This connection may be intercepted: the customer's end did not show the certificate the handshake proved, so the session has ended. Nothing more is shown. Call the customer and start again with a new session.",
      codeMismatch: "You said the verification code did not match, so the session has ended.",
      unsupported: "This browser cannot make a secure connection. Use a current Chrome, Edge, Firefox or Safari.",
    },
    /** The technician's own words for the codes the room may refuse a viewer with; other codes use `errors`. */
    refused: {
      NOT_OWNER:
        "This session belongs to another technician: the customer's page confirmed them, or they created it. You cannot view it.",
      REMOVED_BY_CUSTOMER:
        "The customer took you out of this session. You no longer see their screen and cannot join it again.",
      SESSION_NOT_FOUND: "There is no session with this code.",
      SESSION_ENDED: "This session has ended.",
      REPLACED: "This session was opened in another tab or window.",
    },
    colleague: {
      waiting: "You joined as a colleague. The customer decides whether to let you in; then you see what they share.",
      handOver: (name: string) => `Hand the session to ${name}`,
      confirmHandOver: (name: string) => `Confirm: hand the session to ${name}`,
      confirmHint: "Click again to confirm. You can then leave; the session goes on with your colleague.",
    },
    noRelay: (reason: string) => `No relay servers (${reason}); only a direct connection can be tried.`,
    relayFailure: {
      refused: "Could not reach the relay server: it refused this session's credentials. Check TURN_SECRET.",
      unreachable: "Could not reach the relay server. Check TURN_URLS and that the network lets the browser reach it.",
    },
    relay: {
      none: "Off — direct connections only",
      coturn: "coturn",
      cloudflare: "Cloudflare",
      forced: (name: string) => `${name}, for every connection`,
      fallback: (name: string) => `${name}, when a direct path fails`,
    },
    route: {
      relayed: "Relayed",
      relayedOver: (protocol: string) => `Relayed (${protocol.toUpperCase()})`,
      direct: "Direct",
      connected: "Connected",
      noRelay: "Failed: no relay",
      reconnecting: "Reconnecting…",
      connecting: "Connecting…",
      none: "Not connected",
    },
    /** A bitrate: the number comes formatted. */
    bitrate: (kbps: string) => `${kbps} kbit/s`,
    quality: { good: "good", fair: "fair", poor: "poor" },
  },
};

/**
 * The native agent's terminal (client/agent): what it says and asks, in lines of plain text. Its ends, refusals and
 * notices are the customer's (`customer.ended`, `customer.refused`, `customer.notice`).
 */
export const agent = {
  serve: {
    online: (name: string) => `${name} is online for unattended access. Press Ctrl+C to stop.`,
    unreachable: "The site cannot be reached; trying again…",
    removed: "This machine was removed in the console, so the agent stops. Enrol it again to reach it.",
    off: "Unattended access is off on this site now, so the agent stops.",
    noIdentity: (file: string) =>
      `This machine is not enrolled: ${file} does not exist. Enrol it first with the console's command.`,
    badIdentity: (file: string) => `The machine's identity in ${file} cannot be read. Enrol the machine again.`,
    refused: "The site did not accept this machine's heartbeat (check the machine's clock); trying again…",
    stopped: "The agent stopped.",
  },
  enrol: {
    badLink:
      "That is not a machine enrolment link. Run the whole command the console showed: enrol https://…/enrol-machine#…",
    enrolling: "Enrolling this machine…",
    enrolled: (name: string, key: string, file: string) =>
      `This machine is enrolled as ${name}. Its key: ${key} (the console shows the same). Its identity is in ${file}.`,
    already: (file: string) =>
      `This machine is enrolled already: ${file} exists. To enrol it again, remove it in the console and delete that file.`,
    off: "Unattended access is off on this site; ask its administrator.",
    linkUsed: "This enrolment link is unknown, used or expired. Make a new one in the console.",
    keyRefused: "The site did not accept this machine's key. Make a new link and enrol again.",
    rateLimited: "Too many tries from this network. Wait a minute, then try again.",
    unreachable: "The site could not be reached. Check the link and the network, then try again.",
    failed: "The enrolment failed. Try again with a new link.",
    notSaved: (file: string) => `The machine's identity could not be saved in ${file}.`,
  },
  link: {
    notALink:
      "That is not a Tether session link. Start the agent with the whole link your technician sent you: https://…/j/123456789#…",
    noSecret: "The link is missing its last part (after the #). Copy the whole link, then try again.",
    badSecret: "The link is damaged. Copy the whole link again, or ask your technician for a new one.",
    insecure: "The link must start with https://.",
  },
  connecting: "Connecting to the session…",
  reconnecting: "The connection dropped; trying again…",
  waiting: "Waiting for your technician…",
  asking: (name: string, organisation: string) => `${name} (${organisation}) is asking to see your screen.`,
  caseNumber: (caseNumber: string) => `Case number: ${caseNumber}`,
  warning: "Only continue if you contacted this organisation yourself. Tether staff will never call you unexpectedly.",
  verificationCode: (code: string) => `Verification code: ${code}`,
  confirmCode: "Does your technician read out exactly these four words? Type y (yes) or n (no), then Enter: ",
  allowView: "Allow them to see your screen (view only, no control)? Type y (yes) or n (no), then Enter: ",
  yesNo: "Please type y (yes) or n (no).",
  /** The answers the questions take, and the word that ends the session. */
  yes: "y",
  no: "n",
  endWord: "end",
  viewing: "Your technician can see your screen now. Type end and press Enter (or press Ctrl+C) to end the session.",
  allowControl:
    "Also let them use your mouse and keyboard? They could then click and type on this computer as you can. Type y (yes) or n (no), then Enter: ",
  stopWord: "stop",
  controlWord: "control",
  controlOn:
    "Your technician can now use your mouse and keyboard. Press Ctrl+Alt+End, or type stop and press Enter, to take it back at once; end ends the session.",
  controlOff:
    "Your technician can no longer use your mouse and keyboard; they can still see your screen. Type control and press Enter to let them again.",
  /** The strip on the screen while connected (latin-1 only: the X server's built-in font). */
  indicatorViewing: (name: string) => `Tether: ${name} can see your screen.`,
  indicatorControl: (name: string) => `Tether: ${name} controls your mouse and keyboard. Ctrl+Alt+End takes it back.`,
  indicatorEnd: "End",
  /** The title of the dialog's window, where it is the desktop toolkit's (indicator/toolkit-dialog.ts). */
  dialogTitle: "Tether remote support",
  /**
   * The dialog on the screen that asks what the terminal asks, with a button for each answer (any characters in the
   * desktop toolkit's dialog; the built-in one has Latin-1 only, and shows English in their place).
   */
  dialog: {
    confirmCode: {
      question: "Does your technician read out exactly these four words?",
      yes: "Matches",
      no: "Doesn't match",
    },
    allowView: { question: "Allow them to see your screen? View only, no control.", yes: "Allow", no: "Don't allow" },
    allowControl: {
      question: "Also let them use your mouse and keyboard? They could click and type here as you can.",
      yes: "Allow control",
      no: "View only",
    },
  },
  captureFailed: "Your screen could not be captured any more, so the session has ended. Nothing more is shared.",
};
