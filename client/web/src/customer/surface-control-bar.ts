import { formatPercent } from "../i18n/format.ts";
import { customerText } from "../i18n/page.ts";
import { announce, byId, setText, whileBusy } from "../lib/dom.ts";
import type { CustomerSession } from "./CustomerSession.ts";
import type { TabZoomView } from "./surface-control.ts";

// The session bar's part of the technician's zoom of a shared browser tab: a line that says what the technician may
// do with it, and the button that allows it (the browser then asks its own permission) or takes it back. Nothing
// shows where the browser cannot zoom a captured tab, or while what is shared is not a tab.

const line = byId("tab-zoom-line");
const toggle = byId("tab-zoom-toggle", HTMLButtonElement);

const T = () => customerText().tabZoom;

let view: TabZoomView = { state: null, isAllowed: false, level: null };

/** Draws the line and the button for `next` (the bar calls it again on every redraw, in the page's language). */
export function renderTabZoom(next: TabZoomView = view): void {
  view = next;
  const isShown = next.isAllowed || next.state === "offered";
  line.hidden = !isShown;
  toggle.hidden = !isShown;
  if (!isShown) return;
  setText(line, next.isAllowed ? T().allowed(next.level === null ? null : formatPercent(next.level)) : T().offered);
  setText(toggle, next.isAllowed ? T().stop : T().allow);
}

/** Wires the button to `customer`, and draws whatever the session says from now on. */
export function wireTabZoom(customer: CustomerSession): void {
  customer.onTabZoom = renderTabZoom;
  toggle.addEventListener("click", () => {
    if (view.isAllowed) return customer.tabZoom.withdraw();
    void whileBusy(toggle, async () => {
      // Inside the click: the browser asks its own permission only with the person's gesture.
      if (!(await customer.tabZoom.allow(toggle))) announce(() => T().refused, true);
    });
  });
}
