import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";
import { launchBrowser } from "./browser.ts";
import {
  createSession,
  dismiss,
  enrolTechnician,
  framesArrive,
  newPerson,
  open,
  type Person,
  reportPages,
  SESSION_LINK,
} from "./people.ts";
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
  afterEach(async ({ task }) => {
    if (task.result?.state === "fail") await reportPages([stage.technician, ...stage.people]);
    await dismiss(stage.people, [stage.technician]);
  });
  afterAll(async () => {
    await stage.browser?.close();
    await stage.server?.stop();
  });
  return stage;
}

/** A live session on the stage: the technician's viewer and a customer who has allowed sharing, frames arriving. */
export type Sharing = { tech: Page; customer: Person; code: string };

/** A person at a fresh browser profile of the scene's browser, closed after the test. */
export async function newStagePerson(scene: Scene): Promise<Person> {
  const person = await newPerson(scene.browser, scene.server);
  scene.people.push(person);
  return person;
}

/** The stage's technician creates a session (for `caseNumber`) and opens its viewer; returns the customer's link. */
export async function viewNewSession(stage: Stage, caseNumber?: string): Promise<string> {
  const { page } = stage.technician;
  const link = await createSession(page, caseNumber);
  await page.getByRole("link", { name: "View this session" }).click();
  await page.getByRole("heading", { name: /^Session \d{3} \d{3} \d{3}$/ }).waitFor();
  return link;
}

/**
 * The stage's technician creates a session and opens its viewer; a customer at a fresh browser profile opens the
 * link and allows; resolves once the viewer decodes frames. `beforeOpen` runs on the customer's context first (e.g.
 * to keep its peer connections for getStats).
 */
export async function startSharing(
  stage: Stage,
  beforeOpen: (customer: Person) => Promise<void> = async () => {},
): Promise<Sharing> {
  const tech = stage.technician.page;
  const link = await createSession(tech);
  await tech.getByRole("link", { name: "View this session" }).click();
  const customer = await newStagePerson(stage);
  await beforeOpen(customer);
  await open(customer.page, link);
  await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
  await framesArrive(tech.getByLabel("Customer's screen"));
  return { tech, customer, code: SESSION_LINK.exec(link)?.[1] ?? "" };
}
