// Copyright 2026 the moonwire authors. MIT license.
import type { Socket } from "./_cnet_cryptonet.ts";
import { CNetNode } from "./cnet_node.ts";
import type {
  SendCttpRequestOptions,
  SendCttpRequestResult,
} from "./cnet_node_types.ts";
import type { CtcpConnection } from "./ctcp_connection.ts";
import type { CttpRequest } from "./cttp_request.ts";
import type { LuaValue, LuaValueOf } from "../net/table_codec.ts";

/**
 * Sends a CTTP request over a CTCP connection and waits for its response,
 * on the default node ({@linkcode CNetNode.default}). Seed 001 returns
 * `response, acknowledged`; here they are the fields of one object.
 *
 * @typeParam T The type the response data is expected to have: a promise,
 *   not a check (the decoder guarantees only a Lua value; error statuses
 *   carry other data).
 * @param connection An open connection from `connectCtcp`.
 * @param request The request, with data of any type.
 * @param options `timeout`: how long to wait for the response (default 5
 * s); `signal`: stops waiting (rejects with an `AbortError`; the request
 * still reaches the server and the connection stays open).
 * @returns `{ response, acknowledged }`: the response or `null` on timeout,
 * and whether the server acknowledged the request.
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
export function sendCttpRequest<T extends LuaValueOf<T> = LuaValue>(
  connection: CtcpConnection<Socket>,
  request: CttpRequest<LuaValue | object>,
  options?: SendCttpRequestOptions,
): Promise<SendCttpRequestResult<T>> {
  return CNetNode.default.sendCttpRequest<T>(connection, request, options);
}
