// The customer's session panel (the bar with Pause, Stop and End, the mirror with the technician's pointer and
// drawings, who is connected, and the chat) in an always-on-top mini window, where the browser has Document
// Picture-in-Picture (Chrome and Edge 116+, Firefox 151+): the customer can work in other programs and still see
// where the technician points and end the session at once. The panels move into that window and back when it
// closes, keeping their state and their listeners. Where the browser lacks it, the panels stay in the page, and the
// page says so.

type PictureInPicture = { requestWindow(options: { width: number; height: number }): Promise<Window> };

function pictureInPicture(): PictureInPicture | null {
  return (globalThis as { documentPictureInPicture?: PictureInPicture }).documentPictureInPicture ?? null;
}

export type KeepOnTop = {
  /** Whether the browser can keep the panels on top. */
  readonly isSupported: boolean;
  /** Whether the panels are in the mini window now. */
  readonly isOpen: boolean;
  /** Opens the mini window (from a click) or, when open, puts the panels back. */
  toggle(): Promise<void>;
  /** Puts the panels back and closes the mini window (the session ended). */
  close(): void;
};

/** `panels` move together; `onMove` runs after each move (canvases redraw in their new window). */
export function keepOnTop(panels: HTMLElement[], onMove: () => void): KeepOnTop {
  const api = pictureInPicture();
  let mini: Window | null = null;

  function putBack(places: Comment[]): void {
    for (const [i, panel] of panels.entries()) places[i]?.replaceWith(panel);
    mini = null;
    onMove();
    // The keyboard follows the panel back into the page (not when it went because the session ended: it is hidden).
    const first = panels[0];
    if (first && !first.hidden) first.focus();
  }

  async function open(): Promise<void> {
    if (!api || mini) return;
    const opened = await api.requestWindow({ width: 420, height: 600 });
    mini = opened;
    const doc = opened.document;
    doc.documentElement.lang = document.documentElement.lang;
    doc.title = document.title;
    // The page's own stylesheet (same origin, as the policy requires): the panels look as they did.
    for (const link of document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')) {
      doc.head.append(link.cloneNode());
    }
    const main = doc.createElement("main");
    main.className = "mini";
    doc.body.append(main);
    const places = panels.map((panel) => {
      const place = document.createComment("panel");
      panel.before(place);
      main.append(panel);
      return place;
    });
    opened.addEventListener("pagehide", () => putBack(places), { once: true });
    onMove();
    // The keyboard follows the panel into its window.
    panels[0]?.focus();
  }

  return {
    isSupported: api !== null,
    get isOpen() {
      return mini !== null;
    },
    async toggle() {
      if (mini) mini.close();
      else await open();
    },
    close() {
      mini?.close();
    },
  };
}
