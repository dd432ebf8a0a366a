// Copyright 2026 the moonwire authors. MIT license.
import type { Server } from "./_cnet_cryptonet.ts";
import { CNetNode } from "./cnet_node.ts";
import type { CNetHostOptions } from "./cnet_node_types.ts";

/**
 * Hosts a cNet server on the default node ({@linkcode CNetNode.default}):
 * a CryptoNet server that answers CTCP connections and CTTP requests with
 * the REST handlers set by `setRestApi`. Accepts seed 000's host options
 * (`discoverable`, `hideCertificate`, `modemSide`, `certificate`,
 * `privateKey`, `userTablePath`) and registration limits
 * (`allowRegistration`, `maxRegisteredUsers`).
 *
 * @param serverId The server name (it fixes the channel).
 * @param options Host options.
 * @returns The server.
 *
 * @example Host a server
 * ```ts
 * import { CNetNode, host, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * await using server = new CNetNode({ directory, modems: { top: network.createModem() } });
 * await using client = new CNetNode({ directory, modems: { top: network.createModem() } });
 * CNetNode.setDefault(server);
 * const hosted = await host("shop", { discoverable: false });
 * assert.equal(hosted.name, "shop");
 * assert.equal(hosted.discoverable, false);
 * assert.ok(client);
 * CNetNode.setDefault(undefined);
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function host(
  serverId: string,
  options?: CNetHostOptions,
): Promise<Server> {
  return CNetNode.default.host(serverId, options);
}
