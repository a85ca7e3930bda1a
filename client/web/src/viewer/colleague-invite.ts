import { technicianText } from "../i18n/page.ts";
import { byId, setText } from "../lib/dom.ts";
import { inviteLinkOf } from "../lib/invite-link.ts";
import { linkSecretOf } from "../lib/link-secrets.ts";
import type { TechnicianSession, ViewerState } from "./TechnicianSession.ts";

// Colleagues in the viewer. The owner of a link session invites: the room hears the hash of a key only holders of the
// link's secret can derive, and the owner passes on /console#invite=CODE.SECRET (the secret in the fragment, never
// sent to a server), shown in a dialog over the picture so that the picture keeps its place. A colleague's viewer
// says the customer decides whether to let them in, until they are.

const button = byId("viewer-invite", HTMLButtonElement);
const dialog = byId("viewer-invite-panel", HTMLDialogElement);
const linkField = byId("viewer-invite-link", HTMLInputElement);
const closeButton = byId("viewer-invite-close", HTMLButtonElement);
const colleagueLine = byId("viewer-colleague", HTMLElement);

const T = () => technicianText().viewer.colleague;

closeButton.addEventListener("click", () => dialog.close());

/** The invite action of session `code`'s viewer; `update` with every new state, `close` when the viewer goes. */
export function colleagueInvite(code: string, session: TechnicianSession) {
  let latest: ViewerState | null = null;
  const onClick = () => {
    const secret = linkSecretOf(code);
    if (secret === null || !session.invite()) return;
    linkField.value = inviteLinkOf(location.origin, code, secret);
    dialog.showModal();
    linkField.select();
  };
  button.addEventListener("click", onClick);
  const draw = (state: ViewerState) => {
    const isLive = state.ended === null;
    // Only the owner of a link session holds the secret a colleague's console needs.
    button.hidden = !isLive || state.isOwner !== true || state.secretKind !== "link";
    if (button.hidden && dialog.open) dialog.close();
    const isWaiting = isLive && state.isOwner === false && state.secretKind === "link" && state.stream === null;
    colleagueLine.hidden = !isWaiting;
    setText(colleagueLine, isWaiting ? T().waiting : "");
  };
  return {
    update(state: ViewerState): void {
      latest = state;
      draw(state);
    },
    /** Draws again in a new language. */
    redraw(): void {
      if (latest) draw(latest);
    },
    close(): void {
      button.removeEventListener("click", onClick);
      button.hidden = true;
      if (dialog.open) dialog.close();
      linkField.value = "";
      colleagueLine.hidden = true;
    },
  };
}
