// Copyright 2026 the moonwire authors. MIT license.
// Child program for the ownership test: a cNet server and client in one
// process over two UdpModems (peer lists on 127.0.0.1), each given to its
// node in the options and never closed here. It prints the answer and must
// then exit by itself: `await using` closes the nodes, and they close their
// modems. With "--keep" the modems are passed with closeModems: false and
// the program closes them itself.
import { CNetNode, CttpRequest, UdpModem } from "../../cnet/mod.ts";

const keep = Deno.args.includes("--keep");
const directory = Deno.args[0];
const serverModem = await UdpModem.create({ peers: [] });
const clientModem = await UdpModem.create({ peers: [] });
serverModem.addPeer("127.0.0.1", clientModem.port);
clientModem.addPeer("127.0.0.1", serverModem.port);
{
  await using server = new CNetNode({
    directory,
    modems: { top: serverModem },
    ...(keep ? { closeModems: false } : {}),
  });
  await using client = new CNetNode({
    directory,
    modems: { top: clientModem },
    ...(keep ? { closeModems: false } : {}),
  });
  await server.host("udp-program");
  server.setRestApi("GET", "/hello", () => "hello over UDP");
  const { response } = await client.connectAndSendCttpRequest(
    "udp-program",
    new CttpRequest("GET", "/hello"),
  );
  console.log(response?.data);
}
if (keep) {
  console.log(`still open: ${!serverModem.isClosed && !clientModem.isClosed}`);
  serverModem.close();
  clientModem.close();
} else {
  console.log(`closed: ${serverModem.isClosed && clientModem.isClosed}`);
}
