import { onLanguageChange, technicianText } from "../i18n/page.ts";
import { byId } from "../lib/dom.ts";
import type { TechnicianSession, ViewerState } from "./TechnicianSession.ts";

// The customer's screens, where their native agent has several: one button for each (the one shown pressed), which
// shows that screen instead (the technician's pointer, clicks and keys then land there too). Nothing shows for one
// screen, or for a customer's page, which shares what its person picked.

const choice = byId("screen-choice", HTMLFieldSetElement);

const T = () => technicianText().viewer.screens;

/** The viewer's choice of screen for `session`: `update` with every new state, `close` when the viewer closes. */
export function viewerScreens(session: TechnicianSession) {
  let latest: ViewerState | null = null;
  let drawn = "";
  const draw = () => {
    const screens = latest?.ended || latest?.link !== "connected" ? null : (latest?.screens ?? null);
    choice.hidden = !screens || screens.screens.length < 2;
    // The buttons are made again only when the screens (or the language) change, so that the focus stays on them.
    const key = choice.hidden || !screens ? "" : JSON.stringify([screens.screens, T().screen(1, "")]);
    if (key !== drawn) {
      drawn = key;
      const legend = choice.querySelector("legend");
      choice.replaceChildren(...(legend ? [legend] : []));
      screens?.screens.forEach(({ width, height }, index) => {
        if (choice.hidden) return;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "secondary";
        button.textContent = T().screen(index + 1, `${width}×${height}`);
        button.addEventListener("click", () => session.showScreen(index));
        choice.append(button);
      });
    }
    choice.querySelectorAll("button").forEach((button, index) => {
      button.setAttribute("aria-pressed", String(index === screens?.shown));
    });
  };
  const stopRedrawing = onLanguageChange(draw);
  return {
    update(state: ViewerState): void {
      latest = state;
      draw();
    },
    close(): void {
      stopRedrawing();
      latest = null;
      draw();
    },
  };
}
