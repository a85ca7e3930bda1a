import { MAX_CHAT_CHARS } from "#protocol/control.ts";

// A session's chat as one page keeps it: the messages both ways in order, which of the other side's this page has
// shown its person (unread), and which of its own the other side has read. No DOM and no clock of its own: the pages
// (and the native agent) pass the time, send through the control channel and draw the entries.

export type ChatEntry = {
  /**
   * Whose message: this page's person, or the other side; on a colleague's viewer also "owner", the owning
   * technician's messages to the customer, which the customer's page passes on.
   */
  from: "me" | "peer" | "owner";
  /** The sender's id for it (its own counter). */
  id: number;
  text: string;
  /** The sender's clock when it was sent. */
  sentAt: number;
  /** This page's clock when it arrived or was sent. */
  at: number;
  /** For this page's messages: the other side has shown it. */
  isRead: boolean;
  /** Text pushed for the receiver's clipboard (copied there only at their click). */
  isClipboard: boolean;
};

/** What the chat sends on the control channel. */
export type ChatOut =
  | { type: "chat"; id: number; text: string; sentAt: number; isClipboard?: boolean }
  | { type: "chatRead"; upTo: number };

/** Messages a page keeps; the oldest go first beyond this. */
export const MAX_CHAT_ENTRIES = 500;

/** Why a message was not sent. */
export type ChatRefusal = "empty" | "tooLong";

export class ChatLog {
  readonly #list: ChatEntry[] = [];
  #nextId = 1;
  /** The other side's messages this page's person has not seen yet. */
  #unread = 0;
  /** The id of the other side's latest message. */
  #lastPeerId = 0;

  readonly #send: (msg: ChatOut) => void;
  readonly #now: () => number;
  /** Runs after every change of the entries, or of what is unread or read. */
  readonly #onChange: () => void;

  constructor(send: (msg: ChatOut) => void, now: () => number, onChange: () => void = () => {}) {
    this.#send = send;
    this.#now = now;
    this.#onChange = onChange;
  }

  /** Every message, oldest first. */
  get entries(): readonly ChatEntry[] {
    return this.#list;
  }

  /** The other side's messages this page's person has not seen yet. */
  get unread(): number {
    return this.#unread;
  }

  /**
   * Sends `text` (a message trimmed; text for the other person's clipboard as it is); a refusal says why nothing was
   * sent.
   */
  say(text: string, isClipboard = false): ChatRefusal | null {
    const body = isClipboard ? text : text.trim();
    if (body.trim().length === 0) return "empty";
    if (body.length > MAX_CHAT_CHARS) return "tooLong";
    const at = this.#now();
    const id = this.#nextId++;
    // Out first, drawn after: the other side's page need not wait for this one's.
    this.#send({ type: "chat", id, text: body, sentAt: at, ...(isClipboard ? { isClipboard } : {}) });
    this.#keep({ from: "me", id, text: body, sentAt: at, at, isRead: false, isClipboard });
    return null;
  }

  /**
   * A chat message from the other side. Ids count up per page, and the channel is ordered and sends each message
   * once, so a lower id is not a repeat but a new page over there (a technician's reload, a hand-over to a colleague):
   * its messages are taken like any.
   */
  receive(msg: { id: number; text: string; sentAt: number; isClipboard?: boolean | undefined }): void {
    this.#lastPeerId = msg.id;
    this.#unread += 1;
    const isClipboard = msg.isClipboard === true;
    this.#keep({
      from: "peer",
      id: msg.id,
      text: msg.text,
      sentAt: msg.sentAt,
      at: this.#now(),
      isRead: false,
      isClipboard,
    });
  }

  /** The other side has shown this page's messages up to `upTo`. */
  peerRead(upTo: number): void {
    for (const entry of this.#list) if (entry.from === "me" && entry.id <= upTo) entry.isRead = true;
    this.#onChange();
  }

  /** This page's person has seen everything the other side sent: it is told, once per new message. */
  markRead(): void {
    if (this.#unread === 0) return;
    this.#unread = 0;
    this.#send({ type: "chatRead", upTo: this.#lastPeerId });
    this.#onChange();
  }

  #keep(entry: ChatEntry): void {
    this.#list.push(entry);
    if (this.#list.length > MAX_CHAT_ENTRIES) this.#list.splice(0, this.#list.length - MAX_CHAT_ENTRIES);
    this.#onChange();
  }
}
