import { type Browser, type CDPSession, chromium, type Page } from "playwright-core";

/** Debian's Chromium; `apt-get install chromium` puts it here. */
export const CHROMIUM = "/usr/bin/chromium";

/** What a browser fakes: the screen picker and permission prompts (`fakeUi`), and the camera and microphone. */
export type FakeMedia = { fakeUi?: boolean; fakeDevices?: boolean };

/**
 * Launches headless Chromium with fake media devices and nothing that reaches the network on its own; `extraArgs` add
 * flags. Without the fake picker (`fakeUi: false`), a page shares what flags such as
 * `--auto-select-tab-capture-source-by-title` pick.
 */
export function launchBrowser(
  extraArgs: string[] = [],
  { fakeUi = true, fakeDevices = true }: FakeMedia = {},
): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--allow-loopback-in-peer-connection",
      ...(fakeUi ? ["--use-fake-ui-for-media-stream"] : []),
      ...(fakeDevices ? ["--use-fake-device-for-media-stream"] : []),
      ...extraArgs,
    ],
  });
}

/** One stored credential of a virtual authenticator, as CDP reports it. */
export type VirtualCredential = { credentialId: string; isResidentCredential: boolean; userHandle?: string };

/** A CDP virtual authenticator on one page: a platform passkey provider with user verification. */
export type VirtualAuthenticator = {
  /** The credentials it holds. */
  credentials(): Promise<VirtualCredential[]>;
  /** Detaches it from the page, as if the person had put that device away. */
  remove(): Promise<void>;
};

// One CDP session per page holds all of its virtual authenticators: they live only as long as the
// session that enabled the WebAuthn domain.
const sessions = new WeakMap<Page, Promise<CDPSession>>();

function webAuthnSession(page: Page): Promise<CDPSession> {
  let session = sessions.get(page);
  if (!session) {
    session = page
      .context()
      .newCDPSession(page)
      .then(async (cdp) => {
        await cdp.send("WebAuthn.enable");
        return cdp;
      });
    sessions.set(page, session);
  }
  return session;
}

/** Gives `page` its own virtual authenticator (discoverable credentials, always user-verified, no prompts). */
export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await webAuthnSession(page);
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    async credentials() {
      const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
      return credentials;
    },
    async remove() {
      await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
    },
  };
}

/** What a page did that a test should check: document responses and console errors. */
export type PageWatch = { documents: { url: string; csp: string | undefined }[]; consoleErrors: string[] };

/** Records every document response's CSP header and every console error or uncaught exception on `page`. */
export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { documents: [], consoleErrors: [] };
  page.on("response", (response) => {
    if (response.request().resourceType() === "document") {
      watch.documents.push({ url: response.url(), csp: response.headers()["content-security-policy"] });
    }
  });
  page.on("console", (message) => {
    if (message.type() === "error") watch.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => watch.consoleErrors.push(`uncaught: ${error.message}`));
  return watch;
}
