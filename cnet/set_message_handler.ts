// Copyright 2026 the moonwire authors. MIT license.
import { CNetNode } from "./cnet_node.ts";
import type { MessageHandler } from "./cnet_node_types.ts";
import type { MessageEventType } from "./message_event_type.ts";

/**
 * Sets the handler of one CryptoNet message event type on the default node
 * ({@linkcode CNetNode.default}); `undefined` removes it. CTCP traffic is the
 * node's own and never reaches the `ENCRYPTED_MESSAGE` handler.
 *
 * @typeParam T The event type.
 * @param eventType The event type.
 * @param handler The handler, called with the CryptoNet event.
 *
 * @example Watch connections open
 * ```ts
 * import {
 *   CNetNode,
 *   connectCtcp,
 *   disconnectCtcp,
 *   MemoryNetwork,
 *   MessageEventType,
 *   setMessageHandler,
 * } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * await using server = new CNetNode({ directory, modems: { top: network.createModem() } });
 * await using client = new CNetNode({ directory, modems: { top: network.createModem() } });
 * CNetNode.setDefault(server);
 * await server.host("shop");
 * const opened = Promise.withResolvers<string>();
 * setMessageHandler(MessageEventType.CONNECTION_OPENED, (event) =>
 *   opened.resolve(event.socket.serverName));
 * CNetNode.setDefault(client);
 * const connection = await connectCtcp("shop");
 * assert.equal(await opened.promise, "shop");
 * await disconnectCtcp(connection!);
 * CNetNode.setDefault(undefined);
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function setMessageHandler<T extends MessageEventType>(
  eventType: T,
  handler: MessageHandler<T> | undefined,
): void {
  CNetNode.default.setMessageHandler(eventType, handler);
}
