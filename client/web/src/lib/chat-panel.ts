import type { ChatEntry, ChatRefusal } from "../../../core/chat.ts";
import { formatClock } from "../i18n/format.ts";
import { announce, byId, setText } from "./dom.ts";

// The chat panel of the customer's page and of the viewer: the log (text only, drawn as text), a box to write in
// (Enter sends, Shift+Enter starts a new line), an unread count, and while the page is hidden a flashing title and
// a short tone for each new message. The session (core/chat.ts) keeps the messages; this draws them.

/** The words of a chat panel, from the page's catalogue. */
export type ChatTexts = {
  you: string;
  peer: string;
  /** A colleague's viewer: the owning technician, whose messages the customer's page passes on. */
  owner?: string;
  read: string;
  unread: (count: number) => string;
  titleFlash: (count: number, title: string) => string;
  empty: string;
  tooLong: string;
  /** Beside text that was sent for a clipboard, and the button that copies it. */
  forClipboard: string;
  copy: string;
  copied: string;
  notCopied: string;
};

/** What the panel does with what the person writes, and how it tells the session they have seen the messages. */
export type ChatActions = { say(text: string, isClipboard: boolean): ChatRefusal | null; markRead(): void };

export type ChatPanel = {
  /** Draws the log; `isOpen`: the connection is up, so a message can go out now. */
  render(entries: readonly ChatEntry[], unread: number, isOpen: boolean): void;
};

/** A short, quiet tone; silent where the browser allows no sound yet. */
function chime(): void {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const volume = audio.createGain();
    volume.gain.value = 0.05;
    tone.frequency.value = 660;
    tone.connect(volume).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.12);
    tone.addEventListener("ended", () => void audio.close());
  } catch {
    // No audio: the title still flashes.
  }
}

/**
 * Wires the panel whose elements are `prefix-section`, `-log`, `-form`, `-text`, `-send` (a message), `-clip` (the
 * text for the other person's clipboard) and `-unread`.
 */
export function chatPanel(prefix: string, texts: () => ChatTexts, actions: ChatActions): ChatPanel {
  const section = byId(`${prefix}-section`);
  const log = byId(`${prefix}-log`, HTMLOListElement);
  const form = byId(`${prefix}-form`, HTMLFormElement);
  const text = byId(`${prefix}-text`, HTMLTextAreaElement);
  const send = byId(`${prefix}-send`, HTMLButtonElement);
  const clip = byId(`${prefix}-clip`, HTMLButtonElement);
  const badge = byId(`${prefix}-unread`);
  const drawn = new Map<string, HTMLLIElement>();
  // The page's own title while it flashes the unread count; restored only if it still shows the flash (a language
  // change meanwhile already put the page's title, in the new language, back).
  let flash: { base: string; shown: string } | null = null;
  const flashTitle = (unread: number) => {
    const base = flash?.base ?? document.title;
    flash = { base, shown: texts().titleFlash(unread, base) };
    document.title = flash.shown;
  };
  const restoreTitle = () => {
    if (flash && document.title === flash.shown) document.title = flash.base;
    flash = null;
  };
  let lastUnread = 0;
  let last: { entries: readonly ChatEntry[]; unread: number; isOpen: boolean } | null = null;

  // The panel may sit in an always-on-top window: it is seen when the document it is in now is.
  const isSeen = () => section.ownerDocument.visibilityState === "visible" && !section.hidden;

  function line(entry: ChatEntry): HTMLLIElement {
    const item = document.createElement("li");
    item.className = entry.from === "me" ? "mine" : "theirs";
    const who = document.createElement("strong");
    const time = document.createElement("time");
    time.dateTime = new Date(entry.sentAt).toISOString();
    const body = document.createElement("span");
    body.className = "text";
    body.textContent = entry.text;
    const receipt = document.createElement("span");
    receipt.className = "receipt";
    item.append(who, " ", time, " ", body, " ", receipt);
    if (entry.isClipboard) {
      const tag = document.createElement("span");
      tag.className = "tag";
      item.append(" ", tag);
      // Written to this person's clipboard only at their click: a page may not, and should not, do it unasked.
      if (entry.from === "peer") {
        const copy = document.createElement("button");
        copy.type = "button";
        copy.className = "secondary";
        copy.addEventListener("click", () => {
          void navigator.clipboard.writeText(entry.text).then(
            () => announce(() => texts().copied),
            () => announce(() => texts().notCopied, true),
          );
        });
        item.append(" ", copy);
      }
    }
    return item;
  }

  /** Words an item in `t` (drawing it again writes only what changed: a long log stays cheap to draw). */
  function fill(item: HTMLLIElement, entry: ChatEntry, t: ChatTexts): void {
    const [who, time, , receipt] = [...item.children] as HTMLElement[];
    if (who) setText(who, entry.from === "me" ? t.you : (entry.from === "owner" && t.owner) || t.peer);
    if (time) setText(time, formatClock(entry.sentAt));
    if (receipt) setText(receipt, entry.from === "me" && entry.isRead ? t.read : "");
    const tag = item.querySelector<HTMLElement>(".tag");
    if (tag) setText(tag, t.forClipboard);
    const copy = item.querySelector("button");
    if (copy) setText(copy, t.copy);
  }

  function render(entries: readonly ChatEntry[], unread: number, isOpen: boolean): void {
    // Seen as it is drawn: the other side hears so first, and marking it read draws the log again, nothing unread.
    if (unread > 0 && isSeen()) {
      actions.markRead();
      return;
    }
    last = { entries, unread, isOpen };
    const keys = new Set<string>();
    const t = texts();
    for (const entry of entries) {
      // Ids count per page: a reload or a hand-over on the other side starts again, at a later time of arrival.
      const key = `${entry.from}:${entry.id}:${entry.at}`;
      keys.add(key);
      let item = drawn.get(key);
      if (!item) {
        item = line(entry);
        drawn.set(key, item);
        log.append(item);
      }
      fill(item, entry, t);
    }
    for (const [key, item] of drawn) {
      if (keys.has(key)) continue;
      item.remove();
      drawn.delete(key);
    }
    text.disabled = !isOpen;
    send.disabled = !isOpen;
    clip.disabled = !isOpen;
    badge.hidden = unread === 0;
    badge.textContent = unread === 0 ? "" : texts().unread(unread);
    if (unread > lastUnread && !isSeen()) {
      flashTitle(unread);
      chime();
    }
    if (unread === 0) restoreTitle();
    lastUnread = unread;
  }

  function submit(isClipboard = false): void {
    const refusal = actions.say(text.value, isClipboard);
    if (refusal === null) {
      text.value = "";
      return;
    }
    announce(() => (refusal === "tooLong" ? texts().tooLong : texts().empty), true);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  clip.addEventListener("click", () => submit(true));
  text.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    submit();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    restoreTitle();
    if (last && last.unread > 0 && !section.hidden) actions.markRead();
  });
  return { render };
}
