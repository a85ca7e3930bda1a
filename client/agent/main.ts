import type { AgentSession } from "./AgentSession.ts";
import { EXIT } from "./exit-codes.ts";
import { enrolCommand } from "./machine/enrol.ts";
import { joinUnattended } from "./machine/join-x11.ts";
import { type JoinSession, serveCommand } from "./machine/serve.ts";
import { runAgent } from "./run.ts";
import { x11Agent } from "./x11-agent.ts";

// The agent's program: `npm run agent -- [--allow-loopback] LINK`. It shares the X display of $DISPLAY through
// ffmpeg, on werift, and (once the person allows it) takes the technician's mouse and keyboard through XTEST. Ctrl+C ends the session as the End word does (the room hears it; ffmpeg stops).
// --allow-loopback lets ICE use loopback addresses as well, for a site on this machine in a network of loopback only.
// `npm run agent -- enrol LINK [--identity FILE]` enrols the machine for unattended access instead (machine/enrol.ts),
// and `npm run agent -- serve [--allow-loopback] [--identity FILE]` keeps it online for it until Ctrl+C or SIGTERM,
// joining the sessions technicians open with it (machine/serve.ts, machine/join-x11.ts).

const args = process.argv.slice(2);
// Enrolling needs no display: it is run where there may be none (a server, a system service's install).
if (args[0] === "enrol") process.exit(EXIT[await enrolCommand(args.slice(1), process.env, process.stdout)]);
if (args[0] === "serve") {
  // Nor does serving: a system service runs it, before anyone has logged in to a desktop.
  const stop = new AbortController();
  process.on("SIGINT", () => stop.abort());
  process.on("SIGTERM", () => stop.abort());
  const options = { output: process.stdout, env: process.env, allowLoopback: args.includes("--allow-loopback") };
  const join: JoinSession = (session, identity, signal, watch) =>
    joinUnattended(session, identity, signal, watch, options);
  const served = await serveCommand(args.slice(1), process.env, process.stdout, stop.signal, join);
  // werift's sockets and timers may outlive the sessions; serving is over.
  process.exit(EXIT[served]);
}
const allowLoopback = args.includes("--allow-loopback");
const linkText = args.find((arg) => !arg.startsWith("--")) ?? "";

let session: AgentSession | null = null;
process.on("SIGINT", () => {
  if (session) session.end();
  else process.exit(130);
});

const agent = await x11Agent({
  display: process.env.DISPLAY ?? ":0",
  allowLoopback,
  io: { input: process.stdin, output: process.stdout },
  env: process.env,
  onSession: (started) => {
    session = started;
  },
});
const code = await runAgent(linkText, agent.deps);
await agent.close();
// werift's sockets and timers may outlive the session; the run is over.
process.exit(code);
