// Copyright 2026 the moonwire authors. MIT license.
// A cNet server node and client node over two UdpModems that know each
// other's loopback port (real sockets), sharing a temporary directory.
// Disposing closes both nodes, their modems and the directory.
import { CNetNode, UdpModem } from "../../cnet/mod.ts";

/** The two nodes; `await using` cleans everything up. */
export interface UdpNodes extends AsyncDisposable {
  server: CNetNode;
  client: CNetNode;
}

/** Creates the pair; `prefix` names the temporary directory. */
export async function udpNodes(prefix: string): Promise<UdpNodes> {
  const directory = await Deno.makeTempDir({ prefix });
  const serverModem = await UdpModem.create({ peers: [] });
  const clientModem = await UdpModem.create({
    peers: [{ hostname: "127.0.0.1", port: serverModem.port }],
  });
  serverModem.addPeer("127.0.0.1", clientModem.port);
  const server = new CNetNode({ directory, modems: { back: serverModem } });
  const client = new CNetNode({ directory, modems: { front: clientModem } });
  return {
    server,
    client,
    async [Symbol.asyncDispose]() {
      await client.close();
      await server.close();
      await serverModem.close();
      await clientModem.close();
      await Deno.remove(directory, { recursive: true });
    },
  };
}
