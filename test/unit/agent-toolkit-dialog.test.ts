import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Dialog, DialogText } from "../../client/agent/indicator/dialog.ts";
import {
  type DialogProcess,
  DialogWithFallback,
  findOnPath,
  type SpawnDialog,
  spawnDialog,
  ToolkitDialog,
} from "../../client/agent/indicator/toolkit-dialog.ts";

// The agent's question in the desktop toolkit's dialog (zenity), without a display: the spawn function is a stand-in
// that records what zenity would be started with and ends each "process" as the test says. One process per
// question, its words passed as they are, its exit code the answer; a process replaced or taken away answers nothing.

/** One stand-in zenity: how it was started, whether it was killed, and a way to make it exit with a code. */
type Started = { program: string; args: readonly string[]; env: Record<string, string | undefined> } & {
  isKilled: boolean;
  exit(code: number | null): Promise<void>;
};

/**
 * A SpawnDialog that starts stand-ins, each listed in `started`. A kill only marks one: the test says how it ends (a
 * signal's null, or the code it exited with just before the kill reached it).
 */
function standIns(): { spawn: SpawnDialog; started: Started[] } {
  const started: Started[] = [];
  const spawn: SpawnDialog = (program, args, env) => {
    let end: (code: number | null) => void = () => undefined;
    const exited = new Promise<number | null>((resolve) => {
      end = resolve;
    });
    const process: DialogProcess = {
      exited,
      kill: () => {
        one.isKilled = true;
      },
    };
    const one: Started = {
      program,
      args,
      env,
      isKilled: false,
      exit: async (code) => {
        end(code);
        // The dialog hears the exit before the test goes on: its handler was attached first.
        await exited;
      },
    };
    started.push(one);
    return process;
  };
  return { spawn, started };
}

const CODE: DialogText = {
  lines: ["Eve <b>&amp; (Example & Co) is asking to see your screen.", "", "Verification code: a b c d"],
  yes: "Matches <i>",
  no: "Doesn't match",
};
const VIEW: DialogText = { lines: ["Allow them to see your screen?"], yes: "Allow", no: "Don't allow" };
const ENV = { LANG: "ja_JP.UTF-8", LC_MESSAGES: "ja_JP.UTF-8", DISPLAY: ":0", ZENITY_OK: "1", DIALOG_CANCEL: "0" };

function dialogOf(spawn: SpawnDialog) {
  const answers: [DialogText, boolean][] = [];
  const failures = { count: 0 };
  const dialog = new ToolkitDialog(
    {
      program: "/usr/bin/zenity",
      display: ":42",
      env: ENV,
      title: "Tether remote support",
      spawn,
      onFailed: () => failures.count++,
    },
    (shown, isYes) => answers.push([shown, isYes]),
  );
  return { dialog, answers, failures };
}

describe("the agent's dialog in the desktop's toolkit", () => {
  it("starts zenity for a question with its words as they are, never as markup, on the agent's display and language", () => {
    const { spawn, started } = standIns();
    const { dialog } = dialogOf(spawn);
    expect(dialog.isUnicode).toBe(true);
    expect(started).toEqual([]);
    dialog.show(CODE);
    expect(started).toHaveLength(1);
    const [zenity] = started;
    expect(zenity?.program).toBe("/usr/bin/zenity");
    expect(zenity?.args).toEqual([
      "--question",
      "--no-markup",
      "--default-cancel",
      "--title",
      "Tether remote support",
      "--text",
      "Eve <b>&amp; (Example & Co) is asking to see your screen.\n\nVerification code: a b c d",
      "--ok-label",
      "Matches <i>",
      "--cancel-label",
      "Doesn't match",
    ]);
    // The agent's display and language; the exit codes that are the answers are the dialog's own, whatever the
    // environment asked of zenity.
    expect(zenity?.env).toMatchObject({ DISPLAY: ":42", LANG: "ja_JP.UTF-8", LC_MESSAGES: "ja_JP.UTF-8" });
    // "No" is not 1, which zenity exits with by itself when GTK cannot open the display.
    expect(zenity?.env).toMatchObject({ ZENITY_OK: "0", ZENITY_CANCEL: "10" });
    expect(zenity?.env.DIALOG_CANCEL).toBeUndefined();
    expect(Number(zenity?.env.ZENITY_ESC)).not.toBeOneOf([0, 1, 10]);
  });

  it("takes exit 0 as yes and 10 as no, for the question that process showed; any other end answers nothing", async () => {
    const { spawn, started } = standIns();
    const { dialog, answers, failures } = dialogOf(spawn);
    dialog.show(CODE);
    await started[0]?.exit(0);
    expect(answers).toEqual([[CODE, true]]);
    dialog.show(VIEW);
    await started[1]?.exit(10);
    expect(answers).toEqual([
      [CODE, true],
      [VIEW, false],
    ]);
    // Escape or the window closed (ZENITY_ESC's code): no answer, and nothing failed.
    dialog.show(VIEW);
    await started.at(-1)?.exit(Number(started[0]?.env.ZENITY_ESC));
    expect(failures.count).toBe(0);
    // GTK unable to open the display (1), zenity's error, its timeout, a signal: no answer, and a failure each.
    for (const code of [1, 255, 5, null]) {
      dialog.show(VIEW);
      await started.at(-1)?.exit(code);
    }
    expect(answers).toHaveLength(2);
    expect(failures.count).toBe(4);
    expect(started.every((one) => !one.isKilled)).toBe(true);
  });

  it("ends the process of a question replaced by another, whose end answers nothing, even as a yes", async () => {
    const { spawn, started } = standIns();
    const { dialog, answers } = dialogOf(spawn);
    dialog.show(CODE);
    dialog.show(VIEW);
    expect(started.map((one) => one.isKilled)).toEqual([true, false]);
    expect(started[1]?.args).toContain("Allow them to see your screen?");
    // The replaced one's yes, given just before the kill reached it: its question is gone, so it answers nothing.
    await started[0]?.exit(0);
    expect(answers).toEqual([]);
    await started[1]?.exit(0);
    expect(answers).toEqual([[VIEW, true]]);
  });

  it("ends the process shown when the dialog is taken away or closed, and that end answers nothing", async () => {
    const { spawn, started } = standIns();
    const { dialog, answers, failures } = dialogOf(spawn);
    dialog.show(CODE);
    dialog.show(null);
    expect(started.map((one) => one.isKilled)).toEqual([true]);
    await started[0]?.exit(null);
    dialog.show(VIEW);
    dialog.close();
    expect(started.map((one) => one.isKilled)).toEqual([true, true]);
    await started[1]?.exit(0);
    expect(answers).toEqual([]);
    // The kills were the dialog's own: no failure.
    expect(failures.count).toBe(0);
    // Nothing more is started, nor killed twice.
    dialog.close();
    expect(started).toHaveLength(2);
  });

  it("finds zenity on PATH as an executable file, and a program that cannot start answers nothing", async () => {
    const directory = await mkdtemp(join(tmpdir(), "tether-path-"));
    try {
      const [other, bin] = [join(directory, "other"), join(directory, "bin")];
      await Promise.all([mkdir(other), mkdir(bin)]);
      // A file of that name that cannot be run is passed over.
      await writeFile(join(other, "zenity"), "");
      await writeFile(join(bin, "zenity"), "#!/bin/sh\n");
      await chmod(join(bin, "zenity"), 0o755);
      expect(await findOnPath("zenity", `${other}::${bin}`)).toBe(join(bin, "zenity"));
      expect(await findOnPath("zenity", other)).toBeNull();
      expect(await findOnPath("zenity", undefined)).toBeNull();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
    expect(await spawnDialog(join(directory, "zenity"), [], {}).exited).toBeNull();
  });

  it("moves the question to the built-in dialog for good once a window fails, and shows it again there", async () => {
    const { spawn, started } = standIns();
    const answers: boolean[] = [];
    const builtin = { shown: [] as (DialogText | null)[], closed: 0, opened: 0 };
    let reshown = 0;
    const dialog = new DialogWithFallback(
      (onFailed) =>
        new ToolkitDialog(
          { program: "/usr/bin/zenity", display: ":42", env: ENV, title: "T", spawn, onFailed },
          (_, isYes) => answers.push(isYes),
        ),
      async () => {
        builtin.opened++;
        return { show: (text) => builtin.shown.push(text), close: () => builtin.closed++ };
      },
      () => reshown++,
    );
    expect(dialog.isUnicode).toBe(true);
    dialog.show(CODE);
    await started[0]?.exit(10);
    expect(answers).toEqual([false]);
    // Escape is no failure: zenity goes on asking.
    dialog.show(VIEW);
    await started[1]?.exit(Number(started[1]?.env.ZENITY_ESC));
    expect(reshown).toBe(0);
    // GTK could not open the display: the built-in dialog takes over, and the agent shows the question again.
    dialog.show(VIEW);
    await started[2]?.exit(1);
    await expect.poll(() => reshown).toBe(1);
    expect(builtin.opened).toBe(1);
    expect(dialog.isUnicode).toBe(false);
    dialog.show(CODE);
    expect(builtin.shown).toEqual([CODE]);
    expect(started).toHaveLength(3);
    dialog.close();
    expect(builtin.closed).toBe(1);
  });

  it("opens no built-in dialog for a failure after it was closed, and closes one that opened late", async () => {
    const { spawn, started } = standIns();
    let opened: (dialog: Dialog | null) => void = () => undefined;
    let closed = 0;
    let reshown = 0;
    const dialog = new DialogWithFallback(
      (onFailed) =>
        new ToolkitDialog(
          { program: "/usr/bin/zenity", display: ":42", env: ENV, title: "T", spawn, onFailed },
          () => undefined,
        ),
      () => new Promise((resolve) => (opened = resolve)),
      () => reshown++,
    );
    dialog.show(VIEW);
    await started[0]?.exit(255);
    dialog.close();
    opened({ show: () => undefined, close: () => closed++ });
    await expect.poll(() => closed).toBe(1);
    expect(reshown).toBe(0);
    // Where the built-in one cannot open either, the terminal alone asks: nothing is shown, nothing breaks.
    const alone = new DialogWithFallback(
      (onFailed) =>
        new ToolkitDialog(
          { program: "/usr/bin/zenity", display: ":42", env: ENV, title: "T", spawn, onFailed },
          () => undefined,
        ),
      async () => null,
      () => reshown++,
    );
    alone.show(VIEW);
    await started[1]?.exit(1);
    await expect.poll(() => reshown).toBe(1);
    alone.show(CODE);
    alone.close();
    expect(started).toHaveLength(2);
  });
});
