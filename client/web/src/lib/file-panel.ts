import type { OfferRefusal, Transfer, TransferState } from "../../../core/file-transfer.ts";
import { formatBytes, formatUnit } from "../i18n/format.ts";
import { announce, byId } from "./dom.ts";

// The files panel of the customer's page and of the viewer: a picker and a drop zone for files to send, and each
// transfer both ways with its name, size and type, Accept and Refuse for an incoming one, a progress bar with the rate
// and the time left, Cancel, the SHA-256 both sides agree on, and Save once it is checked. The session (core/
// file-transfer.ts) moves the bytes; this draws them.

/** The words of a files panel, from the page's catalogue. */
export type FileTexts = {
  line: (name: string, size: string, mime: string, isIncoming: boolean) => string;
  state: Record<TransferState, string>;
  progress: (done: string, total: string, rate: string | null, left: string | null) => string;
  hash: (sha256: string) => string;
  accept: string;
  refuse: string;
  cancel: string;
  save: string;
  tooLarge: (max: string) => string;
  empty: string;
};

export type FileActions = {
  offer(file: File): OfferRefusal | null;
  accept(id: number): void;
  refuse(id: number): void;
  cancel(id: number): void;
  /** The bytes of a checked incoming file. */
  received(id: number): Uint8Array[] | null;
  maxBytes(): number;
};

export type FilePanel = { render(transfers: readonly Transfer[], isOpen: boolean): void };

function button(text: string, action: () => void): HTMLButtonElement {
  const el = document.createElement("button");
  el.type = "button";
  el.className = "secondary";
  el.textContent = text;
  el.addEventListener("click", action);
  return el;
}

/** Wires the panel whose elements are `prefix-section`, `-input` and `-list`; the section is the drop zone. */
export function filePanel(prefix: string, texts: () => FileTexts, actions: FileActions): FilePanel {
  const section = byId(`${prefix}-section`);
  const input = byId(`${prefix}-input`, HTMLInputElement);
  const list = byId(`${prefix}-list`, HTMLUListElement);
  const active = new Set<TransferState>(["offered", "incoming", "sending", "receiving"]);

  function send(files: Iterable<File>): void {
    for (const file of files) {
      const refusal = actions.offer(file);
      if (refusal === "tooLarge") announce(() => texts().tooLarge(formatBytes(actions.maxBytes())), true);
      else if (refusal === "empty") announce(() => texts().empty, true);
    }
  }

  function save(transfer: Transfer): void {
    const parts = actions.received(transfer.id);
    if (!parts) return;
    const url = URL.createObjectURL(
      new Blob(parts as BlobPart[], { type: transfer.mime || "application/octet-stream" }),
    );
    const link = document.createElement("a");
    link.href = url;
    link.download = transfer.name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  function render(transfers: readonly Transfer[], isOpen: boolean): void {
    input.disabled = !isOpen;
    const t = texts();
    list.replaceChildren(
      ...transfers.map((transfer) => {
        const item = document.createElement("li");
        const isIncoming = transfer.direction === "in";
        const line = document.createElement("span");
        line.textContent = `${t.line(transfer.name, formatBytes(transfer.size), transfer.mime, isIncoming)} · ${t.state[transfer.state]}`;
        item.append(line);
        if (transfer.state === "sending" || transfer.state === "receiving") {
          const bar = document.createElement("progress");
          bar.max = transfer.size;
          bar.value = transfer.bytes;
          bar.setAttribute("aria-label", transfer.name);
          const rate = transfer.rate === null ? null : formatBytes(transfer.rate, true);
          const left = transfer.secondsLeft === null ? null : formatUnit(Math.ceil(transfer.secondsLeft), "second");
          const figures = document.createElement("span");
          figures.textContent = t.progress(formatBytes(transfer.bytes), formatBytes(transfer.size), rate, left);
          item.append(bar, figures);
        }
        if (transfer.sha256 && (transfer.state === "done" || transfer.state === "corrupt")) {
          const hash = document.createElement("code");
          hash.textContent = t.hash(transfer.sha256);
          item.append(hash);
        }
        if (transfer.state === "incoming") {
          item.append(
            button(t.accept, () => actions.accept(transfer.id)),
            button(t.refuse, () => actions.refuse(transfer.id)),
          );
        }
        if (active.has(transfer.state) && transfer.state !== "incoming") {
          item.append(button(t.cancel, () => actions.cancel(transfer.id)));
        }
        if (isIncoming && transfer.state === "done") item.append(button(t.save, () => save(transfer)));
        return item;
      }),
    );
  }

  input.addEventListener("change", () => {
    send(input.files ?? []);
    input.value = "";
  });
  section.addEventListener("dragover", (event) => {
    if (input.disabled) return;
    event.preventDefault();
    section.classList.add("is-dropping");
  });
  section.addEventListener("dragleave", () => section.classList.remove("is-dropping"));
  section.addEventListener("drop", (event) => {
    section.classList.remove("is-dropping");
    if (input.disabled) return;
    event.preventDefault();
    send(event.dataTransfer?.files ?? []);
  });
  return { render };
}
