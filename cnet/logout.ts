// Copyright 2026 the moonwire authors. MIT license.
import type { Socket } from "./_cnet_cryptonet.ts";
import { CNetNode } from "./cnet_node.ts";
import type { CtcpConnection } from "./ctcp_connection.ts";

/**
 * Logs out over a CTCP connection or a CryptoNet socket, on the default node
 * ({@linkcode CNetNode.default}). Also raised as a `LOGOUT` event.
 *
 * @param connection A CTCP connection or a CryptoNet socket.
 * @returns Whether a user was logged in and is now logged out.
 *
 * @example Register, then log in and out
 * ```ts
 * import {
 *   CNetNode,
 *   connectCtcp,
 *   disconnectCtcp,
 *   login,
 *   logout,
 *   MemoryNetwork,
 *   register,
 *   RegisterResult,
 * } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * await using server = new CNetNode({ directory, modems: { top: network.createModem() } });
 * await using client = new CNetNode({ directory, modems: { top: network.createModem() } });
 * await server.host("shop");
 * CNetNode.setDefault(client);
 * assert.equal(await register("shop", "ann", "correct horse"), RegisterResult.SUCCESS);
 * assert.equal(await register("shop", "ann", "other"), RegisterResult.NAME_TAKEN);
 * const connection = await connectCtcp("shop");
 * assert.ok(connection);
 * assert.equal(await login(connection, "ann", "correct horse"), true);
 * assert.equal(connection.socket.username, "ann");
 * assert.equal(await logout(connection), true);
 * assert.equal(connection.socket.username, undefined);
 * assert.equal(await login(connection, "ann", "wrong"), false);
 * await disconnectCtcp(connection);
 * CNetNode.setDefault(undefined);
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function logout(
  connection: CtcpConnection<Socket> | Socket,
): Promise<boolean> {
  return CNetNode.default.logout(connection);
}
