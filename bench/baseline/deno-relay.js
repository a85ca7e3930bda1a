// A floor for the Deno host's memory: the least Deno.serve can do to hold two WebSockets per room and pass a frame
// from one to the other, with none of Tether's checks, state or storage. The bench holds the same idle pairs on it
// as on the Deno host, to see how much of a session's memory is Deno's own and how much is ours. It speaks the
// baseline relay's paths (bench/baseline/relay-worker.ts: /NAME/ROOM?side=a|b, a ready frame on open), and reports
// its memory on SIGUSR2 as bench/deno/host.js does. Plain JavaScript: it runs on Deno.
const READY = '{"type":"ready"}';
const rooms = new Map();

Deno.addSignalListener("SIGUSR2", () => {
  // A memory-reducing collection, such as V8's memory reducer runs once a process has gone idle: besides the
  // garbage it gives back the young generation, which grows to tens of MB while sessions are being set up and which
  // a plain gc() leaves committed, to be counted as the sessions' memory.
  globalThis.gc?.({ type: "major", execution: "sync", flavor: "last-resort" });
  console.log(`bench-memory ${JSON.stringify(Deno.memoryUsage())}`);
});

Deno.serve({ hostname: "127.0.0.1", port: Number(Deno.env.get("PORT")), onListen: () => {} }, (request) => {
  const url = new URL(request.url);
  if (url.pathname === "/health") return Response.json({ ok: true });
  const name = url.pathname.split("/")[2];
  const side = url.searchParams.get("side");
  if (!name || (side !== "a" && side !== "b")) return new Response("not found", { status: 404 });
  const { socket, response } = Deno.upgradeWebSocket(request);
  let room = rooms.get(name);
  if (!room) {
    room = {};
    rooms.set(name, room);
  }
  room[side] = socket;
  socket.addEventListener("open", () => socket.send(READY));
  socket.addEventListener("message", (event) => room[side === "a" ? "b" : "a"]?.send(event.data));
  socket.addEventListener("close", () => {
    if (room[side] === socket) delete room[side];
    if (!room.a && !room.b) rooms.delete(name);
  });
  return response;
});
