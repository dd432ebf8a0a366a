// Copyright 2026 the moonwire authors. MIT license.
// The seed-style module-level functions: each calls the same method on the
// default node (one per program, like the computer a Lua script runs on).
import type { Certificate, CertificateAuthority } from "../../crypto/mod.ts";
import type { LuaValue } from "../../net/mod.ts";
import {
  type ConnectOptions,
  CryptoNetNode,
  type DiscoveredServer,
  type DiscoverOptions,
  type HostOptions,
  type InitCertificateAuthorityOptions,
  type RequestCertificateOptions,
  type RequestedCertificate,
  type SignCertificateOptions,
} from "./cryptonet_node.ts";
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
export function send(socket: Socket, message: LuaValue): Promise<void> {
  return getDefaultNode().send(socket, message);
}
/**
 * Sends an unencrypted message (the seed's `sendUnencrypted`); see {@linkcode CryptoNetNode.sendUnencrypted}.
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
/**
 * Adds a user to a server's table; see {@linkcode CryptoNetNode.addUser}.
 *
 * @param server A server of the default node.
 * @param username 1–64 characters.
 * @param password 1–1024 characters.
 * @param permissionLevel Default 1.
 * @returns Resolves once saved.
 *
 * @example Add a user
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
 * const server = await CryptoNet.host("add-user-doc");
 * await CryptoNet.addUser(server, "ann", "ann's password", 2);
 * assert.equal(CryptoNet.getPermissionLevel(server, "ann"), 2);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function addUser(
  server: Server,
  username: string,
  password: string,
  permissionLevel?: number,
): Promise<void> {
  return getDefaultNode().addUser(server, username, password, permissionLevel);
}
/**
 * Deletes a user; see {@linkcode CryptoNetNode.deleteUser}.
 *
 * @param server A server of the default node.
 * @param username The user.
 * @returns Whether the user existed.
 *
 * @example Delete a user
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
 * const server = await CryptoNet.host("delete-user-doc");
 * assert.equal(await CryptoNet.deleteUser(server, "nobody"), false);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function deleteUser(server: Server, username: string): Promise<boolean> {
  return getDefaultNode().deleteUser(server, username);
}
/**
 * Whether a user exists; see {@linkcode CryptoNetNode.userExists}.
 *
 * @param server A server of the default node.
 * @param username The user.
 * @returns `true` when the user exists.
 *
 * @example Check a user
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
 * const server = await CryptoNet.host("user-exists-doc");
 * assert.equal(CryptoNet.userExists(server, "nobody"), false);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function userExists(server: Server, username: string): boolean {
  return getDefaultNode().userExists(server, username);
}
/**
 * Replaces a user's password; see {@linkcode CryptoNetNode.setPassword}.
 *
 * @param server A server of the default node.
 * @param username An existing user.
 * @param password The new password.
 * @returns Resolves once saved.
 *
 * @example Change a password
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
 * const server = await CryptoNet.host("set-password-doc");
 * await CryptoNet.addUser(server, "bo", "first password");
 * await CryptoNet.setPassword(server, "bo", "second password");
 * assert.equal(await CryptoNet.checkPassword(server, "bo", "second password"), true);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function setPassword(
  server: Server,
  username: string,
  password: string,
): Promise<void> {
  return getDefaultNode().setPassword(server, username, password);
}
/**
 * Sets a user's permission level; see {@linkcode CryptoNetNode.setPermissionLevel}.
 *
 * @param server A server of the default node.
 * @param username An existing user.
 * @param permissionLevel The new level.
 * @returns Resolves once saved.
 *
 * @example Promote a user
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
 * const server = await CryptoNet.host("set-level-doc");
 * await CryptoNet.addUser(server, "cy", "cy's password");
 * await CryptoNet.setPermissionLevel(server, "cy", 5);
 * assert.equal(CryptoNet.getPermissionLevel(server, "cy"), 5);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function setPermissionLevel(
  server: Server,
  username: string,
  permissionLevel: number,
): Promise<void> {
  return getDefaultNode().setPermissionLevel(server, username, permissionLevel);
}
/**
 * A user's permission level; see {@linkcode CryptoNetNode.getPermissionLevel}.
 *
 * @param server A server of the default node.
 * @param username The user.
 * @returns The level, or `undefined` for an unknown user.
 *
 * @example Read a level
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
 * const server = await CryptoNet.host("get-level-doc");
 * assert.equal(CryptoNet.getPermissionLevel(server, "nobody"), undefined);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function getPermissionLevel(
  server: Server,
  username: string,
): number | undefined {
  return getDefaultNode().getPermissionLevel(server, username);
}
/**
 * Checks a password; see {@linkcode CryptoNetNode.checkPassword}.
 *
 * @param server A server of the default node.
 * @param username The user.
 * @param password The candidate.
 * @returns Whether it matches.
 *
 * @example Check a password
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
 * const server = await CryptoNet.host("check-password-doc");
 * await CryptoNet.addUser(server, "di", "di's password");
 * assert.equal(await CryptoNet.checkPassword(server, "di", "wrong"), false);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function checkPassword(
  server: Server,
  username: string,
  password: string,
): Promise<boolean> {
  return getDefaultNode().checkPassword(server, username, password);
}
/**
 * Logs in over a client socket (the seed's `login`); see {@linkcode CryptoNetNode.login}.
 *
 * @param socket A client socket of the default node.
 * @param username The user.
 * @param password The password.
 * @returns `true` when logged in.
 *
 * @example Log in
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
 * const server = await CryptoNet.host("login-fn-doc", { modemSide: "top" });
 * await CryptoNet.addUser(server, "eve", "eve's password");
 * const socket = await CryptoNet.connect("login-fn-doc", { modemSide: "bottom" });
 * assert.equal(await CryptoNet.login(socket, "eve", "eve's password"), true);
 * assert.equal(socket.permissionLevel, 1);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function login(
  socket: Socket,
  username: string,
  password: string,
): Promise<boolean> {
  return getDefaultNode().login(socket, username, password);
}
/**
 * Logs out (the seed's `logout`); see {@linkcode CryptoNetNode.logout}.
 *
 * @param socket A socket of the default node.
 * @returns Resolves once logged out.
 *
 * @example Log out
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
 * const server = await CryptoNet.host("logout-fn-doc", { modemSide: "top" });
 * await CryptoNet.addUser(server, "fay", "fay's password");
 * const socket = await CryptoNet.connect("logout-fn-doc", { modemSide: "bottom" });
 * await CryptoNet.login(socket, "fay", "fay's password");
 * await CryptoNet.logout(socket);
 * assert.equal(socket.username, undefined);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function logout(socket: Socket): Promise<void> {
  return getDefaultNode().logout(socket);
}
/**
 * Creates a certificate authority's key files; see {@linkcode CryptoNetNode.initCertificateAuthority}.
 *
 * @param options File paths and overwrite.
 * @returns The authority's keys.
 *
 * @example Create a CA
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
 * const ca = await CryptoNet.initCertificateAuthority();
 * assert.equal(ca.publicKey.length, 32);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function initCertificateAuthority(
  options?: InitCertificateAuthorityOptions,
): Promise<CertificateAuthority> {
  return getDefaultNode().initCertificateAuthority(options);
}
/**
 * Signs a certificate (or its file) with the CA key; see {@linkcode CryptoNetNode.signCertificate}.
 *
 * @param certificate A certificate or its file.
 * @param options The CA private key or its file.
 * @returns The signed certificate.
 *
 * @example Sign a certificate
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
 * await CryptoNet.initCertificateAuthority();
 * const server = await CryptoNet.host("sign-fn-doc");
 * const signed = await CryptoNet.signCertificate(server.certificate);
 * assert.equal(signed.signature?.length, 64);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function signCertificate(
  certificate: Certificate | string,
  options?: SignCertificateOptions,
): Promise<Certificate> {
  return getDefaultNode().signCertificate(certificate, options);
}
/**
 * Reads a certificate authority public key file; see {@linkcode CryptoNetNode.loadCertAuthKey}.
 *
 * @param path Default `certAuth.key`.
 * @returns The 32-byte key.
 *
 * @example Load the CA key
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
 * const ca = await CryptoNet.initCertificateAuthority();
 * assert.deepEqual(await CryptoNet.loadCertAuthKey(), ca.publicKey);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function loadCertAuthKey(
  path?: string,
): Promise<Uint8Array<ArrayBuffer>> {
  return getDefaultNode().loadCertAuthKey(path);
}
