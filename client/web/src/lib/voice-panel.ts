import { byId } from "./dom.ts";

// Voice in the chat panel: this person's microphone on or off (asked for only at their click, and its own consent),
// the other side's voice played, and a line that says when they are speaking, from the sound's level.

export type VoiceTexts = { micOn: string; micOff: string; speaking: string; denied: string };

export type VoiceActions = {
  /** Turns this side's microphone on or off; false when it could not be turned on. */
  setMicrophone(isOn: boolean): Promise<boolean>;
};

export type VoicePanel = {
  /** The other side's voice, or null when there is none (yet). */
  hear(track: MediaStreamTrack | null): void;
  redraw(): void;
};

/** Loudness (RMS of the wave, 0–1) above which someone counts as speaking. */
const SPEAKING_LEVEL = 0.02;

/** Wires `prefix-mic` (the button) and `prefix-speaking` (the line); the voice plays from an element of its own. */
export function voicePanel(prefix: string, texts: () => VoiceTexts, actions: VoiceActions): VoicePanel {
  const mic = byId(`${prefix}-mic`, HTMLButtonElement);
  const speaking = byId(`${prefix}-speaking`);
  // Not in the page: it shows nothing, and a live voice has no captions to offer.
  const audio = new Audio();
  audio.autoplay = true;
  let isOn = false;
  let isSpeaking = false;
  let heard: MediaStreamTrack | null = null;
  let meter: { context: AudioContext; timer: ReturnType<typeof setInterval> } | null = null;

  function redraw(): void {
    mic.textContent = isOn ? texts().micOff : texts().micOn;
    mic.setAttribute("aria-pressed", String(isOn));
    speaking.textContent = isSpeaking ? texts().speaking : "";
  }

  function hear(track: MediaStreamTrack | null): void {
    if (track === heard) return;
    heard = track;
    if (meter) {
      clearInterval(meter.timer);
      void meter.context.close();
      meter = null;
    }
    audio.srcObject = track ? new MediaStream([track]) : null;
    isSpeaking = false;
    if (track) {
      void audio.play().catch(() => undefined);
      const context = new AudioContext();
      const analyser = context.createAnalyser();
      analyser.fftSize = 1024;
      context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
      const wave = new Float32Array(analyser.fftSize);
      const timer = setInterval(() => {
        // Sound may start only after this person's first click on the page (the browser's autoplay rule): try again.
        if (context.state === "suspended") void context.resume().catch(() => undefined);
        if (audio.paused) void audio.play().catch(() => undefined);
        analyser.getFloatTimeDomainData(wave);
        let sum = 0;
        for (const v of wave) sum += v * v;
        const next = Math.sqrt(sum / wave.length) > SPEAKING_LEVEL;
        if (next !== isSpeaking) {
          isSpeaking = next;
          redraw();
        }
      }, 200);
      meter = { context, timer };
      void context.resume().catch(() => undefined);
    }
    redraw();
  }

  mic.addEventListener("click", async () => {
    mic.disabled = true;
    try {
      const next = !isOn;
      const isDone = await actions.setMicrophone(next);
      if (isDone) isOn = next;
      else speaking.textContent = texts().denied;
    } finally {
      mic.disabled = false;
    }
    if (speaking.textContent !== texts().denied) redraw();
    else mic.textContent = texts().micOn;
  });
  redraw();
  return { hear, redraw };
}
