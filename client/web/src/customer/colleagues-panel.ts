import { customerText } from "../i18n/page.ts";
import { byId } from "../lib/dom.ts";
import type { CustomerSession, CustomerView } from "./CustomerSession.ts";

// The customer's list of colleagues: each technician the owner invited whose handshake this page confirmed, with
// their name and organisation, and what the customer can do about them: Allow or Don't allow while they wait, Remove
// once they see the screen. Drawn again only when the list changes, so the buttons keep the keyboard's focus.

const section = byId("colleagues");
const list = byId("colleagues-list", HTMLUListElement);

const T = () => customerText().colleagues;

let drawn = "";

function button(text: string, label: string, className: string, onClick: () => void): HTMLButtonElement {
  const element = document.createElement("button");
  element.type = "button";
  element.className = className;
  element.textContent = text;
  element.setAttribute("aria-label", label);
  element.addEventListener("click", onClick);
  return element;
}

/** Shows the colleagues of `view` (none once it ended); `isRedraw` draws again in a new language. */
export function renderColleagues(view: CustomerView, customer: CustomerSession, isRedraw = false): void {
  const colleagues = view.phase === "ended" ? [] : view.colleagues;
  section.hidden = colleagues.length === 0;
  const organisation = view.technician?.organisation ?? "";
  const key = JSON.stringify([organisation, colleagues.map((c) => [c.peer.id, c.peer.name, c.isAdmitted])]);
  if (key === drawn && !isRedraw) return;
  drawn = key;
  const hadFocus = list.contains(document.activeElement);
  list.replaceChildren(
    ...colleagues.map(({ peer, isAdmitted }) => {
      const item = document.createElement("li");
      const name = peer.name ?? "";
      const line = document.createElement("p");
      line.textContent = isAdmitted ? T().admitted(name, organisation) : T().asking(name, organisation);
      const actions = document.createElement("div");
      actions.className = "actions";
      if (isAdmitted) {
        actions.append(button(T().remove, T().removeLabel(name), "danger", () => customer.removeColleague(peer.id)));
      } else {
        actions.append(
          button(T().allow, T().allowLabel(name), "", () => customer.admitColleague(peer.id)),
          button(T().deny, T().denyLabel(name), "secondary", () => customer.removeColleague(peer.id)),
        );
      }
      item.append(line, actions);
      return item;
    }),
  );
  // A button that went with its row leaves the focus on the list's heading, not lost on the page.
  if (hadFocus && !list.contains(document.activeElement)) {
    (list.querySelector("button") ?? byId("colleagues-title")).focus();
  }
}
