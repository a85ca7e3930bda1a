import { keepLinkSecret } from "../lib/link-secrets.ts";

// A session link carries its secret in the fragment (/j/CODE#SECRET), which browsers never send to a server. The link
// page imports this module first, so that it runs before any other code of the page: it removes the fragment from the
// address bar at once (out of the history, a bookmark, a screen that gets shared) and keeps it in this tab for the
// page, which checks it. A link opened again brings its fragment again; a reload, with none left, uses the kept one.

const code = /^\/j\/(\d{9})\/?$/.exec(location.pathname)?.[1];

if (location.href.includes("#")) {
  const fragment = location.hash.slice(1);
  history.replaceState(history.state, "", location.pathname + location.search);
  if (code) keepLinkSecret(code, fragment);
}
