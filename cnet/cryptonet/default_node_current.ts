// Copyright 2026 the moonwire authors. MIT license.
// Seed 000's face: which node is the default, its event loop, closing, and
// its events. The other default_node_*.ts functions call this default node.
import { CryptoNetNode } from "./cryptonet_node.ts";
import type {
  CryptoNetEvent,
  CryptoNetEventMap,
  EventSubscription,
} from "./events.ts";
import type { Server } from "./server.ts";
import type { Socket } from "./socket.ts";

let current: CryptoNetNode | undefined;

/**
 * The default node the module-level functions use: created on first use
 * (no modems, the current directory) or set with {@linkcode setDefaultNode};
 * a closed default node is replaced by a fresh one.
 *
 * Modems attached to the default node belong to it, as to every node:
 * closing it (which ends `setup`) closes them, so the program can exit.
 *
 * @returns The default node.
 *
 * @example Attach a modem to the default node
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const node = CryptoNet.getDefaultNode();
 * node.attach("top", network.createModem());
 * assert.deepEqual(CryptoNet.getDefaultNode().sides, ["top"]);
 * await node.close();
 * ```
 */
export function getDefaultNode(): CryptoNetNode {
  if (current === undefined || current.isClosed) current = new CryptoNetNode();
  return current;
}

/**
 * Makes `node` the default node of the module-level functions.
 *
 * @param node The node to use.
 *
 * @example Use a node with a working directory
 * ```ts
 * import { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const node = new CryptoNet.CryptoNetNode({ directory: "/tmp" });
 * CryptoNet.setDefaultNode(node);
 * assert.equal(CryptoNet.getDefaultNode(), node);
 * await node.close();
 * ```
 */
export function setDefaultNode(node: CryptoNetNode): void {
  if (!(node instanceof CryptoNetNode)) {
    throw new TypeError("Cannot set default node: expected a CryptoNetNode");
  }
  current = node;
}

/**
 * Runs the default node's event loop (the seed's `setup`); see {@linkcode CryptoNetNode.setup}.
 * When the default node closes, the loop ends and the node's modems are
 * closed with it (unless it was created with `closeModems: false`).
 *
 * @param onStart Called once the loop runs; may be async.
 * @returns Resolves when the default node is closed.
 *
 * @example Start a server
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * CryptoNet.setDefaultNode(
 *   new CryptoNet.CryptoNetNode({
 *     directory,
 *     modems: { top: network.createModem(), bottom: network.createModem() },
 *   }),
 * );
 * await CryptoNet.setup(async () => {
 *   const server = await CryptoNet.host("setup-doc");
 *   assert.equal(server.name, "setup-doc");
 *   await CryptoNet.getDefaultNode().close();
 * });
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function setup(
  onStart?: (node: CryptoNetNode) => void | Promise<void>,
): Promise<void> {
  return getDefaultNode().setup(onStart);
}

/**
 * Closes a socket or server of the default node (the seed's `close`).
 *
 * @param target A socket or server.
 * @returns Resolves once closed.
 *
 * @example Close a server
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * CryptoNet.setDefaultNode(
 *   new CryptoNet.CryptoNetNode({
 *     directory,
 *     modems: { top: network.createModem(), bottom: network.createModem() },
 *   }),
 * );
 * const server = await CryptoNet.host("close-fn-doc");
 * await CryptoNet.close(server);
 * assert.equal(server.isOpen, false);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function close(target: Socket | Server): Promise<void> {
  if (target === undefined || target === null) {
    return Promise.reject(
      new TypeError("Cannot close: expected a socket or server"),
    );
  }
  return getDefaultNode().close(target);
}

/**
 * Closes every socket and server of the default node (the seed's `closeAll`).
 *
 * @returns Resolves once closed.
 *
 * @example Close everything
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * CryptoNet.setDefaultNode(
 *   new CryptoNet.CryptoNetNode({
 *     directory,
 *     modems: { top: network.createModem(), bottom: network.createModem() },
 *   }),
 * );
 * await CryptoNet.host("close-all-doc");
 * await CryptoNet.closeAll();
 * assert.deepEqual(CryptoNet.getDefaultNode().servers, []);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function closeAll(): Promise<void> {
  return getDefaultNode().closeAll();
}

/**
 * The default node's next event (the seed's `listen`); see {@linkcode CryptoNetNode.listen}.
 *
 * @returns The next event.
 *
 * @example Wait for a connection
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * CryptoNet.setDefaultNode(
 *   new CryptoNet.CryptoNetNode({
 *     directory,
 *     modems: { top: network.createModem(), bottom: network.createModem() },
 *   }),
 * );
 * await CryptoNet.host("listen-fn-doc", { modemSide: "top" });
 * const next = CryptoNet.listen();
 * await CryptoNet.connect("listen-fn-doc", { modemSide: "bottom" });
 * assert.equal((await next).type, "connection_opened");
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function listen(): Promise<CryptoNetEvent> {
  return getDefaultNode().listen();
}

/**
 * Registers an event handler on the default node; see {@linkcode CryptoNetNode.on}.
 *
 * @param type An event name.
 * @param handler Called with each such event.
 * @returns A subscription; `close()` removes it.
 *
 * @example Count connections
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * CryptoNet.setDefaultNode(
 *   new CryptoNet.CryptoNetNode({
 *     directory,
 *     modems: { top: network.createModem(), bottom: network.createModem() },
 *   }),
 * );
 * const both = Promise.withResolvers<void>();
 * const roles: string[] = [];
 * using _subscription = CryptoNet.on("connection_opened", (event) => {
 *   roles.push(event.socket.role);
 *   if (roles.length === 2) both.resolve();
 * });
 * await CryptoNet.host("on-fn-doc", { modemSide: "top" });
 * await CryptoNet.connect("on-fn-doc", { modemSide: "bottom" });
 * await both.promise;
 * assert.deepEqual(roles, ["client", "server"]);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function on<K extends keyof CryptoNetEventMap>(
  type: K,
  handler: (event: CryptoNetEventMap[K]) => void,
): EventSubscription {
  return getDefaultNode().on(type, handler);
}
