import type { Capture } from "#protocol/room.ts";

// What a phone shares instead of its screen: phone browsers have no getDisplayMedia, so the customer can show the
// technician a device, a cable or a machine's display through the camera, the rear one first. Capture support is
// told by the feature itself, never by the user agent: a tablet or desktop browser that can share a screen does.

/** What this browser can share: a screen where getDisplayMedia exists, else only a camera. */
export function captureMode(): Capture {
  return typeof navigator.mediaDevices?.getDisplayMedia === "function" ? "screen" : "camera";
}

/** Shows the parts of the page (marked data-capture="screen" or "camera") that fit what this browser can share. */
export function showCaptureMode(mode: Capture): void {
  for (const el of document.querySelectorAll<HTMLElement>("[data-capture]")) el.hidden = el.dataset.capture !== mode;
}

/** A camera's picture: enough for a label or a small display to be read, at a frame rate that follows a hand. */
const CAMERA_VIDEO: MediaTrackConstraints = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 30, max: 30 },
};

/**
 * Opens a camera (asked for now, from the person's click): the device `deviceId` when given, else the rear camera
 * where the phone has one. Rejects as getUserMedia does (NotAllowedError when refused).
 */
export async function openCamera(deviceId?: string): Promise<MediaStreamTrack> {
  const video: MediaTrackConstraints = deviceId
    ? { ...CAMERA_VIDEO, deviceId: { exact: deviceId } }
    : { ...CAMERA_VIDEO, facingMode: { ideal: "environment" } };
  const stream = await navigator.mediaDevices.getUserMedia({ video, audio: false });
  const track = stream.getVideoTracks()[0];
  if (!track) throw new Error("The browser returned no camera picture.");
  // "motion": a hand-held camera moves all the time, and the person aims it by what the technician says they see, so
  // the encoder keeps the frames coming; once the camera is held still on a label the picture sharpens by itself.
  track.contentHint = "motion";
  return track;
}

/** The cameras this device has; their ids are known once the person allowed one. */
export async function listCameras(): Promise<string[]> {
  try {
    const devices = await navigator.mediaDevices.enumerateDevices();
    return devices.filter((d) => d.kind === "videoinput" && d.deviceId !== "").map((d) => d.deviceId);
  } catch {
    return [];
  }
}

/** The camera after the one `track` shows, in the device's order; null when there is no other. */
export async function nextCamera(track: MediaStreamTrack): Promise<string | null> {
  const cameras = await listCameras();
  if (cameras.length < 2) return null;
  const current = cameras.indexOf(track.getSettings().deviceId ?? "");
  return cameras[(current + 1) % cameras.length] ?? null;
}

/** Whether `track`'s camera has a torch the page can turn on (phones with a flash, in browsers that offer it). */
export function hasTorch(track: MediaStreamTrack | null): boolean {
  const capabilities = track?.getCapabilities?.() as { torch?: boolean } | undefined;
  return capabilities?.torch === true;
}

/** Turns the torch of `track`'s camera on or off; false when the browser refused. */
export async function setTorch(track: MediaStreamTrack, isOn: boolean): Promise<boolean> {
  try {
    await track.applyConstraints({ advanced: [{ torch: isOn } as MediaTrackConstraintSet] });
    return true;
  } catch {
    return false;
  }
}
