// Copyright 2026 the moonwire authors. MIT license.
import { CNetNode } from "./cnet_node.ts";
import type {
  ConnectAndSendCttpRequestResult,
  ConnectCtcpOptions,
} from "./cnet_node_types.ts";
import type { CttpRequest } from "./cttp_request.ts";

/**
 * Connects to a server, sends one CTTP request and disconnects, on the
 * default node ({@linkcode CNetNode.default}). Seed 001 returns four values
 * `response, connected, acknowledged, disconnectAcknowledged`; here they are
 * the fields of one object.
 *
 * @param serverId The server.
 * @param request The request.
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
export function connectAndSendCttpRequest(
  serverId: string,
  request: CttpRequest,
  options?: ConnectCtcpOptions,
): Promise<ConnectAndSendCttpRequestResult> {
  return CNetNode.default.connectAndSendCttpRequest(serverId, request, options);
}
