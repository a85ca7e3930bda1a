import { randomBytes } from "node:crypto";
import type { BrowserContext } from "playwright-core";
import type { CertificateFingerprint } from "#protocol/handshake.ts";
import { fromBase64url, toBase64url } from "../../../client/core/base64url.ts";
import { type CpaceState, cpaceConfirm, cpaceFinish, cpaceStart } from "../../../client/core/cpace.ts";
import { type TechnicianHandshake, technicianHandshake } from "../../../client/core/handshake.ts";
import { CUSTOMER_AD, channelIdentifier, sessionId, TECHNICIAN_AD } from "../../../client/core/handshake-binding.ts";

// A hostile signaling relay between the pages and the real server, as a test switches it: it passes every frame, or
// it stands in the middle of the handshake with a guess of the secret (its own CPace run with each side: the
// technician's part toward the customer's page, the customer's part toward the technician's console), or it replays
// the handshake frames a pair of pages exchanged before. It sees every frame each page sends, which is all an
// attacker in its place would get. Frames from the pages reach the server unchanged; what it changes is what the
// server sends each page.

/** Whose room socket: the customer's page or the technician's console. */
export type RelayRole = "customer" | "technician";

/** A room frame as JSON, loosely typed: tests read a few fields. */
export type Frame = { type?: string; from?: string; ok?: boolean; [field: string]: unknown };

/** The handshake frames each page received in one run: what a replay sends again. */
export type RecordedRun = {
  toCustomer: { pakeStart: Frame; pakeFinish: Frame };
  toTechnician: { pakeReply: Frame; pakeResult: Frame };
};

/** What the relay does with the handshake. */
export type RelayMode =
  | { kind: "pass" }
  /** A full man in the middle that guesses `prs` (prsOfLinkSecret / prsOfPassword of its guess). */
  | { kind: "intercept"; prs: Uint8Array }
  /** Each page gets the other side's frames of `run` in place of the live ones. */
  | { kind: "replay"; run: RecordedRun };

/** How one of the attacker's own runs ended: did the page's confirmation check out under its guess? */
export type AttackerRun = { with: RelayRole; isConfirmed: boolean };

/** A certificate fingerprint of nobody's certificate: the attacker's own, bound into its runs. */
function strayFingerprint(): CertificateFingerprint {
  const hex = [...randomBytes(32)].map((byte) => byte.toString(16).toUpperCase().padStart(2, "0"));
  return { algorithm: "sha-256", value: hex.join(":") };
}

function bytesOf(field: unknown): Uint8Array {
  const bytes = typeof field === "string" ? fromBase64url(field) : null;
  if (!bytes) throw new Error(`not base64url: ${String(field)}`);
  return bytes;
}

/** The attacker's two runs of one attempt: technician toward the customer's page, customer toward the console. */
type Interception = {
  asTechnician: TechnicianHandshake;
  asCustomer: { state: CpaceState; reply: Frame; tag?: string };
  finishForCustomer?: Frame;
};

export class HostileRelay {
  /** Switch at any time; it applies to the next frame. */
  mode: RelayMode = { kind: "pass" };
  /** Every JSON frame each page sent, in order: everything the relay learned. */
  readonly sent: Record<RelayRole, Frame[]> = { customer: [], technician: [] };
  /** Every JSON frame each page received from the relay, in order. */
  readonly received: Record<RelayRole, Frame[]> = { customer: [], technician: [] };
  /** The attacker's runs, as they ended. */
  readonly attackerRuns: AttackerRun[] = [];
  #interception: Interception | null = null;

  /** Runs the room sockets of `role` in `context` through this relay. */
  async attach(context: BrowserContext, role: RelayRole): Promise<void> {
    await context.routeWebSocket(new RegExp(`/ws\\?role=${role}$`), (page) => {
      const code = /\/api\/sessions\/(\d{9})\/ws/.exec(page.url())?.[1] ?? "";
      const server = page.connectToServer();
      page.onMessage((message) => {
        const frame = parse(message);
        if (frame) this.sent[role].push(frame);
        server.send(message);
      });
      server.onMessage((message) => {
        const frame = parse(message);
        const replaced = frame && this.#rewrite(role, code, frame);
        if (frame) this.received[role].push(replaced ?? frame);
        page.send(replaced ? JSON.stringify(replaced) : message);
      });
    });
  }

  /** The last run whose four frames both pages received (in pass mode), for a replay. */
  lastRun(): RecordedRun {
    const last = (role: RelayRole, type: string) => {
      const frame = this.received[role].findLast((f) => f.type === type);
      if (!frame) throw new Error(`the ${role} received no ${type}`);
      return frame;
    };
    return {
      toCustomer: { pakeStart: last("customer", "pakeStart"), pakeFinish: last("customer", "pakeFinish") },
      toTechnician: { pakeReply: last("technician", "pakeReply"), pakeResult: last("technician", "pakeResult") },
    };
  }

  /** The types of the frames `role`'s page sent, in order. */
  typesSent(role: RelayRole): string[] {
    return this.sent[role].map((frame) => frame.type ?? "?");
  }

  /** What `role`'s page gets in place of `frame`, which the server sent it; null: the frame itself. */
  #rewrite(role: RelayRole, code: string, frame: Frame): Frame | null {
    const mode = this.mode;
    switch (mode.kind) {
      case "pass":
        return null;
      case "replay": {
        const recorded: Record<string, Frame | undefined> =
          role === "customer" ? mode.run.toCustomer : mode.run.toTechnician;
        const old = recorded[frame.type ?? ""];
        return old ? { ...old, from: frame.from } : null;
      }
      case "intercept":
        return this.#intercept(role, code, mode.prs, frame);
    }
  }

  /**
   * The man in the middle, one frame at a time, each in answer to the live one it replaces: the technician's start
   * opens the attacker's two runs; the customer's reply is answered with the attacker's finish (and the console gets
   * the attacker's reply); the console's finish gives the attacker the tag it sends the console as the customer's.
   */
  #intercept(role: RelayRole, code: string, prs: Uint8Array, frame: Frame): Frame | null {
    const from = frame.from;
    if (role === "customer" && frame.type === "pakeStart") {
      const asTechnician = technicianHandshake({ code, prs, fingerprint: strayFingerprint() });
      const started = asTechnician.start();
      if (!started.ok) throw new Error(`the attacker could not start: ${started.code}`);
      const nonce = randomBytes(16);
      const fingerprint = strayFingerprint();
      const sid = sessionId(bytesOf(frame.nonce), nonce);
      const ci = channelIdentifier(code, fingerprint, frame.fingerprint as CertificateFingerprint);
      const { message, state } = cpaceStart({ role: "initiator", prs, sid, ci, ad: CUSTOMER_AD });
      const reply = { nonce: toBase64url(nonce), fingerprint, share: toBase64url(message.share) };
      this.#interception = { asTechnician, asCustomer: { state, reply } };
      return { type: "pakeStart", from, ...started.start };
    }
    const run = this.#interception;
    if (!run) return null;
    if (role === "technician" && frame.type === "pakeReply") {
      const finished = run.asTechnician.onReply(frame);
      if (finished.ok) run.finishForCustomer = { type: "pakeFinish", from, ...finished.finish };
      return { type: "pakeReply", from, ...run.asCustomer.reply };
    }
    if (role === "customer" && frame.type === "pakeFinish") {
      const finished = cpaceFinish(run.asCustomer.state, { share: bytesOf(frame.share), ad: TECHNICIAN_AD });
      if (finished.ok) {
        run.asCustomer.tag = toBase64url(finished.confirmation);
        const isConfirmed = cpaceConfirm(finished, bytesOf(frame.tag)).ok;
        this.attackerRuns.push({ with: "technician", isConfirmed });
      }
      return run.finishForCustomer ? { ...run.finishForCustomer, from } : null;
    }
    if (role === "technician" && frame.type === "pakeResult") {
      // The customer's page refused the attacker's finish; the console is told it confirmed, with the attacker's tag.
      const result = run.asTechnician.onResult(frame);
      this.attackerRuns.push({ with: "customer", isConfirmed: result.ok });
      this.#interception = null;
      return run.asCustomer.tag ? { type: "pakeResult", from, ok: true, tag: run.asCustomer.tag } : null;
    }
    return null;
  }
}

function parse(message: string | Buffer): Frame | null {
  const text = String(message);
  if (!text.startsWith("{")) return null;
  return JSON.parse(text) as Frame;
}
