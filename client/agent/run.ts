import type { CertificateFingerprint } from "#protocol/handshake.ts";
import { toBase64url } from "../core/base64url.ts";
import * as en from "../web/src/i18n/catalogues/en.ts";
import type { PeerConnectionLike } from "../web/src/rtc/peer-connection.ts";
import { AgentLink, type AgentRtc } from "./AgentLink.ts";
import { type AgentEnd, AgentSession, type AgentView } from "./AgentSession.ts";
import type { ScreenCapture } from "./capture/capture.ts";
import { type IndicatorText, isLatin1 } from "./indicator/x11.ts";
import { AgentControl } from "./input/AgentControl.ts";
import type { ScreenArea } from "./input/InputGate.ts";
import type { InputSink } from "./input/input.ts";
import { parseSessionLink } from "./link.ts";
import { MemoryStorage, siteApi, socketOpener } from "./node-runtime.ts";
import { plain, runTerminal, type TerminalText, terminalText } from "./terminal.ts";

// One run of the agent for one session link: the link read, the session joined on Node's runtime, the connection to
// the owner on the WebRTC runtime and the capture passed in, and the conversation in the terminal until the session
// ends. What depends on the machine (the WebRTC library, the certificate it makes, the OS's capture) comes in as
// parameters, so that this runs the same with werift on X11 as with the recording fakes of a test.

/** The agent's DTLS certificate, made before the handshake, and the fingerprint the handshake binds. */
export type AgentCertificate = { certificate: RTCCertificate; fingerprint: CertificateFingerprint };

export type AgentDeps<PC extends PeerConnectionLike> = {
  rtc: AgentRtc<PC>;
  certificate: Promise<AgentCertificate>;
  capture: ScreenCapture;
  /**
   * The strip on the screen that says who is connected while they are, with End (which `onEnd` hears); null where
   * there is no display to show it on.
   */
  indicator: ((onEnd: () => void) => Promise<Indicator | null>) | null;
  /** The OS's input on the captured screen; null: this machine can be viewed, not controlled. */
  input: (InputSink & { readonly screen: ScreenArea }) | null;
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream };
  /** The environment, for the terminal's language. */
  env: Record<string, string | undefined>;
  /** Hears the session, so that the caller can end it (Ctrl+C: `session.end()`). */
  onSession?: (session: AgentSession) => void;
};

/** What the agent shows on the screen while a technician is connected (indicator/x11.ts on X11). */
export type Indicator = { show(text: IndicatorText | null): unknown; close(): void };

/**
 * The strip's words for `view`: who sees the screen, or controls it, while viewing; null otherwise. The built-in font
 * of an X server has Latin-1 characters only, so a language written in others shows there in English.
 */
export function indicatorText(view: AgentView, text: TerminalText): IndicatorText | null {
  if (view.phase !== "viewing" || !view.technician) return null;
  const name = plain(view.technician.name);
  const make = (agent: TerminalText["agent"]) => ({
    line: view.control ? agent.indicatorControl(name) : agent.indicatorViewing(name),
    end: agent.indicatorEnd,
  });
  const shown = make(text.agent);
  return isLatin1(shown.line.replace(name, "")) && isLatin1(shown.end) ? shown : make(en.agent);
}

/** Exit codes: the session ended as sessions do, the link cannot be used, or the session ended in a refusal or alarm. */
export const EXIT = { ended: 0, failed: 1, badLink: 2 } as const;

/** Runs the agent for `linkText` until its session ends; resolves with the process's exit code (EXIT). */
export async function runAgent<PC extends PeerConnectionLike>(linkText: string, deps: AgentDeps<PC>): Promise<number> {
  const text = terminalText(deps.env);
  const parsed = parseSessionLink(linkText);
  if (!parsed.ok) {
    deps.io.output.write(`${text.agent.link[parsed.problem]}\n`);
    return EXIT.badLink;
  }
  const { link } = parsed;
  const api = siteApi(link.origin);
  let onView: (view: AgentView) => void = () => undefined;
  let indicator: Indicator | null = null;
  let connection: AgentLink<PC> | null = null;
  const control = deps.input ? new AgentControl(deps.input, deps.input.screen) : undefined;
  const session: AgentSession = new AgentSession({
    link,
    certificate: deps.certificate,
    runtime: { openSocket: socketOpener(link.origin), storage: new MemoryStorage(), api },
    connection: (sendSignal) => {
      connection = new AgentLink<PC>({
        code: link.code,
        seatKey: toBase64url(link.seatKey),
        api,
        certificate: deps.certificate.then(({ certificate }) => certificate),
        rtc: deps.rtc,
        capture: deps.capture,
        sendSignal,
        onState: () => undefined,
        onIntercepted: () => session.intercepted(),
        // ffmpeg ending after the session did (Ctrl+C reaches it as well) is no failure.
        onCaptureEnd: () => {
          if (session.view.ended === null) session.captureFailed();
        },
        onIceError: () => undefined,
        control,
      });
      return connection;
    },
    onChange: (view) => {
      onView(view);
      indicator?.show(indicatorText(view, text));
    },
    onControl: control
      ? (isAllowed) => {
          void control.setAllowed(isAllowed);
          (connection as AgentLink<PC> | null)?.announceControl();
        }
      : undefined,
  });
  indicator = deps.indicator ? await deps.indicator(() => session.end()).catch(() => null) : null;
  // The person's own shortcut takes control back at once, wherever the focus is.
  deps.input?.onShortcut?.(() => session.setControl(false));
  deps.onSession?.(session);
  session.start();
  await runTerminal(
    session,
    (listener) => {
      onView = listener;
    },
    deps.io,
    text,
  );
  (connection as AgentLink<PC> | null)?.stop();
  await control?.close();
  indicator?.close();
  return isUsualEnd(session.view.ended) ? EXIT.ended : EXIT.failed;
}

function isUsualEnd(ended: AgentEnd | null): boolean {
  return ended !== null && ["ended_by_customer", "ended_by_technician", "expired", "idle"].includes(ended.reason);
}
