// Copyright 2026 the moonwire authors. MIT license.
// Seed 000's face: servers, sessions, messages and discovery on the default
// node; each function calls the same CryptoNetNode method.
import type { LuaValue, LuaValueOf } from "../../net/mod.ts";
import type {
  ConnectOptions,
  DiscoveredServer,
  DiscoverOptions,
  HostOptions,
  RequestCertificateOptions,
  RequestedCertificate,
} from "./cryptonet_node.ts";
import { getDefaultNode } from "./default_node_current.ts";
import type { Server } from "./server.ts";
import type { Socket } from "./socket.ts";

/**
 * Hosts a server on the default node (the seed's `host`); see {@linkcode CryptoNetNode.host}.
 *
 * @param serverName The server's name.
 * @param options The seed's options.
 * @returns The server.
 *
 * @example Host a server
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
 * const server = await CryptoNet.host("host-doc", { discoverable: false });
 * assert.equal(server.discoverable, false);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function host(
  serverName: string,
  options?: HostOptions,
): Promise<Server> {
  return getDefaultNode().host(serverName, options);
}

/**
 * Connects from the default node (the seed's `connect`); see {@linkcode CryptoNetNode.connect}.
 *
 * @param serverName The server's name (or inferred from `options.certificate`).
 * @param options The seed's options.
 * @returns The open socket.
 *
 * @example Connect to a server
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
 * await CryptoNet.host("connect-fn-doc", { modemSide: "top" });
 * const socket = await CryptoNet.connect("connect-fn-doc", { modemSide: "bottom" });
 * assert.equal(socket.isOpen, true);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function connect(
  serverName?: string,
  options?: ConnectOptions,
): Promise<Socket> {
  return getDefaultNode().connect(serverName, options);
}

/**
 * Sends an encrypted message (the seed's `send`); see {@linkcode CryptoNetNode.send}.
 *
 * @typeParam T Checked by {@linkcode LuaValueOf}: interfaces fit; functions,
 * Dates, bigints do not; `undefined` fields are nil.
 * @param socket An open socket of the default node.
 * @param message Any Lua value.
 * @returns Resolves once handed to the modem.
 *
 * @example Send a message
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
 * await CryptoNet.host("send-fn-doc", { modemSide: "top" });
 * const heard = new Promise<CryptoNet.EncryptedMessageEvent>((resolve) =>
 *   CryptoNet.on("encrypted_message", resolve)
 * );
 * const socket = await CryptoNet.connect("send-fn-doc", { modemSide: "bottom" });
 * await CryptoNet.send(socket, { hello: "world" });
 * assert.deepEqual((await heard).message, { hello: "world" });
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function send<T extends LuaValueOf<T>>(
  socket: Socket,
  message: T,
): Promise<void> {
  return getDefaultNode().send(socket, message);
}

/**
 * Sends an unencrypted message (the seed's `sendUnencrypted`); see {@linkcode CryptoNetNode.sendUnencrypted}.
 * It is not authenticated: the `plain_message` event it causes has
 * `authenticated: false` and withholds the session's login (`username`
 * `undefined`, `permissionLevel` 0 on its socket).
 *
 * @param socket An open socket of the default node.
 * @param message Any Lua value that fits one packet.
 * @returns Resolves once handed to the modem.
 *
 * @example Send in the clear
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
 * await CryptoNet.host("plain-fn-doc", { modemSide: "top" });
 * const heard = new Promise<CryptoNet.PlainMessageEvent>((resolve) =>
 *   CryptoNet.on("plain_message", resolve)
 * );
 * const socket = await CryptoNet.connect("plain-fn-doc", { modemSide: "bottom" });
 * await CryptoNet.sendUnencrypted(socket, 42);
 * assert.equal((await heard).message, 42);
 * assert.equal((await heard).authenticated, false);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function sendUnencrypted(
  socket: Socket,
  message: LuaValue,
): Promise<void> {
  return getDefaultNode().sendUnencrypted(socket, message);
}

/**
 * Lists discoverable servers (the seed's `discover`); see {@linkcode CryptoNetNode.discover}.
 *
 * @param options Timeout and modem side.
 * @returns The servers that answered.
 *
 * @example Discover
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
 * await CryptoNet.host("discover-fn-doc", { modemSide: "top" });
 * const found = await CryptoNet.discover({ modemSide: "bottom", timeout: 0.1 });
 * assert.deepEqual(found.map((s) => s.name), ["discover-fn-doc"]);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function discover(
  options?: DiscoverOptions,
): Promise<DiscoveredServer[]> {
  return getDefaultNode().discover(options);
}

/**
 * Requests a server's certificate (the seed's `requestCertificate`); see {@linkcode CryptoNetNode.requestCertificate}.
 *
 * @param name The server's name.
 * @param options Timeout, modem side, CA key, allowUnsigned.
 * @returns The certificate and whether a CA vouched for it.
 *
 * @example Request a certificate
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
 * await CryptoNet.host("request-fn-doc", { modemSide: "top" });
 * const answer = await CryptoNet.requestCertificate("request-fn-doc", {
 *   modemSide: "bottom",
 *   timeout: 0.1,
 * });
 * assert.equal(answer.certificate.name, "request-fn-doc");
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function requestCertificate(
  name: string,
  options?: RequestCertificateOptions,
): Promise<RequestedCertificate> {
  return getDefaultNode().requestCertificate(name, options);
}
