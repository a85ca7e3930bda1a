import { ed25519 } from "@noble/curves/ed25519.js";
import { LineServerFrame, lineMessage } from "#protocol/machines.ts";
import { base64url } from "../../worker/auth/tokens.ts";
import { TypedFrameQueue } from "./frame-queue.ts";

// What a test's machine line does with the frames the site sends it, on any runtime: each is checked against the
// protocol's schema and queued until the test takes it (frame-queue.ts, as for rooms). The workerd and the Node clients
// feed it from their sockets.

/** A machine as its agent signs: its id and private key. */
export type SigningMachine = { id: string; secretKey: Uint8Array };

/** Frames received on one line, taken by type in arrival order. */
export abstract class LineQueue extends TypedFrameQueue<LineServerFrame> {
  constructor() {
    super((text) => LineServerFrame.parse(JSON.parse(text)), "line");
  }

  /** Answers the site's challenge as the agent does, for `origin`, signed with `signer` (by default the machine's). */
  async answer(machine: SigningMachine, origin: string, signer: Uint8Array = machine.secretKey): Promise<void> {
    const { nonce } = await this.next("challenge");
    const signature = base64url(ed25519.sign(lineMessage(origin, machine.id, nonce), signer));
    this.sendText(JSON.stringify({ type: "answer", signature }));
  }
}
