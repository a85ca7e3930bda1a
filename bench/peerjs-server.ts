// The reference signaling server: the PeerJS server (`peer` on npm) on loopback, in its own process so that it
// competes with the bench's clients for the CPU the way workerd does. Usage: node bench/peerjs-server.ts PORT
import { PeerServer } from "peer";

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error("usage: node bench/peerjs-server.ts PORT");

const server = PeerServer({ host: "127.0.0.1", port, path: "/", key: "peerjs", concurrent_limit: 5_000 }, () =>
  console.log("ready"),
);
server.on("error", (err) => console.error(`peerjs server: ${String(err)}`));
