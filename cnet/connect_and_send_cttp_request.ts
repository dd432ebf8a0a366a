// Copyright 2026 the moonwire authors. MIT license.
import { CNetNode } from "./cnet_node.ts";
import type {
  ConnectAndSendCttpRequestResult,
  ConnectCtcpOptions,
} from "./cnet_node_types.ts";
import type { CttpRequest } from "./cttp_request.ts";
import type { LuaValue, LuaValueOf } from "../net/table_codec.ts";

/**
 * Connects to a server, sends one CTTP request and disconnects, on the
 * default node ({@linkcode CNetNode.default}). Seed 001 returns four values
 * `response, connected, acknowledged, disconnectAcknowledged`; here they are
 * the fields of one object.
 *
 * @typeParam T The type the response data is expected to have: a promise,
 *   not a check (the decoder guarantees only a Lua value; error statuses
 *   carry other data).
 * @param serverId The server.
 * @param request The request, with data of any type.
 * @param options `timeout` (default 5 s, for each step), `modemSide`,
 * `certAuthKey`, `allowUnsigned`, and `signal`, which aborts whichever step
 * runs: the connection is dropped and the promise rejects with an
 * `AbortError` (`DOMException`).
 * @returns `{ response, connected, acknowledged, disconnectAcknowledged }`.
 *
 * @example One request
 * ```ts
 * import {
 *   CNetNode,
 *   connectAndSendCttpRequest,
 *   CttpRequest,
 *   CttpRequestMethod,
 *   MemoryNetwork,
 * } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * await using server = new CNetNode({ directory, modems: { top: network.createModem() } });
 * await using client = new CNetNode({ directory, modems: { top: network.createModem() } });
 * await server.host("shop");
 * server.setRestApi(CttpRequestMethod.POST, "/echo", (_args, _header, data) => data);
 * CNetNode.setDefault(client);
 * const result = await connectAndSendCttpRequest(
 *   "shop",
 *   new CttpRequest(CttpRequestMethod.POST, "/echo", {}, "ping"),
 * );
 * assert.equal(result.response?.data, "ping");
 * assert.equal(result.connected, true);
 * assert.equal(result.acknowledged, true);
 * assert.equal(result.disconnectAcknowledged, true);
 * CNetNode.setDefault(undefined);
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function connectAndSendCttpRequest<T extends LuaValueOf<T> = LuaValue>(
  serverId: string,
  request: CttpRequest<LuaValue | object>,
  options?: ConnectCtcpOptions,
): Promise<ConnectAndSendCttpRequestResult<T>> {
  return CNetNode.default.connectAndSendCttpRequest<T>(
    serverId,
    request,
    options,
  );
}
