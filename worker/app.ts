import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { ErrorBody } from "#protocol/errors.ts";
import { AppError } from "./errors.ts";
import type { Host } from "./host.ts";
import { log } from "./log.ts";
import { withConfig } from "./middleware/config.ts";
import { checkOrigin } from "./middleware/origin.ts";
import { pagePolicies } from "./middleware/permissions-policy.ts";
import { admin } from "./routes/admin.ts";
import { audit } from "./routes/audit.ts";
import { auth } from "./routes/auth.ts";
import { health } from "./routes/health.ts";
import { ice } from "./routes/ice.ts";
import { machines } from "./routes/machines.ts";
import { recordings, sessionRecordings } from "./routes/recordings.ts";
import { help, sessions } from "./routes/sessions.ts";
import { technicians } from "./routes/technicians.ts";
import { tokens } from "./routes/tokens.ts";
import { webhooks } from "./routes/webhooks.ts";
import { withCacheControl } from "./static-cache.ts";
import type { AppEnv, Bindings } from "./types.ts";

/**
 * The Tether app on the runtime that `hostFor` describes (Workers, Deno): config, security headers and Origin checks
 * in front of every route.
 */
export function createApp<E extends Bindings>(hostFor: (env: E) => Host): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        mediaSrc: ["'self'", "blob:"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: "no-referrer",
      crossOriginEmbedderPolicy: false,
      // Set by pagePolicies, over HTTPS only.
      strictTransportSecurity: false,
    }),
  );
  app.use(pagePolicies);
  app.use(async (c, next) => {
    // Each host is served with its own bindings, of the type its `hostFor` takes.
    c.set("host", hostFor(c.env as E));
    await next();
  });
  app.use(withConfig);
  app.use("/api/*", checkOrigin);
  app.use("/api/*", async (c, next) => {
    // API answers are personal (who is signed in, their sessions, credentials) or short-lived: no cache keeps them.
    c.header("Cache-Control", "no-store");
    await next();
  });

  // The customer's page for a session link. `/join`, not `/join.html`, which the asset handler redirects; the
  // browser's If-None-Match goes along, so that an unchanged page is a 304.
  app.get("/j/:code{[0-9]{9}}", async (c) => {
    const etag = c.req.header("If-None-Match");
    const request = new Request(new URL("/join", c.req.url), { headers: etag ? { "If-None-Match": etag } : {} });
    return withCacheControl("/join", await c.get("host").asset(request));
  });
  // A damaged link (/j/, /j/ABC, a digit short) gets the same page, which tells the person how to get a working link,
  // as a 404: the browser's own error page would leave them with nothing to act on.
  app.get("/j/*", async (c) => {
    const page = await c.get("host").asset(new Request(new URL("/join", c.req.url)));
    return new Response(page.ok ? page.body : null, { status: 404, headers: page.headers });
  });

  app.route("/", health);
  app.route("/api/auth", auth);
  app.route("/api", technicians);
  app.route("/api", admin);
  app.route("/api/audit", audit);
  app.route("/api/webhooks", webhooks);
  app.route("/api/tokens", tokens);
  app.route("/api/sessions", ice);
  app.route("/api/sessions", sessions);
  app.route("/api/sessions", sessionRecordings);
  app.route("/api/recordings", recordings);
  app.route("/api/help", help);
  app.route("/api/machines", machines);

  app.notFound(async (c) => {
    if (c.req.path.startsWith("/api/")) {
      // The path is the client's: cut so that the message stays within the protocol's 500 characters.
      const path = c.req.path.length > 200 ? `${c.req.path.slice(0, 200)}…` : c.req.path;
      return c.json<ErrorBody>(
        { error: { code: "NOT_FOUND", message: `No such endpoint: ${c.req.method} ${path}` } },
        404,
      );
    }
    // Files never read a body: one a client sent (a 2 MB DELETE) is not passed on, since forwarding it unread made
    // the asset fetch fail under `wrangler dev` (Network connection lost) and the request end in a 500.
    const request = c.req.raw;
    const file = await c.get("host").asset(request.body === null ? request : new Request(request, { body: null }));
    return withCacheControl(c.req.path, file);
  });

  app.onError((err, c) => {
    if (err instanceof AppError) {
      return c.json<ErrorBody>({ error: { code: err.code, message: err.message } }, err.status);
    }
    if (err instanceof HTTPException && err.status < 500) {
      // Hono's own validators throw these for unreadable bodies: a client mistake, not ours.
      const tooLarge = err.status === 413;
      return c.json<ErrorBody>(
        {
          error: {
            code: tooLarge ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST",
            message: tooLarge ? "The request body is too large." : "The request body could not be read as JSON.",
          },
        },
        tooLarge ? 413 : 400,
      );
    }
    log({ event: "unhandled_error", path: c.req.path, name: err.name, message: err.message.slice(0, 200) });
    return c.json<ErrorBody>(
      { error: { code: "INTERNAL", message: "Something went wrong on our side; please try again." } },
      500,
    );
  });

  return app;
}
