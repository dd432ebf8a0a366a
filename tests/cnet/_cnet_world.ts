// Copyright 2026 the moonwire authors. MIT license.
// A server and a client CNetNode on one MemoryNetwork with fast CTCP timers,
// in a temporary directory; disposing closes both and removes it.
import {
  CNetNode,
  type CNetNodeOptions,
  MemoryNetwork,
  type MemoryNetworkOptions,
} from "../../cnet/mod.ts";

export const FAST_CTCP: CNetNodeOptions["ctcp"] = {
  retransmitTimeout: 0.02,
  maxRetransmitTimeout: 0.16,
  maxRetransmits: 40,
};

export async function world(
  networkOptions: MemoryNetworkOptions = {},
  options: CNetNodeOptions = {},
) {
  const network = new MemoryNetwork(networkOptions);
  const directory = await Deno.makeTempDir({ prefix: "cnet_node_test_" });
  const make = () =>
    new CNetNode({
      directory,
      modems: { top: network.createModem() },
      retransmitInterval: 0.02,
      ctcp: FAST_CTCP,
      ...options,
    });
  const server = make();
  const client = make();
  return {
    network,
    directory,
    server,
    client,
    async [Symbol.asyncDispose]() {
      await client.close();
      await server.close();
      network.close();
      await Deno.remove(directory, { recursive: true });
    },
  };
}
