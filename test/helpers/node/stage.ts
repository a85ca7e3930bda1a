import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";
import { launchBrowser } from "./browser.ts";
import { type DevServer, startDevServer } from "./dev-server.ts";
import { dismiss, enrolTechnician, type Person } from "./people.ts";
import { reportServersOnFailure } from "./server-report.ts";
import type { ServerOptions } from "./servers.ts";

/** What an end-to-end file shares across its tests: one server, one browser, one enrolled technician. */
export type Stage = {
  readonly server: DevServer;
  readonly browser: Browser;
  readonly technician: Person;
  /** The people a test opened, closed and checked for CSP violations and uncaught exceptions after it. */
  readonly people: Person[];
};

/**
 * Sets up the stage for the calling file's tests (wrangler dev with `server`'s options, Chromium and a technician
 * enrolled as `technician`), closes each test's people after it, prints the server's output when a test fails, and
 * stops everything at the end. Read its fields inside tests and hooks, once beforeAll has run.
 */
export function useStage(technician: string, server: ServerOptions = {}): Stage {
  const stage = { people: [] as Person[] } as { -readonly [K in keyof Stage]: Stage[K] };
  beforeAll(async () => {
    [stage.server, stage.browser] = await Promise.all([startDevServer(server), launchBrowser()]);
    stage.technician = await enrolTechnician(stage.browser, stage.server, technician);
  });
  reportServersOnFailure(() => [stage.server]);
  afterEach(() => dismiss(stage.people, [stage.technician]));
  afterAll(async () => {
    await stage.browser?.close();
    await stage.server?.stop();
  });
  return stage;
}
