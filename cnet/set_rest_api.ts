// Copyright 2026 the moonwire authors. MIT license.
import { CNetNode } from "./cnet_node.ts";
import type { RestHandler } from "./cnet_node_types.ts";
import type { CttpRequestMethod } from "./cttp_request_method.ts";
import type { LuaValue, LuaValueOf } from "../net/table_codec.ts";

/**
 * Sets the handler of CTTP requests with a method and path on the default
 * node ({@linkcode CNetNode.default}). A request goes to the handler with
 * the longest registered prefix of its path, compared segment by segment
 * (`"/app"` never matches `"/apple"`); the remaining segments are the
 * handler's `args`. No match answers `404`, a throwing handler `500`, an
 * unknown method `501`. A `"/"` handler catches every path no longer prefix
 * matches.
 *
 * `Data` and `Result` type the handler's data argument and its return
 * value ({@linkcode RestHandler}): `Result` is checked structurally
 * (interfaces fit), `Data` is a promise, not a check — the decoder
 * guarantees only a Lua value.
 *
 * @typeParam Data The request data's type as the handler takes it.
 * @typeParam Result The response data's type.
 * @param requestMethod The method.
 * @param path The path prefix; paths under `/.cnet` are reserved.
 * @param handler `(args, header, data, connection)` returning a
 * `CttpResponse` or a plain value (sent as `200 OK`).
 *
 * @example Routes
 * ```ts
 * import {
 *   CNetNode,
 *   connectAndSendCttpRequest,
 *   CttpRequest,
 *   CttpResponse,
 *   CttpStatus,
 *   MemoryNetwork,
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
 * setRestApi("GET", "/apps", () => ["editor", "game"]);
 * setRestApi("GET", "/apps/byId", ([id]) =>
 *   id === "1" ? { name: "editor" } : new CttpResponse(CttpStatus.NOT_FOUND));
 * const get = async (path: string) =>
 *   (await client.connectAndSendCttpRequest("shop", new CttpRequest("GET", path)))
 *     .response;
 * assert.deepEqual((await get("/apps"))?.data, ["editor", "game"]);
 * assert.deepEqual((await get("/apps/byId/1"))?.data, { name: "editor" });
 * assert.equal((await get("/apps/byId/2"))?.statusCode, 404);
 * assert.equal((await get("/apples"))?.statusCode, 404);
 * CNetNode.setDefault(undefined);
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function setRestApi<
  Data extends LuaValueOf<Data> = LuaValue,
  Result extends LuaValueOf<Result> = LuaValue,
>(
  requestMethod: CttpRequestMethod,
  path: string,
  handler: RestHandler<Data, Result>,
): void {
  CNetNode.default.setRestApi(requestMethod, path, handler);
}
