import type { MachineJoin } from "#protocol/machines.ts";
import type { AgentSession } from "../AgentSession.ts";
import { runSession } from "../run.ts";
import { x11Agent } from "../x11-agent.ts";
import type { MachineIdentity } from "./identity.ts";
import type { TechnicianWatch } from "./Sessions.ts";
import { machineSecret, machineSessionLink, silentInput } from "./unattended.ts";

// `serve`'s unattended sessions on this machine's X display ($DISPLAY): each one joined as the agent joins a link's,
// with the machine's key for the handshake, the strip on the screen saying who is connected (a person at the machine
// can end it there), and the terminal's lines in the service's output.

/** How `serve` was started: the terminal it writes to, its environment, and whether ICE may use loopback. */
export type JoinOptions = {
  output: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  allowLoopback: boolean;
};

/**
 * Joins the session `join` names until it ends, or `signal` aborts (the session is then ended for everyone), keeping
 * `watch` told whether the session's technician is connected.
 */
export async function joinUnattended(
  join: MachineJoin,
  identity: MachineIdentity,
  signal: AbortSignal,
  watch: TechnicianWatch,
  options: JoinOptions,
): Promise<void> {
  const link = machineSessionLink(identity, join);
  if (!link || signal.aborted) return;
  let session: AgentSession | null = null;
  const onAbort = () => session?.end();
  signal.addEventListener("abort", onAbort, { once: true });
  const agent = await x11Agent({
    display: options.env.DISPLAY ?? ":0",
    allowLoopback: options.allowLoopback,
    io: { input: silentInput(), output: options.output },
    env: options.env,
    onSession: (joined) => {
      session = joined;
      watch.started(() => joined.view.owner?.connected === true);
      if (signal.aborted) joined.end();
    },
    // Sessions weighs what changed itself (its technician is what `started` reads): nothing to keep here.
    onChange: () => watch.changed(),
  });
  try {
    await runSession(link, agent.deps, { secret: machineSecret(identity) });
  } finally {
    signal.removeEventListener("abort", onAbort);
    await agent.close();
  }
}
