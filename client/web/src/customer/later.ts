// What the customer's page fetches once its first view is up, as one chunk: the connection (`PeerLink` and its
// channels, needed once the customer allows) and the panels of a session under way (./session-panels.ts). One module
// rather than two, so that the page loads one file after its first view, and the code it shares with the first view
// (the schemas, the English text) one chunk rather than two: every file gzipped on its own repeats what the others
// already said.
export { PeerLink } from "../rtc/PeerLink.ts";
export { sessionPanels } from "./session-panels.ts";
