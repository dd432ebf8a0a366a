// Copyright 2026 the moonwire authors. MIT license.
import type { Socket } from "./_cnet_cryptonet.ts";
import { CNetNode } from "./cnet_node.ts";
import type { CtcpConnection } from "./ctcp_connection.ts";

/**
 * Closes a CTCP connection with the finishing handshake (FIN / FIN-ACK /
 * ACK), then its CryptoNet session, on the default node
 * ({@linkcode CNetNode.default}).
 *
 * @param connection The connection.
 * @param options `timeout`: how long to wait for the acknowledgement
 * (default 5 s).
 * @returns Whether the server acknowledged the close.
 *
 * @example Connect, request, disconnect
 * ```ts
 * import {
 *   CNetNode,
 *   connectCtcp,
 *   CttpRequest,
 *   CttpRequestMethod,
 *   disconnectCtcp,
 *   MemoryNetwork,
 *   sendCttpRequest,
 *   setRestApi,
 * } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * await using server = new CNetNode({ directory, modems: { top: network.createModem() } });
 * await using client = new CNetNode({ directory, modems: { top: network.createModem() } });
 * CNetNode.setDefault(server);
 * await server.host("shop");
 * setRestApi(CttpRequestMethod.GET, "/apps", (args) => ({ args }));
 * CNetNode.setDefault(client);
 * const connection = await connectCtcp("shop", { timeout: 5 });
 * assert.ok(connection);
 * const { response, acknowledged } = await sendCttpRequest(
 *   connection,
 *   new CttpRequest(CttpRequestMethod.GET, "/apps/7"),
 *   { timeout: 5 },
 * );
 * assert.equal(response?.statusCode, 200);
 * assert.deepEqual(response?.data, { args: ["7"] });
 * assert.equal(acknowledged, true);
 * assert.equal(await disconnectCtcp(connection), true);
 * CNetNode.setDefault(undefined);
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function disconnectCtcp(
  connection: CtcpConnection<Socket>,
  options?: { timeout?: number },
): Promise<boolean> {
  return CNetNode.default.disconnectCtcp(connection, options);
}
