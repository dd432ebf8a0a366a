// Copyright 2026 the moonwire authors. MIT license.
import type { Socket } from "./_cnet_cryptonet.ts";
import { CNetNode } from "./cnet_node.ts";
import type { ConnectCtcpOptions } from "./cnet_node_types.ts";
import type { CtcpConnection } from "./ctcp_connection.ts";

/**
 * Opens a CTCP connection to a server with the CTCP handshake (SYN /
 * SYN-ACK / ACK) over a new CryptoNet session, on the default node
 * ({@linkcode CNetNode.default}). The connection is reliable and ordered
 * even when the modem loses, duplicates or reorders packets.
 *
 * @param serverId The server.
 * @param options `timeout` (default 5 s), `modemSide`, `certAuthKey` and
 * `allowUnsigned` (how the server's certificate is trusted) and `signal`.
 * @returns The connection. Where seed 001 returns `nil`, the promise
 * rejects with the reason: `TimeoutError` (no answer in time),
 * `ConnectionClosedError` (refused, or closed during the handshake),
 * `HandshakeError` or a missing CA key's `NotFound` from CryptoNet; an
 * `AbortError` (`DOMException`) when `signal` fires.
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
export function connectCtcp(
  serverId: string,
  options?: ConnectCtcpOptions,
): Promise<CtcpConnection<Socket>> {
  return CNetNode.default.connectCtcp(serverId, options);
}
