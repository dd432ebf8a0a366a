// Copyright 2026 the moonwire authors. MIT license.
// Run with a low file-descriptor limit by poll_server_test.ts: takes and
// closes accepted connections until `expected` arrived or the server closed,
// then prints `accepted=<n> closed=<bool>`.
import { resolveAddress } from "../../net/address.ts";
import { createServer } from "../../net/server.ts";

const expected = Number(Deno.args[0]);
const server = createServer(resolveAddress("127.0.0.1"), 0, {
  maxPending: 1000,
});
console.log(`port=${server.getPort()}`);
let accepted = 0;
const deadline = Date.now() + 15_000;
while (accepted < expected && !server.isClosed && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (let tcp = server.accept(); tcp !== null; tcp = server.accept()) {
    accepted++;
    tcp.close();
    await tcp.closed;
  }
}
console.log(`accepted=${accepted} closed=${server.isClosed}`);
await server[Symbol.asyncDispose]();
