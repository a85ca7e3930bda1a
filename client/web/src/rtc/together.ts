import type { FileSource, FileTransfers } from "../../../core/file-transfer.ts";

// What both pages' sessions do alike to work together: read a picked file for the transfers, ask for the microphone,
// and hand a files panel its actions.

/** A file the person picked or dropped, read a part at a time as the transfer sends it. */
export function fileSource(file: File): FileSource {
  const read = async (start: number, end: number) => new Uint8Array(await file.slice(start, end).arrayBuffer());
  return { name: file.name, size: file.size, mime: file.type, read };
}

/** The microphone, asked for now (from the person's click); null when the browser or the system refused it. */
export async function openMicrophone(): Promise<MediaStreamTrack | null> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    return stream.getAudioTracks()[0] ?? null;
  } catch {
    return null;
  }
}

/** What a files panel does with a transfer: accept, refuse or cancel it; the bytes of a checked incoming file. */
export function transferActions(transfers: FileTransfers, maxBytes: () => number) {
  return {
    accept: (id: number) => transfers.accept(id),
    refuse: (id: number) => transfers.refuse(id),
    cancel: (id: number) => transfers.cancel(id),
    received: (id: number) => transfers.received(id),
    maxBytes,
  };
}
