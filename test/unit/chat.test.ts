import { describe, expect, it } from "vitest";
import { MAX_CHAT_CHARS, parseControlMessage } from "#protocol/control.ts";
import { ChatLog, type ChatOut, MAX_CHAT_ENTRIES } from "../../client/core/chat.ts";

// A session's chat as each page keeps it, two logs wired to each other through the control protocol's parser, on a
// clock the test moves.

function pairOfLogs() {
  const clock = { now: 1_800_000_000_000 };
  const wire: { to: "a" | "b"; msg: ChatOut }[] = [];
  const a = new ChatLog(
    (msg) => wire.push({ to: "b", msg }),
    () => clock.now,
  );
  const b = new ChatLog(
    (msg) => wire.push({ to: "a", msg }),
    () => clock.now,
  );
  /** Delivers what is on the wire, each message parsed as the receiving page parses it. */
  const deliver = () => {
    for (const { to, msg } of wire.splice(0)) {
      const parsed = parseControlMessage(JSON.stringify(msg));
      if (!parsed.ok) throw new Error(parsed.error.message);
      const log = to === "a" ? a : b;
      if (parsed.msg.type === "chat") log.receive(parsed.msg);
      if (parsed.msg.type === "chatRead") log.peerRead(parsed.msg.upTo);
    }
  };
  return { clock, wire, a, b, deliver };
}

describe("chat", () => {
  it("carries messages both ways in order, with the sender's time, and counts what is unread", () => {
    const { clock, a, b, deliver } = pairOfLogs();
    expect(a.say("  Hello, can you see my screen?  ")).toBeNull();
    clock.now += 5_000;
    expect(a.say("The error is in the corner")).toBeNull();
    deliver();
    expect(b.entries.map((e) => [e.from, e.text, e.sentAt])).toEqual([
      ["peer", "Hello, can you see my screen?", 1_800_000_000_000],
      ["peer", "The error is in the corner", 1_800_000_005_000],
    ]);
    expect(b.unread).toBe(2);
    expect(b.say("Yes, I see it")).toBeNull();
    deliver();
    expect(a.entries.map((e) => e.from)).toEqual(["me", "me", "peer"]);
    expect(a.unread).toBe(1);
  });

  it("marks this side's messages read when the other side says it showed them, once per new message", () => {
    const { a, b, wire, deliver } = pairOfLogs();
    a.say("one");
    a.say("two");
    deliver();
    b.markRead();
    b.markRead();
    expect(wire.filter((w) => w.msg.type === "chatRead")).toHaveLength(1);
    deliver();
    expect(a.entries.map((e) => e.isRead)).toEqual([true, true]);
    expect(b.unread).toBe(0);
    a.say("three");
    deliver();
    expect(b.unread).toBe(1);
    expect(a.entries.at(-1)?.isRead).toBe(false);
  });

  it("sends a message before its page draws it: the other side's page need not wait for this one's", () => {
    const wire: ChatOut[] = [];
    const onTheWireWhenDrawn: number[] = [];
    const log = new ChatLog(
      (msg) => wire.push(msg),
      () => 1_800_000_000_000,
      () => onTheWireWhenDrawn.push(wire.length),
    );
    log.say("Click Start, then Settings");
    expect(onTheWireWhenDrawn).toEqual([1]);
  });

  it("takes a new page's messages when the other side's ids start again (a reload, a hand-over)", () => {
    const { clock, a, b, wire, deliver } = pairOfLogs();
    a.say("before the reload");
    a.say("still before");
    deliver();
    b.markRead();
    deliver();
    // The technician's page reloads (or a colleague takes over): a new log over there, counting from 1 again.
    const reloaded = new ChatLog(
      (msg) => wire.push({ to: "b", msg }),
      () => clock.now,
    );
    clock.now += 1_000;
    reloaded.say("after the reload");
    for (const { msg } of wire.splice(0)) if (msg.type === "chat") b.receive(msg);
    expect(b.entries.map((e) => [e.id, e.text])).toEqual([
      [1, "before the reload"],
      [2, "still before"],
      [1, "after the reload"],
    ]);
    expect(b.unread).toBe(1);
    b.markRead();
    expect(wire.map((w) => w.msg)).toEqual([{ type: "chatRead", upTo: 1 }]);
    expect(b.unread).toBe(0);
  });

  it("refuses empty and overlong text without sending, and keeps the newest entries", () => {
    const { a, wire, deliver } = pairOfLogs();
    expect(a.say("   ")).toBe("empty");
    expect(a.say("x".repeat(MAX_CHAT_CHARS + 1))).toBe("tooLong");
    expect(wire).toEqual([]);
    for (let i = 0; i < MAX_CHAT_ENTRIES + 10; i++) a.say(`m${i}`);
    deliver();
    expect(a.entries).toHaveLength(MAX_CHAT_ENTRIES);
    expect(a.entries[0]?.text).toBe("m10");
  });

  it("is refused by the parser when empty, overlong or unnumbered, and markup arrives as plain text", () => {
    expect(parseControlMessage(JSON.stringify({ type: "chat", id: 1, text: "", sentAt: 1 })).ok).toBe(false);
    expect(parseControlMessage(JSON.stringify({ type: "chat", id: 0, text: "x", sentAt: 1 })).ok).toBe(false);
    expect(parseControlMessage(JSON.stringify({ type: "chat", id: 1, text: "x".repeat(2_001), sentAt: 1 })).ok).toBe(
      false,
    );
    const markup = parseControlMessage(
      JSON.stringify({ type: "chat", id: 1, text: "<img src=x onerror=1>", sentAt: 1 }),
    );
    expect(markup.ok && markup.msg.type === "chat" && markup.msg.text).toBe("<img src=x onerror=1>");
    // The owner's message passed on to a colleague carries one mark, and no other.
    const passedOn = parseControlMessage(JSON.stringify({ type: "chat", id: 1, text: "x", sentAt: 1, from: "owner" }));
    expect(passedOn.ok && passedOn.msg.type === "chat" && passedOn.msg.from).toBe("owner");
    expect(parseControlMessage(JSON.stringify({ type: "chat", id: 1, text: "x", sentAt: 1, from: "me" })).ok).toBe(
      false,
    );
  });
});
