import { commonText, customerText } from "../i18n/page.ts";
import { AnnotationLayer } from "../lib/annotation-layer.ts";
import { type ChatPanel, chatPanel } from "../lib/chat-panel.ts";
import { byId, whileBusy } from "../lib/dom.ts";
import { type FilePanel, filePanel } from "../lib/file-panel.ts";
import { type VoicePanel, voicePanel } from "../lib/voice-panel.ts";
import type { CustomerSession } from "./CustomerSession.ts";
import { type KeepOnTop, keepOnTop } from "./keep-on-top.ts";

// What the customer's page shows only once a session is under way: the chat, voice and file panels, the technician's
// pointer and drawings over the preview, and the always-on-top window. customer/page.ts imports this module (in the
// chunk ./later.ts) once the consent screen is up: the first view does not wait for it, and on any line it is in long
// before the person has read the screen and clicked Allow.

/** The panels, for customer/page.ts to draw. */
export type SessionPanels = { chat: ChatPanel; voice: VoicePanel; files: FilePanel; onTop: KeepOnTop };

/** Makes the session's panels for `customer` and wires them; `redraw` draws the page again after they moved. */
export function sessionPanels(customer: CustomerSession, redraw: () => void): SessionPanels {
  const T = customerText;
  // The technician's pointer and drawings, over the preview of what is shared.
  const preview = byId("preview", HTMLVideoElement);
  const layer = new AnnotationLayer(byId("preview-annotations", HTMLCanvasElement), preview, customer.annotations);
  customer.onAnnotations = () => layer.wake();
  // A preview resized (a narrower window, a zoomed page, the mini window) gets its drawing layer resized with it.
  new ResizeObserver(() => layer.wake()).observe(preview);
  const onTop = keepOnTop([byId("sharing"), byId("chat-section")], () => {
    layer.wake();
    redraw();
  });
  const onTopButton = byId("keep-on-top", HTMLButtonElement);
  onTopButton.addEventListener("click", () => void whileBusy(onTopButton, () => onTop.toggle()));
  const voice = voicePanel("chat", () => ({ ...commonText().voice, ...T().voice }), {
    setMicrophone: (isOn) => customer.setMicrophone(isOn),
  });
  const files = filePanel("files", () => ({ ...commonText().files, ...T().files }), {
    offer: (file) => customer.offerFile(file),
    ...customer.files,
  });
  const chat = chatPanel("chat", () => ({ ...commonText().chat, ...T().chat }), {
    say: (text, isClipboard) => customer.say(text, isClipboard),
    markRead: () => customer.markChatRead(),
  });
  return { chat, voice, files, onTop };
}
