// Both floor pages: the customer shares (getDisplayMedia, one RTCPeerConnection with no ICE servers, one offer,
// trickled candidates), the viewer answers and shows the track. Nothing else.
const room = new URLSearchParams(location.hash.slice(1)).get("room");
const side = document.body.dataset.side;
const ws = new WebSocket(`ws://${location.host}/ws?room=${room}`);
const send = (msg) => ws.send(JSON.stringify(msg));
let pc;
let queue = Promise.resolve();

function connect() {
  pc = new RTCPeerConnection({ iceServers: [] });
  pc.addEventListener("icecandidate", (event) => {
    if (event.candidate) send({ candidate: event.candidate });
  });
  pc.addEventListener("track", (event) => {
    document.getElementById("screen").srcObject = new MediaStream([event.track]);
  });
  return pc;
}

async function handle(msg) {
  if (msg.peer) {
    document.getElementById("state").textContent = "ready";
  } else if (msg.sdp?.type === "offer") {
    connect();
    await pc.setRemoteDescription(msg.sdp);
    await pc.setLocalDescription();
    send({ sdp: pc.localDescription });
  } else if (msg.sdp) {
    await pc.setRemoteDescription(msg.sdp);
  } else if (msg.candidate) {
    await pc.addIceCandidate(msg.candidate);
  }
}

// One message at a time, in order: a candidate must not overtake the description it belongs to.
ws.addEventListener("message", (event) => {
  const msg = JSON.parse(event.data);
  queue = queue.then(() => handle(msg));
});

if (side === "customer") {
  document.getElementById("share").addEventListener("click", async () => {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    connect().addTrack(stream.getVideoTracks()[0], stream);
    await pc.setLocalDescription();
    send({ sdp: pc.localDescription });
  });
}
