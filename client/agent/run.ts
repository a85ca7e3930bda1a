import { MAX_SCREENS, type ScreenRect } from "#protocol/control.ts";
import type { CertificateFingerprint } from "#protocol/handshake.ts";
import { toBase64url } from "../core/base64url.ts";
import type { CustomerSecret } from "../web/src/customer/secret.ts";
import * as en from "../web/src/i18n/catalogues/en.ts";
import type { PeerConnectionLike } from "../web/src/rtc/peer-connection.ts";
import { tokenKey } from "../web/src/rtc/signaling.ts";
import { AgentLink, type AgentRtc } from "./AgentLink.ts";
import { type AgentEnd, AgentSession, type AgentView } from "./AgentSession.ts";
import type { ScreenCapture } from "./capture/capture.ts";
import { EXIT } from "./exit-codes.ts";
import type { Dialog, DialogText } from "./indicator/dialog.ts";
import { type IndicatorText, isLatin1 } from "./indicator/x11.ts";
import { AgentControl } from "./input/AgentControl.ts";
import type { ScreenArea } from "./input/InputGate.ts";
import type { InputSink } from "./input/input.ts";
import { parseSessionLink, type SessionLink } from "./link.ts";
import { MemoryStorage, siteApi, socketOpener } from "./node-runtime.ts";
import { answer, plain, questionFor, runTerminal, type TerminalText, terminalText } from "./terminal.ts";

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
  /**
   * The dialog on the screen that asks what the terminal asks (on X11 the desktop's toolkit's, else the built-in one):
   * `onAnswer` hears an answer given there, by mouse or keyboard, with what it showed then; `reshow` has the question
   * shown again (the dialog changed what it can show). Null where there is no display to show it on.
   */
  dialog?:
    | ((onAnswer: (shown: DialogText, isYes: boolean) => void, reshow: () => void) => Promise<Dialog | null>)
    | null;
  /**
   * The machine's screens (monitors; capture/screens.ts on X11), the first shown to begin with; the technician can
   * pick another where the capture can move (ScreenCapture.showArea). Absent or empty: the capture's whole display.
   */
  screens?: readonly ScreenRect[] | null;
  /** The OS's input on the captured screen; null: this machine can be viewed, not controlled. */
  input: (InputSink & { readonly screen: ScreenArea }) | null;
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream };
  /** The environment, for the terminal's language. */
  env: Record<string, string | undefined>;
  /** Hears the session, so that the caller can end it (Ctrl+C: `session.end()`). */
  onSession?: (session: AgentSession) => void;
  /** Hears every change of what the session shows (`serve`: whether its technician is connected). */
  onChange?: ((view: AgentView) => void) | undefined;
};

/** What the agent shows on the screen while a technician is connected (indicator/x11.ts on X11). */
export type Indicator = { show(text: IndicatorText | null): unknown; close(): void };

/**
 * The dialog's words for `view`: who is asking, and the question due now (the code, viewing, control) with its two
 * answers; null when nothing is asked. Like the strip, a language written outside Latin-1 shows in English in a
 * dialog that has Latin-1 only (`isLatin1Only`, the X server's built-in font).
 */
export function dialogText(view: AgentView, text: TerminalText, isLatin1Only = true): DialogText | null {
  const question = questionFor(view);
  if (!question || !view.technician) return null;
  const { technician, caseNumber, verification } = view;
  const make = (agent: TerminalText["agent"]): DialogText => ({
    lines: [
      agent.asking(plain(technician.name), plain(technician.organisation)),
      ...(caseNumber ? [agent.caseNumber(plain(caseNumber))] : []),
      "",
      ...(question === "confirmCode" && verification
        ? [agent.warning, "", agent.verificationCode(verification.code), ""]
        : []),
      agent.dialog[question].question,
    ],
    yes: agent.dialog[question].yes,
    no: agent.dialog[question].no,
  });
  const own = text.agent;
  const ownWords = [
    ...Object.values(own.dialog[question]),
    own.asking("", ""),
    own.caseNumber(""),
    own.warning,
    own.verificationCode(""),
  ];
  return make(!isLatin1Only || ownWords.every(isLatin1) ? own : en.agent);
}

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

/** Runs the agent for `linkText` until its session ends; resolves with the process's exit code (EXIT). */
export async function runAgent<PC extends PeerConnectionLike>(linkText: string, deps: AgentDeps<PC>): Promise<number> {
  const parsed = parseSessionLink(linkText);
  if (!parsed.ok) {
    deps.io.output.write(`${terminalText(deps.env).agent.link[parsed.problem]}\n`);
    return EXIT.badLink;
  }
  return runSession(parsed.link, deps);
}

/**
 * Runs the agent in the session `link` names until it ends; resolves with the process's exit code (EXIT). An
 * enrolled machine's unattended session (machine/unattended.ts) brings its key's handshake as `secret`.
 */
export async function runSession<PC extends PeerConnectionLike>(
  link: SessionLink,
  deps: AgentDeps<PC>,
  unattended: { secret: CustomerSecret } | null = null,
): Promise<number> {
  const text = terminalText(deps.env);
  const api = siteApi(link.origin);
  let onView: (view: AgentView) => void = () => undefined;
  let indicator: Indicator | null = null;
  let dialog: Dialog | null = null;
  let asked: string | null = null;
  let connection: AgentLink<PC> | null = null;
  const screens = deps.screens?.length ? deps.screens.slice(0, MAX_SCREENS) : null;
  let shownScreen = 0;
  if (screens?.[0]) await deps.capture.showArea?.(screens[0]);
  const control = deps.input ? new AgentControl(deps.input, screens?.[0] ?? deps.input.screen) : undefined;
  // The technician picked another screen: the pointer and the picture move there (what they held is released).
  const showScreen = (index: number) => {
    const area = screens?.[index];
    if (!area || index === shownScreen) return;
    shownScreen = index;
    void control?.setScreen(area);
    void deps.capture.showArea?.(area);
    (connection as AgentLink<PC> | null)?.announceScreens();
  };
  // Started from a customer's page (/agent): that page's seat token takes its seat, as a reload of the page would.
  const storage = new MemoryStorage();
  if (link.seatToken) storage.setItem(tokenKey("customer", link.code), link.seatToken);
  const session: AgentSession = new AgentSession({
    link,
    ...(unattended ? { secret: unattended.secret, isUnattended: true } : {}),
    certificate: deps.certificate,
    runtime: { openSocket: socketOpener(link.origin), storage, api },
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
        screens:
          screens && deps.capture.showArea
            ? { current: () => ({ type: "screens", screens: [...screens], shown: shownScreen }), show: showScreen }
            : undefined,
      });
      return connection;
    },
    onChange: (view) => {
      onView(view);
      deps.onChange?.(view);
      indicator?.show(indicatorText(view, text));
      showDialog(view);
    },
    onControl: control
      ? (isAllowed) => {
          void control.setAllowed(isAllowed);
          (connection as AgentLink<PC> | null)?.announceControl();
        }
      : undefined,
  });
  // What the dialog on the screen says for `view`, in the characters it can show.
  const dialogWords = (view: AgentView) => dialogText(view, text, !dialog?.isUnicode);
  // The dialog changes only when its question (or what it says) does.
  function showDialog(view: AgentView): void {
    const shown = dialogWords(view);
    const key = JSON.stringify(shown);
    if (key === asked) return;
    asked = key;
    dialog?.show(shown);
  }
  indicator = deps.indicator ? await deps.indicator(() => session.end()).catch(() => null) : null;
  // An answer on the screen counts only for the question still due, as it was shown: not for a newer code, nor one
  // already answered.
  dialog = deps.dialog
    ? await deps
        .dialog(
          (shown, isYes) => {
            if (JSON.stringify(shown) !== JSON.stringify(dialogWords(session.view))) return;
            answer(session, questionFor(session.view), isYes ? text.agent.yes : text.agent.no, text);
          },
          () => {
            asked = null;
            showDialog(session.view);
          },
        )
        .catch(() => null)
    : null;
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
  dialog?.close();
  return isUsualEnd(session.view.ended) ? EXIT.ended : EXIT.failed;
}

function isUsualEnd(ended: AgentEnd | null): boolean {
  return ended !== null && ["ended_by_customer", "ended_by_technician", "expired", "idle"].includes(ended.reason);
}
