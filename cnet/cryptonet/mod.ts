// Copyright 2026 the moonwire authors. MIT license.
/**
 * The CryptoNet layer (seed 000), exported from `cnet` as the `CryptoNet`
 * namespace: named servers with certificates and a certificate authority,
 * discovery, encrypted sessions, user tables and logins, over modems.
 *
 * A {@linkcode CryptoNetNode} is one computer (modems by side, a working
 * directory, its servers, sockets and events); the module-level functions
 * call the same methods on a default node, for seed-style programs.
 *
 * @example Connect and log in
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * await using node = new CryptoNet.CryptoNetNode({
 *   directory,
 *   modems: { top: network.createModem(), bottom: network.createModem() },
 * });
 * const server = await node.host("cryptonet-doc", { modemSide: "top" });
 * await node.addUser(server, "admin", "open sesame", 3);
 * const socket = await node.connect("cryptonet-doc", { modemSide: "bottom" });
 * assert.equal(await node.login(socket, "admin", "open sesame"), true);
 * assert.equal(socket.permissionLevel, 3);
 * await Deno.remove(directory, { recursive: true });
 * ```
 *
 * @module
 */
export * from "./cryptonet_node.ts";
export * from "./default_node.ts";
export * from "./events.ts";
export * from "./server.ts";
export * from "./socket.ts";
