// Copyright 2026 the moonwire authors. MIT license.
import type { LoginOptions, Socket } from "./_cnet_cryptonet.ts";
import { CNetNode } from "./cnet_node.ts";
import type { CtcpConnection } from "./ctcp_connection.ts";

/**
 * Logs in over a CTCP connection or a CryptoNet socket, on the default node
 * ({@linkcode CNetNode.default}). The password travels only inside the
 * encrypted session. The outcome is returned and also raised as a `LOGIN` or
 * `LOGIN_FAILED` event on both sides; REST handlers then see the user as
 * `connection.socket.username`.
 *
 * @param connection A CTCP connection or a CryptoNet socket.
 * @param username The user name.
 * @param password The password.
 * @param options `signal` aborts the wait (a `DOMException` `AbortError`,
 * not `false`); a login the server still accepts is logged out at once.
 * @returns Whether the login succeeded.
 *
 * @example Register, then log in
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
export function login(
  connection: CtcpConnection<Socket> | Socket,
  username: string,
  password: string,
  options?: LoginOptions,
): Promise<boolean> {
  return CNetNode.default.login(connection, username, password, options);
}
