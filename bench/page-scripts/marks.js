// Init script for every page the WebRTC bench drives, Tether's and the floor's alike: wall-clock marks
// (performance.timeOrigin + now, which agree across the pages of one machine) of each phase of a connection, in
// window.__benchMarks, first occurrence only.
(() => {
  const marks = {};
  Object.defineProperty(window, "__benchMarks", { value: marks });
  const at = () => performance.timeOrigin + performance.now();
  const mark = (name, time = at()) => {
    if (!(name in marks)) marks[name] = time;
  };

  // Share granted: the moment getDisplayMedia resolves (after the person picked a screen).
  const media = navigator.mediaDevices;
  if (media?.getDisplayMedia) {
    const native = media.getDisplayMedia.bind(media);
    media.getDisplayMedia = async (options) => {
      const stream = await native(options);
      mark("shareGranted");
      return stream;
    };
  }

  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(config) {
      super(config);
      mark("pcCreated");
      this.addEventListener("icecandidate", (event) => {
        if (event.candidate) mark("firstCandidate");
      });
      this.addEventListener("iceconnectionstatechange", () => {
        if (this.iceConnectionState === "connected" || this.iceConnectionState === "completed") mark("iceConnected");
      });
      // "connected" needs ICE and DTLS both done.
      this.addEventListener("connectionstatechange", () => {
        if (this.connectionState === "connected") mark("dtlsConnected");
      });
      this.addEventListener("track", () => mark("track"));
    }

    async setLocalDescription(description) {
      const result = await super.setLocalDescription(description);
      if (this.localDescription?.type === "offer") mark("offerSent");
      if (this.localDescription?.type === "answer") mark("answerSent");
      return result;
    }

    async setRemoteDescription(description) {
      if (description?.type === "offer") mark("offerReceived");
      if (description?.type === "answer") mark("answerReceived");
      return super.setRemoteDescription(description);
    }
  };

  // Tether's handshake (client/web/src/lib/handshake-marks.ts): the start of the run that confirmed (the console's
  // last start before its confirmation), and each page's first confirmation. The floor has none.
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const time = performance.timeOrigin + entry.startTime;
      if (entry.name === "tether:handshake-start" && !("handshakeConfirmed" in marks)) marks.handshakeStart = time;
      if (entry.name === "tether:handshake-confirmed") mark("handshakeConfirmed", time);
    }
  }).observe({ type: "mark", buffered: true });

  // The first frame each <video> on the page presents: when its last packet arrived (WebRTC sources) and when it
  // was handed to the compositor, decoded.
  const watch = (video) => {
    video.requestVideoFrameCallback((_now, frame) => {
      if (frame.receiveTime !== undefined) mark("firstFrameReceived", performance.timeOrigin + frame.receiveTime);
      mark("firstFrame", performance.timeOrigin + frame.presentationTime);
    });
  };
  addEventListener("DOMContentLoaded", () => {
    for (const video of document.querySelectorAll("video")) watch(video);
  });
})();
