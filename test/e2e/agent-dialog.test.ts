import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../client/agent/exit-codes.ts";
import { BUTTON_COLOURS } from "../../client/agent/indicator/dialog.ts";
import { XTestInput } from "../../client/agent/input/xtest.ts";
import * as en from "../../client/web/src/i18n/catalogues/en.ts";
import * as ja from "../../client/web/src/i18n/catalogues/ja.ts";
import { isGroupAlive } from "../../worker/cli/process-group.ts";
import {
  type Agent,
  agentSaid,
  builtinAllowViewAt,
  confirmAgentCode,
  exitOf,
  startAgent,
} from "../helpers/node/agent-process.ts";
import { startVirtualScreen, type VirtualScreen } from "../helpers/node/firefox.ts";
import { framesArrive, textOf } from "../helpers/node/people.ts";
import { useStage, viewNewSession } from "../helpers/node/stage.ts";
import { clickAt, pressKey, XReader } from "../helpers/node/x-reader.ts";

// The native agent's questions in the desktop toolkit's dialog: with zenity installed, the agent asks each one in a
// zenity window on its X screen (Xvfb here, with no window manager: the test gives the window the focus as one
// would). The person answers with the keyboard, and the session goes on; the window speaks the agent's language,
// Japanese included, which the built-in dialog's font cannot show; where a zenity window fails, the built-in dialog
// asks instead. The technician's viewer is Chromium's.

const stage = useStage("Dinah Dialog");
const WAIT = { timeout: 120_000, interval: 100 };
const TAB = pressKey("Tab", 15);
const ENTER = pressKey("Enter", 28);

describe("the native agent's dialog in the desktop's toolkit", () => {
  let screen: VirtualScreen;
  let x: XReader;
  let keyboard: XTestInput;
  const agents: Agent[] = [];

  beforeAll(async () => {
    screen = await startVirtualScreen();
    [x, keyboard] = await Promise.all([XReader.open(screen.display), XTestInput.open(screen.display)]);
  });

  afterAll(() => {
    for (const agent of agents) if (agent.process.exitCode === null) process.kill(-(agent.process.pid ?? 0), "SIGKILL");
    x?.close();
    keyboard?.close();
    screen?.stop();
  });

  /**
   * The one window titled `title` on the screen, once it is the only one and none of the processes `earlier` made it
   * (each question is a zenity process of its own); with the process that did.
   */
  async function dialogWindow(
    title: string,
    earlier: readonly number[] = [],
  ): Promise<{ window: number; pid: number }> {
    let found = { window: 0, pid: 0 };
    await expect
      .poll(async () => {
        const titled = await x.windowsTitled(title);
        found = titled[0] ?? found;
        return titled.length === 1 && !earlier.includes(found.pid);
      }, WAIT)
      .toBe(true);
    return found;
  }

  /** The person gives `window` the focus and presses `keys` on the machine's keyboard (XTEST stands in for it). */
  async function press(window: number, ...keys: (typeof ENTER)[]): Promise<void> {
    await x.focus(window);
    await keyboard.perform(keys.flat());
  }

  /** Ctrl+C: the agent ends the session and exits with `code`, and nothing of its process group is left (zenity too). */
  async function interrupt(agent: Agent, code: number): Promise<void> {
    process.kill(-(agent.process.pid ?? 0), "SIGINT");
    expect(await exitOf(agent)).toBe(code);
    await expect.poll(() => isGroupAlive(agent.process.pid ?? 0), WAIT).toBe(false);
  }

  it("asks in a toolkit window that the person answers with the keyboard, and the session goes on", async () => {
    const tech = stage.technician.page;
    const link = await viewNewSession(stage);
    const agent = startAgent(link, screen.display);
    agents.push(agent);
    const title = en.agent.dialogTitle;

    // The code's question is in a window of its own. The person answers it in the terminal instead: that window goes,
    // and the next question's comes up.
    const codeQuestion = await dialogWindow(title);
    await confirmAgentCode(tech, agent);
    const viewQuestion = await dialogWindow(title, [codeQuestion.pid]);

    // Enter alone would refuse ("Don't allow" has the focus); Tab goes to "Allow", and Enter presses it.
    await press(viewQuestion.window, TAB, ENTER);
    await agentSaid(agent, "Your technician can see your screen now.");
    const video = tech.getByLabel("Customer's screen");
    await framesArrive(video);

    // Asked about control next, the person ends the session instead: its window goes with the agent.
    await agentSaid(agent, "Also let them use your mouse and keyboard?");
    await dialogWindow(title, [codeQuestion.pid, viewQuestion.pid]);
    await interrupt(agent, EXIT.ended);
    expect(await x.windowsTitled(title)).toEqual([]);
    await expect.poll(() => textOf(tech.locator("#overlay")), WAIT).toMatch(/ended/i);
  });

  it("speaks the agent's language, Japanese too, and Enter alone answers no", async () => {
    // zenity reads its words in the locale's encoding: the machine must have Japanese's (localedef, as .ci/run does).
    expect(execFileSync("locale", ["-a"], { encoding: "utf8" })).toMatch(/^ja_JP\.utf8$/im);
    const link = await viewNewSession(stage);
    const agent = startAgent(link, screen.display, { env: { LANG: "ja_JP.UTF-8" } });
    agents.push(agent);

    // The window's title is the Japanese catalogue's, as the terminal's question is.
    const title = ja.agent.dialogTitle;
    expect(title).toMatch(/\p{Script=Katakana}/u);
    const { window } = await dialogWindow(title);
    await agentSaid(agent, ja.agent.confirmCode);

    // Enter presses the button that has the focus, "一致しない" (no match): the session ends as refused.
    await press(window, ENTER);
    await agentSaid(agent, ja.customer.ended.codeMismatch);
    expect(await exitOf(agent)).toBe(EXIT.failed);
    await expect.poll(() => isGroupAlive(agent.process.pid ?? 0), WAIT).toBe(false);
    expect(await x.windowsTitled(title)).toEqual([]);
  });

  it("asks in the built-in dialog where a zenity window fails, and the person's answer there counts", async () => {
    const tech = stage.technician.page;
    const link = await viewNewSession(stage);
    // GTK told to find a Wayland display that is not there: zenity cannot open its window and exits 1, which is
    // also what it exits with on a desktop where it cannot reach the X server.
    const agent = startAgent(link, screen.display, { env: { GDK_BACKEND: "wayland" } });
    agents.push(agent);
    await confirmAgentCode(tech, agent);
    await agentSaid(agent, en.agent.allowView);

    // The question is on the screen all the same: the built-in dialog's Allow, where dialogLayout puts it.
    const allowAt = builtinAllowViewAt(agent);
    await expect.poll(() => x.pixel(allowAt.x, allowAt.y), WAIT).toBe(BUTTON_COLOURS.yes);
    expect(await x.windowsTitled(en.agent.dialogTitle)).toEqual([]);
    await keyboard.perform(clickAt(allowAt));
    await agentSaid(agent, "Your technician can see your screen now.");
    await framesArrive(tech.getByLabel("Customer's screen"));
    await interrupt(agent, EXIT.ended);
  });
});
