import type { AgentSession } from "./AgentSession.ts";
import { x11Screens } from "./capture/screens.ts";
import { X11Capture } from "./capture/x11.ts";
import { X11Dialog } from "./indicator/dialog.ts";
import { X11Indicator } from "./indicator/x11.ts";
import { XTestInput } from "./input/xtest.ts";
import { enrolCommand } from "./machine/enrol.ts";
import { serveCommand } from "./machine/serve.ts";
import { EXIT, runAgent } from "./run.ts";
import { weriftCertificate, weriftRtc } from "./werift-rtc.ts";

// The agent's program: `npm run agent -- [--allow-loopback] LINK`. It shares the X display of $DISPLAY through
// ffmpeg, on werift, and (once the person allows it) takes the technician's mouse and keyboard through XTEST. Ctrl+C ends the session as the End word does (the room hears it; ffmpeg stops).
// --allow-loopback lets ICE use loopback addresses as well, for a site on this machine in a network of loopback only.
// `npm run agent -- enrol LINK [--identity FILE]` enrols the machine for unattended access instead (machine/enrol.ts),
// and `npm run agent -- serve [--identity FILE]` keeps it online for it until Ctrl+C or SIGTERM (machine/serve.ts).

const args = process.argv.slice(2);
// Enrolling needs no display: it is run where there may be none (a server, a system service's install).
if (args[0] === "enrol") process.exit(EXIT[await enrolCommand(args.slice(1), process.env, process.stdout)]);
if (args[0] === "serve") {
  // Nor does serving: a system service runs it, before anyone has logged in to a desktop.
  const stop = new AbortController();
  process.on("SIGINT", () => stop.abort());
  process.on("SIGTERM", () => stop.abort());
  process.exit(EXIT[await serveCommand(args.slice(1), process.env, process.stdout, stop.signal)]);
}
const allowLoopback = args.includes("--allow-loopback");
const linkText = args.find((arg) => !arg.startsWith("--")) ?? "";

const display = process.env.DISPLAY ?? ":0";
const capture = new X11Capture({ display });
// Several monitors: the technician sees the first and can pick another. A display that cannot list them is one screen.
const screens = await x11Screens(display).catch(() => null);
// Without XTEST (or a display that refuses it) the machine can still be viewed; control is then not offered.
const input = await XTestInput.open(display).catch(() => null);
let session: AgentSession | null = null;
process.on("SIGINT", () => {
  if (session) session.end();
  else process.exit(130);
});

const code = await runAgent(linkText, {
  rtc: weriftRtc({ extraHostAddresses: allowLoopback ? ["127.0.0.1"] : undefined }),
  certificate: weriftCertificate(),
  capture,
  screens,
  input,
  indicator: (onEnd) => X11Indicator.open(display, onEnd),
  dialog: (onAnswer) => X11Dialog.open(display, onAnswer),
  io: { input: process.stdin, output: process.stdout },
  env: process.env,
  onSession: (started) => {
    session = started;
  },
});
await capture.stop();
// werift's sockets and timers may outlive the session; the run is over.
process.exit(code);
