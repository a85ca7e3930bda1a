import { spawn } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { delimiter, join } from "node:path";
import type { Dialog, DialogText } from "./dialog.ts";

// The dialog in the desktop's own toolkit: where zenity (GTK) is installed, each question the agent asks on the screen
// is one `zenity --question` window, drawn in the desktop's fonts and theme. So it speaks every language the terminal
// does (Japanese too, where the X server's built-in font has Latin-1 only), answers to the keyboard (Tab, Enter,
// Escape) as well as the mouse, and a screen reader reads it out. One process per question, never one per event:
// a new question, or the end of asking, ends the process of the one before, and that end answers nothing.
//
// What the dialog says comes partly from the site (the technician's name, organisation and case number), so zenity is
// told to show it as it is (--no-markup: Pango markup such as <b> or &amp; is never read), and it is started without
// a shell, its words as arguments of their own. Its exit code is the answer: 0 the first button (yes), 10 the other
// (no); zenity is told these codes, since its own "no" (1) is also what it exits with when GTK cannot open the display.
// Escape or the window closed: no answer, and the terminal still asks. Any other end (zenity could not show its
// window, crashed, or went from PATH) is a failure: the question moves to the built-in dialog (DialogWithFallback).

/** The exit codes zenity gives a question's answers (see zenityEnv), none of them one it exits with on its own. */
const EXIT = { yes: 0, no: 10, dismissed: 11 } as const;

/** A started dialog process: its exit code once it has ended (null when a signal ended it, or it never started). */
export type DialogProcess = { readonly exited: Promise<number | null>; kill(): void };

/** Starts `program` with `args` (no shell) in `env`; injected so that a test can stand in for zenity. */
export type SpawnDialog = (
  program: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
) => DialogProcess;

/** Node's child process as a DialogProcess: nothing read from or written to it, its output (GTK's warnings) dropped. */
export const spawnDialog: SpawnDialog = (program, args, env) => {
  const child = spawn(program, args, { env, stdio: "ignore" });
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    // A program gone from PATH since it was found: no window, no answer (and no unhandled error).
    child.once("error", () => resolve(null));
  });
  return { exited, kill: () => child.kill() };
};

/** zenity's arguments for one question: `title` on the window, the text's lines, and its two answers' buttons. */
export function zenityArgs(title: string, text: DialogText): string[] {
  return [
    "--question",
    "--no-markup",
    // Enter alone must not give consent: a window that comes up while the person types takes the keys meant
    // elsewhere. The "no" button has the focus; Tab moves to the "yes" one.
    "--default-cancel",
    "--title",
    title,
    "--text",
    text.lines.join("\n"),
    "--ok-label",
    text.yes,
    "--cancel-label",
    text.no,
  ];
}

/**
 * zenity's environment: the agent's own (its language, LANG and LC_*, so that GTK's parts match the words; the
 * session bus a screen reader listens on), on `display`. zenity lets the environment change its exit codes
 * (ZENITY_OK=…, DIALOG_OK=…), and those codes are the answers: they are set here, and Escape or closing the window
 * gets one of its own rather than sharing "no"'s.
 */
export function zenityEnv(
  env: Record<string, string | undefined>,
  display: string,
): Record<string, string | undefined> {
  const own = Object.fromEntries(Object.entries(env).filter(([name]) => !/^(ZENITY|DIALOG)_/.test(name)));
  return {
    ...own,
    DISPLAY: display,
    ZENITY_OK: String(EXIT.yes),
    ZENITY_CANCEL: String(EXIT.no),
    ZENITY_ESC: String(EXIT.dismissed),
  };
}

/** Where `program` is on `path` (the PATH variable's directories): the first executable file of that name, or null. */
export async function findOnPath(program: string, path: string | undefined): Promise<string | null> {
  for (const directory of (path ?? "").split(delimiter)) {
    if (!directory) continue;
    const file = join(directory, program);
    if (
      await access(file, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return file;
  }
  return null;
}

/** How a ToolkitDialog starts its windows. */
export type ToolkitDialogOptions = {
  /** zenity's path (findOnPath). */
  program: string;
  display: string;
  /** The agent's environment. */
  env: Record<string, string | undefined>;
  /** The window's title, in the agent's language. */
  title: string;
  spawn?: SpawnDialog;
  /** A window failed (see above); its question is not answered. */
  onFailed?: () => void;
};

/** The agent's question on the screen as a zenity window (see above); run.ts's Dialog. */
export class ToolkitDialog {
  /** The desktop's fonts show every language's characters: the dialog need not fall back to English. */
  readonly isUnicode = true;
  readonly #options: ToolkitDialogOptions;
  readonly #onAnswer: (shown: DialogText, isYes: boolean) => void;
  readonly #spawn: SpawnDialog;
  /** The process of the question shown now, if any. */
  #asking: DialogProcess | null = null;

  /** Nothing shown yet; `onAnswer` hears a question's answer, with the text that question showed. */
  constructor(options: ToolkitDialogOptions, onAnswer: (shown: DialogText, isYes: boolean) => void) {
    this.#options = options;
    this.#onAnswer = onAnswer;
    this.#spawn = options.spawn ?? spawnDialog;
  }

  /** Asks `text` in a window of its own, in place of the question before; or takes the dialog away (null). */
  show(text: DialogText | null): void {
    this.#asking?.kill();
    this.#asking = null;
    if (!text) return;
    const { program, display, env, title } = this.#options;
    const asking = this.#spawn(program, zenityArgs(title, text), zenityEnv(env, display));
    this.#asking = asking;
    void asking.exited.then((code) => {
      // Replaced or taken away meanwhile: whatever it ended with (the kill) answers nothing.
      if (this.#asking !== asking) return;
      this.#asking = null;
      if (code === EXIT.yes || code === EXIT.no) this.#onAnswer(text, code === EXIT.yes);
      else if (code !== EXIT.dismissed) this.#options.onFailed?.();
    });
  }

  close(): void {
    this.show(null);
  }
}

/**
 * The toolkit's dialog while it works, the built-in one for good from the first window that fails: `builtin` opens
 * that (null where it cannot either, and the terminal alone asks), and `reshow` has the agent show its question again,
 * in the words the built-in dialog can draw (Latin-1: isUnicode follows the dialog in use).
 */
export class DialogWithFallback implements Dialog {
  readonly #builtin: () => Promise<Dialog | null>;
  readonly #reshow: () => void;
  #current: Dialog | null;
  #isFallen = false;
  #isClosed = false;

  constructor(toolkit: (onFailed: () => void) => Dialog, builtin: () => Promise<Dialog | null>, reshow: () => void) {
    this.#builtin = builtin;
    this.#reshow = reshow;
    this.#current = toolkit(() => void this.#fallBack());
  }

  get isUnicode(): boolean {
    return this.#current?.isUnicode === true;
  }

  show(text: DialogText | null): void {
    this.#current?.show(text);
  }

  close(): void {
    this.#isClosed = true;
    this.#current?.close();
  }

  async #fallBack(): Promise<void> {
    if (this.#isFallen) return;
    this.#isFallen = true;
    this.#current?.close();
    this.#current = null;
    const builtin = await this.#builtin().catch(() => null);
    if (this.#isClosed) {
      builtin?.close();
      return;
    }
    this.#current = builtin;
    this.#reshow();
  }
}
