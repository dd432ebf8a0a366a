// Copyright 2026 the moonwire authors. MIT license.
// Seed 000's face: user tables and logins on the default node; each function
// calls the same CryptoNetNode method.
import type { LoginOptions } from "./cryptonet_node.ts";
import { getDefaultNode } from "./default_node_current.ts";
import type { Server } from "./server.ts";
import type { Socket } from "./socket.ts";

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
 * @param options `signal`: see {@linkcode CryptoNetNode.login}.
 * @returns `true` when logged in.
 * @throws {DOMException} `AbortError` once `signal` fired.
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
  options: LoginOptions = {},
): Promise<boolean> {
  return getDefaultNode().login(socket, username, password, options);
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
