import { SeatToken } from "#protocol/room.ts";
import { parseLinkSecret } from "../../core/link-secret.ts";
import { agentPageText, commonText, startLanguage } from "./i18n/page.ts";
import { announce, byId, copyText } from "./lib/dom.ts";

// The page a customer's session page opens (in a new tab) when their technician asks for control: it offers the native
// agent, which a browser cannot replace, and the command that starts it in the session page's seat. What the command
// needs comes in the fragment, which browsers never send to a server: /agent#CODE.SECRET.TOKEN, the session's code,
// its link secret and the seat's token (#CODE alone from a Get-help page, which has no link to give). The fragment
// leaves the address bar at once; the command is made here and nowhere else. Each part must have the shape it has when
// a session page makes it: the person runs the command in a shell, and a link made by someone else must not be able to
// put anything else into it.

const T = agentPageText;
const [code = "", secret, token] = location.hash.slice(1).split(".");
history.replaceState(null, "", location.pathname);
const steps = byId("agent-steps");
const command = byId("agent-command", HTMLInputElement);
const copy = byId("agent-copy", HTMLButtonElement);

await startLanguage(() => T().markup);
const isSession = /^\d{9}$/.test(code);
if (isSession && secret && parseLinkSecret(secret) && token && SeatToken.safeParse(token).success) {
  // The agent reads the seat's token after the secret, and presents it to take the page's seat.
  command.value = `node tether-agent.mjs '${location.origin}/j/${code}#${secret}.${token}'`;
  steps.hidden = false;
  copy.addEventListener(
    "click",
    () =>
      void copyText(
        command.value,
        () => commonText().chat,
        () => command.select(),
      ),
  );
} else {
  // A code alone comes from a Get-help page; anything else is no link of ours.
  announce(() => (isSession && secret === undefined ? T().needsLink : T().noSession), true);
}
