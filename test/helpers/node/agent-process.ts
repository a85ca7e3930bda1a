import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { dialogLayout } from "../../../client/agent/indicator/dialog.ts";
import * as en from "../../../client/web/src/i18n/catalogues/en.ts";
import { textOf } from "./people.ts";

// The native agent's program as a person starts it in a terminal, for the end-to-end tests: in its own process group
// (Ctrl+C reaches it, its ffmpeg and its dialog's zenity alike), in English, on an X display, with every host it
// reaches reported.

/**
 * Loaded into the agent's process before it runs: reports on stderr every host it sends to or connects to (UDP and
 * TCP, each once), so that the test can tell it reached nothing but loopback.
 */
const CONTACTS = `data:text/javascript,${encodeURIComponent(`
import dgram from "node:dgram";
import net from "node:net";
const seen = new Set();
const say = (host) => {
  if (seen.has(host)) return;
  seen.add(host);
  process.stderr.write("contact " + host + "\\n");
};
const hostOf = (args) => {
  const [first, second] = args;
  const options = Array.isArray(first) ? first[0] : first;
  if (options && typeof options === "object") return options.path ? "unix" : (options.host ?? "localhost");
  return typeof second === "string" ? second : "localhost";
};
const send = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function (...args) {
  say(args.slice(1).find((arg) => typeof arg === "string") ?? "connected");
  return send.apply(this, args);
};
const udpConnect = dgram.Socket.prototype.connect;
dgram.Socket.prototype.connect = function (...args) {
  say(typeof args[1] === "string" ? args[1] : "localhost");
  return udpConnect.apply(this, args);
};
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  say(hostOf(args));
  return connect.apply(this, args);
};
`)}`;

export const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "connected"]);

export type Agent = { process: ChildProcessWithoutNullStreams; output: () => string; errors: () => string };

/** How an agent is started: its program (its sources unless said), where, and what its environment adds or changes. */
export type AgentStart = { program?: string; cwd?: string; env?: Record<string, string> };

/**
 * Starts the agent's `program` (its sources unless said: the download is one file) in `cwd` for `link` on `display`,
 * in English unless `env` says otherwise (LANG), with the contacts reported.
 */
export function startAgent(link: string, display: string, options: AgentStart = {}): Agent {
  return startAgentWith(["--allow-loopback", link], display, options);
}

/** Starts the agent's `program` with `args` (`serve --allow-loopback …`), as startAgent does. */
export function startAgentWith(
  args: readonly string[],
  display: string,
  { program = "client/agent/main.ts", cwd, env = {} }: AgentStart = {},
): Agent {
  const child = spawn(
    process.execPath,
    ["--disable-warning=ExperimentalWarning", "--import", CONTACTS, program, ...args],
    {
      cwd,
      env: { ...process.env, DISPLAY: display, LANG: "en_GB.UTF-8", LC_ALL: "", LC_MESSAGES: "", ...env },
      detached: true,
    },
  );
  let output = "";
  let errors = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    errors += chunk.toString();
  });
  return { process: child, output: () => output, errors: () => errors };
}

/** The hosts the agent sent to or connected to that are not this machine. */
export function farContacts(agent: Agent): string[] {
  return contactsOf(agent).filter((host) => !LOOPBACK.has(host));
}

/** The hosts the agent sent to or connected to, each once (LOOPBACK holds this machine's). */
export function contactsOf(agent: Agent): string[] {
  return [...agent.errors().matchAll(/^contact (.*)$/gm)].map((match) => match[1] ?? "");
}

export function exitOf(agent: Agent): Promise<number | null> {
  const { process: child } = agent;
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Waits until the agent has said `text` in its terminal. */
export function agentSaid(agent: Agent, text: string, wait = { timeout: 120_000, interval: 100 }): Promise<void> {
  return expect.poll(agent.output, wait).toContain(text);
}

/**
 * The person reads the four words the agent shows against the technician's, in the viewer on `tech`, and says they
 * match; the technician confirms them too. Resolves once the agent asks whether to allow viewing.
 */
export async function confirmAgentCode(tech: Page, agent: Agent): Promise<void> {
  const wait = { timeout: 120_000, interval: 100 };
  await agentSaid(agent, "Does your technician read out exactly these four words?");
  const words = /Verification code: ([a-z]+(?: [a-z]+){3})/.exec(agent.output())?.[1];
  const region = tech.getByRole("region", { name: "Check the verification code" });
  await expect.poll(() => textOf(region.getByLabel("Verification code")), wait).toBe(words);
  agent.process.stdin.write("y\n");
  await region.getByRole("button", { name: "Matches" }).click();
  await agentSaid(agent, "Allow them to see your screen");
}

/**
 * Where the built-in dialog's Allow button is while `agent` (in English, on a 1280×720 screen) asks whether to allow
 * viewing: a point inside it, as dialogLayout places the dialog with the words the terminal showed.
 */
export function builtinAllowViewAt(agent: Agent): { x: number; y: number } {
  const asking = agent
    .output()
    .split("\n")
    .filter((line) => line.endsWith("is asking to see your screen.") || line.startsWith("Case number: "));
  const dialog = dialogLayout(
    { width: 1280, height: 720 },
    { lines: [...asking, "", en.agent.dialog.allowView.question], yes: "Allow", no: "Don't allow" },
  );
  return { x: dialog.window.x + dialog.yes.x + 8, y: dialog.window.y + dialog.yes.y + 8 };
}
