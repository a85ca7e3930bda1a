import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";
import { launchBrowser } from "./browser.ts";
import { dismiss, enrolTechnician, type Person } from "./people.ts";
import { reportServersOnFailure } from "./server-report.ts";
import { type ServerName, type ServerOptions, startServer, type TestServer } from "./servers.ts";

/** What an end-to-end file shares across its tests: one server and one browser. */
export type Scene = {
  readonly server: TestServer;
  readonly browser: Browser;
  /** The people a test opened, closed and checked for CSP violations and uncaught exceptions after it. */
  readonly people: Person[];
};

/** A scene with one technician enrolled before the first test, kept open across tests. */
export type Stage = Scene & { readonly technician: Person };

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Sets up the scene for the calling file's tests (`host` with `server`'s options, and Chromium), closes each test's
 * people after it, prints the server's output when a test fails, and stops everything at the end. Read its fields
 * inside tests and hooks, once beforeAll has run.
 */
export function useScene(server: ServerOptions = {}, host: ServerName = "wrangler"): Scene {
  return setUp(host, server, undefined);
}

/** As {@link useScene} on wrangler dev, with a technician enrolled as `technician` once, before the first test. */
export function useStage(technician: string, server: ServerOptions = {}): Stage {
  return setUp("wrangler", server, technician) as Stage;
}

function setUp(host: ServerName, options: ServerOptions, technician: string | undefined): Scene {
  const stage = { people: [] as Person[] } as Writable<Scene & { technician?: Person }>;
  beforeAll(async () => {
    [stage.server, stage.browser] = await Promise.all([startServer(host, options), launchBrowser()]);
    if (technician !== undefined) stage.technician = await enrolTechnician(stage.browser, stage.server, technician);
  });
  reportServersOnFailure(() => [stage.server]);
  afterEach(() => dismiss(stage.people, [stage.technician]));
  afterAll(async () => {
    await stage.browser?.close();
    await stage.server?.stop();
  });
  return stage;
}
