import type { AgentSession, AgentView } from "./AgentSession.ts";
import { x11Screens } from "./capture/screens.ts";
import { X11Capture } from "./capture/x11.ts";
import { X11Dialog } from "./indicator/dialog.ts";
import { DialogWithFallback, findOnPath, ToolkitDialog } from "./indicator/toolkit-dialog.ts";
import { X11Indicator } from "./indicator/x11.ts";
import { XTestInput } from "./input/xtest.ts";
import type { AgentDeps } from "./run.ts";
import { terminalText } from "./terminal.ts";
import { type WeriftConnection, weriftCertificate, weriftRtc } from "./werift-rtc.ts";

// What one session of the agent uses of an X display: ffmpeg's capture of it, its monitors, XTEST for input, the
// strip that says who is connected and the dialog that asks, on werift. Made afresh for every session (the link's, or
// each unattended one while the machine serves), and `close` gives the display back.
//
// The dialog is the desktop toolkit's (zenity: every language, the keyboard, a screen reader) where zenity is on PATH,
// the agent's own built-in one otherwise, or once a zenity window fails (it could not open the display, or crashed);
// TETHER_AGENT_DIALOG=builtin asks for the built-in one anyway, for a desktop where the toolkit's misbehaves.

/** zenity's path, looked for once per process (sessions come and go while the machine serves; PATH does not change). */
let zenity: Promise<string | null> | null = null;

/** The toolkit's dialog program for a session in `env`: zenity's path, or null for the built-in dialog. */
function toolkitProgram(env: Record<string, string | undefined>): Promise<string | null> {
  if (env.TETHER_AGENT_DIALOG === "builtin") return Promise.resolve(null);
  zenity ??= findOnPath("zenity", env.PATH);
  return zenity;
}

/** How the agent is started on this display. */
export type X11AgentOptions = {
  display: string;
  /** Lets ICE use loopback addresses as well, for a site on this machine in a network of loopback only. */
  allowLoopback: boolean;
  io: AgentDeps<WeriftConnection>["io"];
  env: Record<string, string | undefined>;
  onSession?: (session: AgentSession) => void;
  /** Hears every change of what the session shows (AgentDeps.onChange). */
  onChange?: (view: AgentView) => void;
};

/** The session's dependencies on this display, and how to stop its capture once the session is over. */
export async function x11Agent(
  options: X11AgentOptions,
): Promise<{ deps: AgentDeps<WeriftConnection>; close: () => Promise<void> }> {
  const { display, env } = options;
  const capture = new X11Capture({ display });
  // Several monitors: the technician sees the first and can pick another. A display that cannot list them is one screen.
  const screens = await x11Screens(display).catch(() => null);
  // Without XTEST (or a display that refuses it) the machine can still be viewed; control is then not offered.
  const input = await XTestInput.open(display).catch(() => null);
  const toolkit = await toolkitProgram(env);
  const title = terminalText(env).agent.dialogTitle;
  const deps: AgentDeps<WeriftConnection> = {
    rtc: weriftRtc({ extraHostAddresses: options.allowLoopback ? ["127.0.0.1"] : undefined }),
    certificate: weriftCertificate(),
    capture,
    screens,
    input,
    indicator: (onEnd) => X11Indicator.open(display, onEnd),
    dialog: toolkit
      ? async (onAnswer, reshow) =>
          new DialogWithFallback(
            (onFailed) => new ToolkitDialog({ program: toolkit, display, env, title, onFailed }, onAnswer),
            () => X11Dialog.open(display, onAnswer),
            reshow,
          )
      : (onAnswer) => X11Dialog.open(display, onAnswer),
    io: options.io,
    env,
    onSession: options.onSession,
    onChange: options.onChange,
  };
  return { deps, close: () => capture.stop() };
}
