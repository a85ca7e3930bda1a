import { PassThrough } from "node:stream";
import type { MachineJoin } from "#protocol/machines.ts";
import { fromBase64url } from "../../core/base64url.ts";
import { machineHandshake } from "../../core/machine-handshake.ts";
import type { CustomerSecret } from "../../web/src/customer/secret.ts";
import type { SessionLink } from "../link.ts";
import type { MachineIdentity } from "./identity.ts";

// An enrolled machine's side of an unattended session: the session a technician opened with it, which its heartbeat's
// answer named. The agent takes the customer seat with the key that answer gave, and proves the machine to the
// technician's viewer with its own key (client/core/machine-handshake.ts): no secret is shared with anyone, and no
// one is asked. What it runs is the agent's one session (run.ts), as for a link.

/** The session `join` names, as the agent runs one: no link secret, the site's seat key. Null if the key is damaged. */
export function machineSessionLink(identity: MachineIdentity, join: MachineJoin): SessionLink | null {
  const seatKey = fromBase64url(join.seatKey);
  if (seatKey?.length !== 32) return null;
  return { origin: identity.origin, code: join.code, prs: new Uint8Array(0), seatKey, seatToken: null };
}

/** The technicians' handshakes as the machine runs them: signed with its key, for every start (the room charges each). */
export function machineSecret(identity: MachineIdentity): CustomerSecret {
  return {
    begin: () => ({ prs: new Uint8Array(0), attempt: 0 }),
    failed: () => undefined,
    succeeded: () => true,
    stop: () => undefined,
    handshake: ({ code, fingerprint }) =>
      machineHandshake({ code, fingerprint, machineId: identity.machineId, privateKey: identity.privateKey }),
  };
}

/**
 * The terminal input of an unattended session: nobody types into a service, and an input that ended would end the
 * session (run.ts takes a closed input as someone gone), so it stays open and says nothing.
 */
export function silentInput(): NodeJS.ReadableStream {
  return new PassThrough();
}
