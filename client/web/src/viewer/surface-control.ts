import { formatPercent } from "../i18n/format.ts";
import { onLanguageChange, technicianText } from "../i18n/page.ts";
import { byId, setText } from "../lib/dom.ts";
import type { TechnicianSession, ViewerState } from "./TechnicianSession.ts";

// The viewer's zoom of the browser tab the customer shares (their page applies it through Chromium's Captured Surface
// Control): the buttons show only while the customer's page says it allows it, with the tab's zoom level; while the
// customer shares a tab and has not allowed it, one line says they can. Where their browser cannot, nothing shows.

const controls = byId("tab-zoom", HTMLFieldSetElement);
const offer = byId("tab-zoom-offer");
const level = byId("tab-zoom-level");
const zoomIn = byId("tab-zoom-in", HTMLButtonElement);
const zoomOut = byId("tab-zoom-out", HTMLButtonElement);
const reset = byId("tab-zoom-reset", HTMLButtonElement);

const T = () => technicianText().viewer.tabZoom;

/** The viewer's tab zoom for `session`: `update` with every new state, `close` when the viewer closes. */
export function viewerTabZoom(session: TechnicianSession) {
  let latest: ViewerState | null = null;
  const draw = () => {
    const zoom = latest?.ended || latest?.link !== "connected" ? null : (latest?.tabZoom ?? null);
    const isAllowed = zoom?.state === "allowed";
    controls.hidden = !isAllowed;
    offer.hidden = zoom?.state !== "offered";
    setText(offer, offer.hidden ? "" : T().offered);
    setText(level, isAllowed && zoom.level !== null ? T().level(formatPercent(zoom.level)) : "");
    zoomIn.disabled = !zoom?.canZoomIn;
    zoomOut.disabled = !zoom?.canZoomOut;
  };
  const onIn = () => session.zoomTab("in");
  const onOut = () => session.zoomTab("out");
  const onReset = () => session.zoomTab("reset");
  zoomIn.addEventListener("click", onIn);
  zoomOut.addEventListener("click", onOut);
  reset.addEventListener("click", onReset);
  const stopRedrawing = onLanguageChange(draw);
  return {
    update(state: ViewerState): void {
      latest = state;
      draw();
    },
    close(): void {
      stopRedrawing();
      zoomIn.removeEventListener("click", onIn);
      zoomOut.removeEventListener("click", onOut);
      reset.removeEventListener("click", onReset);
      latest = null;
      draw();
    },
  };
}
