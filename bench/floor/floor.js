// Both floor pages: the customer shares (getDisplayMedia, one RTCPeerConnection with no ICE servers, one offer,
// trickled candidates), the viewer answers and shows the track. Nothing else, but for `files=1` in the address: then
// one negotiated data channel as Tether's file channel (id 3, reliable, ordered), on which the viewer sends bytes in
// 64 KiB chunks with the same backpressure marks as Tether (1 MiB high, 256 KiB low) and the customer counts them:
// the floor of file_mb_per_s; and one as a bare chat (id 4): the viewer draws a line and sends it, the customer's page
// draws it and answers, the viewer writes "Read" in the line: the floor of input_rtt_ms.
const params = new URLSearchParams(location.hash.slice(1));
const room = params.get("room");
const hasFiles = params.get("files") === "1";
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
  if (hasFiles) {
    openFileChannel(pc);
    openChatChannel(pc);
  }
  return pc;
}

function openFileChannel(connection) {
  const channel = connection.createDataChannel("file", { negotiated: true, id: 3, ordered: true });
  channel.binaryType = "arraybuffer";
  channel.bufferedAmountLowThreshold = 262_144;
  let received = 0;
  let expected = 0;
  let done = null;
  let arrival = Promise.resolve(0);
  channel.addEventListener("message", (event) => {
    received += event.data.byteLength;
    if (done && received >= expected) done(Date.now());
  });
  // The customer's side, before each file: counts from zero again, waiting for `size` bytes.
  globalThis.__benchArm = (size) => {
    received = 0;
    expected = size;
    arrival = new Promise((resolve) => {
      done = resolve;
    });
  };
  // Resolves with the wall-clock time the last byte of the armed file arrived.
  globalThis.__benchReceive = () => arrival;
  // The viewer's side: sends `size` random bytes; resolves with the wall-clock time it started.
  globalThis.__benchSend = async (size) => {
    const chunk = new Uint8Array(65_536);
    crypto.getRandomValues(chunk);
    const startedAt = Date.now();
    for (let sent = 0; sent < size; sent += chunk.length) {
      if (channel.bufferedAmount >= 1_048_576) {
        await new Promise((resolve) => channel.addEventListener("bufferedamountlow", resolve, { once: true }));
      }
      channel.send(chunk.subarray(0, Math.min(chunk.length, size - sent)));
    }
    return startedAt;
  };
}

function openChatChannel(connection) {
  const channel = connection.createDataChannel("chat", { negotiated: true, id: 4, ordered: true });
  const log = document.createElement("ol");
  document.body.append(log);
  const line = (text) => {
    const item = document.createElement("li");
    const receipt = document.createElement("span");
    item.append(text, " ", receipt);
    log.append(item);
    return receipt;
  };
  const receipts = [];
  channel.addEventListener("message", (event) => {
    const msg = JSON.parse(event.data);
    if (msg.read === undefined) {
      channel.send(JSON.stringify({ read: msg.id }));
      line(msg.text);
    } else if (receipts[msg.read]) receipts[msg.read].textContent = "Read";
  });
  // The viewer's side: ms from sending message `n` to its receipt drawn (observed as the chat's is in bench/together.ts).
  globalThis.__benchChat = (n) =>
    new Promise((resolve) => {
      const startedAt = performance.now();
      channel.send(JSON.stringify({ id: n, text: `bench ${n}` }));
      const receipt = line(`bench ${n}`);
      receipts[n] = receipt;
      const observer = new MutationObserver(() => {
        if (!receipt.textContent) return;
        observer.disconnect();
        resolve(performance.now() - startedAt);
      });
      observer.observe(receipt, { childList: true, characterData: true, subtree: true });
    });
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
