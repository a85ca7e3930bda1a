// An empty Worker: what `wrangler dev` takes to start with nothing to build or bind (the floor of start_ready_ms).
export default {
  fetch: () => new Response("ok"),
} satisfies ExportedHandler;
