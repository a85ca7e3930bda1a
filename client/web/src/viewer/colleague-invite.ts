import { technicianText } from "../i18n/page.ts";
import { announce, byId, setText } from "../lib/dom.ts";
import { inviteLinkOf } from "../lib/invite-link.ts";
import { linkSecretOf } from "../lib/link-secrets.ts";
import type { TechnicianSession, ViewerState } from "./TechnicianSession.ts";

// Colleagues in the viewer. The owner of a link session invites: the room hears the hash of a key only holders of the
// link's secret can derive, and the owner passes on /console#invite=CODE.SECRET (the secret in the fragment, never
// sent to a server), shown in a dialog over the picture so that the picture keeps its place. A colleague's viewer
// says the customer decides whether to let them in, until they are. Below the picture, the owner may hand the session
// to a colleague the customer let in (a second click confirms), and then leave without ending it.

const button = byId("viewer-invite", HTMLButtonElement);
const dialog = byId("viewer-invite-panel", HTMLDialogElement);
const linkField = byId("viewer-invite-link", HTMLInputElement);
const closeButton = byId("viewer-invite-close", HTMLButtonElement);
const colleagueLine = byId("viewer-colleague");
const handOverSection = byId("viewer-handover");
const handOverList = byId("viewer-handover-list", HTMLUListElement);

const T = () => technicianText().viewer.colleague;

closeButton.addEventListener("click", () => dialog.close());

/** The invite action of session `code`'s viewer; `update` with every new state, `close` when the viewer goes. */
export function colleagueInvite(code: string, session: TechnicianSession) {
  let latest: ViewerState | null = null;
  /** The colleague whose hand-over button was clicked once: the next click on it confirms. */
  let pending: string | null = null;
  let drawnList = "";
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
    drawHandOver(isLive && state.isOwner === true ? state.colleagues : []);
  };
  const drawHandOver = (colleagues: ViewerState["colleagues"], isRedraw = false) => {
    handOverSection.hidden = colleagues.length === 0;
    if (pending !== null && !colleagues.some((peer) => peer.id === pending)) pending = null;
    const key = JSON.stringify([pending, colleagues.map((peer) => [peer.id, peer.name])]);
    if (key === drawnList && !isRedraw) return;
    drawnList = key;
    const focused =
      document.activeElement instanceof HTMLElement ? document.activeElement.dataset.colleague : undefined;
    handOverList.replaceChildren(
      ...colleagues.map((peer) => {
        const item = document.createElement("li");
        const action = document.createElement("button");
        action.type = "button";
        action.className = pending === peer.id ? "danger" : "secondary";
        action.dataset.colleague = peer.id;
        const name = peer.name ?? "";
        action.textContent = pending === peer.id ? T().confirmHandOver(name) : T().handOver(name);
        action.addEventListener("click", () => {
          if (pending !== peer.id) {
            pending = peer.id;
            announce(T().confirmHint);
          } else {
            pending = null;
            session.handOver(peer.id);
          }
          if (latest) draw(latest);
        });
        item.append(action);
        return item;
      }),
    );
    // The button just drawn again keeps the keyboard's focus.
    if (focused !== undefined) handOverList.querySelector<HTMLElement>(`[data-colleague="${focused}"]`)?.focus();
  };
  return {
    update(state: ViewerState): void {
      latest = state;
      draw(state);
    },
    /** Draws again in a new language. */
    redraw(): void {
      drawnList = "";
      if (latest) draw(latest);
    },
    close(): void {
      button.removeEventListener("click", onClick);
      button.hidden = true;
      if (dialog.open) dialog.close();
      linkField.value = "";
      colleagueLine.hidden = true;
      handOverSection.hidden = true;
      handOverList.replaceChildren();
      drawnList = "";
    },
  };
}
