// Copyright 2026 the moonwire authors. MIT license.
import { CNetNode } from "./cnet_node.ts";
import type { ConnectCtcpOptions } from "./cnet_node_types.ts";
import type { RegisterResult } from "./register_result.ts";

/**
 * Creates an account on a server, on the default node
 * ({@linkcode CNetNode.default}): connects, sends the name and password
 * inside the encrypted session, disconnects. The server stores a scrypt hash
 * in its user table. Servers can turn registration off or limit it
 * (`host` options `allowRegistration`, `maxRegisteredUsers`).
 *
 * @param serverId The server.
 * @param username The new user's name (1-64 characters).
 * @param password The password (1-1024 characters).
 * @param options `timeout` (default 5 s, for each step), `modemSide`,
 * `certAuthKey`, `allowUnsigned`, and `signal`, which aborts whichever step
 * runs: the promise then rejects with an `AbortError` (`DOMException`)
 * instead of giving a code.
 * @returns A {@linkcode RegisterResult} code: 0 success, 1 connect failed,
 * 2 not acknowledged, 3 disconnect not acknowledged, 4 name taken, 5 refused.
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
export function register(
  serverId: string,
  username: string,
  password: string,
  options?: ConnectCtcpOptions,
): Promise<RegisterResult> {
  return CNetNode.default.register(serverId, username, password, options);
}
