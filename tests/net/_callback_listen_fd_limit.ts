// Copyright 2026 the moonwire authors. MIT license.
// Run with a low file-descriptor limit by callback_link_test.ts: closes the
// accepted links until `expected` arrived or the server stopped listening,
// then prints `accepted=<n> listening=<bool>`.
import { listen } from "../../net/listen.ts";
import type { TcpLink } from "../../net/tcp_link.ts";

const expected = Number(Deno.args[0]);
let accepted = 0;
// Links are closed in batches, so descriptors run out in between.
let links: TcpLink[] = [];
const quiet = { onReceivedData() {}, onRemoteClosed() {}, onError() {} };
const server = listen(0, {
  onIncomingConnection: () => quiet,
  onAccepted: (link) => {
    accepted++;
    links.push(link);
  },
  onError: () => {},
}, { hostname: "127.0.0.1" });
console.log(`port=${server.getPort()}`);
const deadline = Date.now() + 15_000;
while (accepted < expected && server.isListening() && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 50));
  const batch = links;
  links = [];
  for (const link of batch) link.close();
  await Promise.all(batch.map((link) => link.closed));
}
console.log(`accepted=${accepted} listening=${server.isListening()}`);
server.close();
await server.closed;
