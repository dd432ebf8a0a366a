// Copyright 2026 the moonwire authors. MIT license.
import type { Certificate, CertificateAuthority } from "../crypto/mod.ts";
import type { LuaValue, LuaValueOf } from "../net/table_codec.ts";
import type {
  CryptoNetConnectOptions,
  CryptoNetNode,
  DiscoveredServer,
  DiscoverOptions,
  InitCertificateAuthorityOptions,
  LoginOptions,
  RequestCertificateOptions,
  RequestedCertificate,
  Server,
  SignCertificateOptions,
  Socket,
} from "./_cnet_cryptonet.ts";
import { isLinkFailure, socketOf } from "./_cnet_node_checks.ts";
import type { CtcpConnection } from "./ctcp_connection.ts";

/**
 * The CryptoNet half of {@linkcode CNetNode}: seed 000's calls (sessions,
 * discovery, certificates, the certificate authority, user tables, logins),
 * each a thin call of the same method on the node's CryptoNet node
 * (`node.cryptoNet`), so a cNet program needs no second object. Use
 * `CNetNode`; this class only holds these methods.
 *
 * Paths: every file path given to these methods (a certificate file, the CA
 * key files) is relative to {@linkcode CNetNodeBase.directory}; absolute
 * paths are used as they are.
 *
 * @example The CryptoNet calls on a cNet node
 * ```ts
 * import { CNetNode, CNetNodeBase, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * await using node = new CNetNode({ directory, modems: { top: network.createModem() } });
 * assert.ok(node instanceof CNetNodeBase);
 * const server = await node.host("base-doc");
 * await node.addUser(server, "ann", "ann's password");
 * assert.equal(node.userExists(server, "ann"), true);
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export abstract class CNetNodeBase {
  readonly #cryptoNet: CryptoNetNode;

  /**
   * Builds the calls on a CryptoNet node.
   *
   * @param cryptoNet The CryptoNet node the calls go to.
   */
  protected constructor(cryptoNet: CryptoNetNode) {
    this.#cryptoNet = cryptoNet;
  }

  /** The CryptoNet node underneath (seed 001's `cNet.CryptoNet`). */
  get cryptoNet(): CryptoNetNode {
    return this.#cryptoNet;
  }

  /**
   * The working directory every relative file path of this node resolves
   * against (certificates, private keys, CA key files, user tables): the
   * `directory` option made absolute when the node was created, or the
   * directory of the CryptoNet node given as `cryptoNet`.
   */
  get directory(): string {
    return this.#cryptoNet.directory;
  }

  /**
   * Opens an encrypted CryptoNet session (seed 000's `connect`).
   *
   * @param serverName The server to connect to (or taken from
   * `options.certificate`).
   * @param options CryptoNet's connect options; a `certificate` or
   * `certAuthKey` file path is relative to the node's `directory` (default
   * `<serverName>.crt` and `certAuth.key` there, when they exist).
   * @returns The socket.
   *
   * @example Open a session and send on it
   * ```ts
   * import { CNetNode, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using server = new CNetNode({ directory, modems: { top: network.createModem() } });
   * await using client = new CNetNode({ directory, modems: { top: network.createModem() } });
   * await server.host("connect-doc");
   * const socket = await client.connect("connect-doc");
   * assert.equal(socket.isOpen, true);
   * await client.send(socket, { hello: "world" });
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  connect(
    serverName?: string,
    options: CryptoNetConnectOptions = {},
  ): Promise<Socket> {
    return this.#cryptoNet.connect(serverName, options);
  }

  /**
   * Sends an encrypted message over a CryptoNet socket (seed 000's `send`).
   *
   * @typeParam T Checked by {@linkcode LuaValueOf}: interfaces fit; functions,
   * Dates, bigints do not; `undefined` fields are nil.
   * @param socket An open socket of this node.
   * @param message Any table value.
   * @returns A promise that resolves when the message is handed to the modem.
   *
   * @example Send a table
   * ```ts
   * import { CNetNode, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using server = new CNetNode({ directory, modems: { top: network.createModem() } });
   * await using client = new CNetNode({ directory, modems: { top: network.createModem() } });
   * await server.host("send-doc");
   * const heard = Promise.withResolvers<unknown>();
   * server.setMessageHandler("encrypted_message", (event) => heard.resolve(event.message));
   * await client.send(await client.connect("send-doc"), [1, 2, 3]);
   * assert.deepEqual(await heard.promise, [1, 2, 3]);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  send<T extends LuaValueOf<T>>(socket: Socket, message: T): Promise<void> {
    return this.#cryptoNet.send(socket, message);
  }

  /**
   * Sends a message in the clear over a CryptoNet socket (seed 000's
   * `sendUnencrypted`). It is not authenticated: the peer's
   * `plain_message` event has `authenticated: false` and a socket whose
   * `username` is `undefined` and `permissionLevel` 0, whoever is logged in
   * over the session, since anyone who saw the session id (sent in clear)
   * can send such a message in its name.
   *
   * @param socket An open socket of this node.
   * @param message Any table value that fits one packet.
   * @returns A promise that resolves when the message is handed to the modem.
   *
   * @example Send in the clear
   * ```ts
   * import { CNetNode, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using server = new CNetNode({ directory, modems: { top: network.createModem() } });
   * await using client = new CNetNode({ directory, modems: { top: network.createModem() } });
   * await server.host("plain-doc");
   * const heard = Promise.withResolvers<unknown>();
   * server.setMessageHandler("plain_message", (event) => {
   *   assert.equal(event.authenticated, false);
   *   heard.resolve(event.message);
   * });
   * await client.sendUnencrypted(await client.connect("plain-doc"), "ping");
   * assert.equal(await heard.promise, "ping");
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  sendUnencrypted(socket: Socket, message: LuaValue): Promise<void> {
    return this.#cryptoNet.sendUnencrypted(socket, message);
  }

  /**
   * Lists the discoverable servers that answer (seed 000's `discover`).
   *
   * @param options How long to collect answers (default 1 s) and the modem.
   * @returns The servers that answered, with their (unverified)
   * certificates.
   *
   * @example Find a server
   * ```ts
   * import { CNetNode, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using server = new CNetNode({ directory, modems: { top: network.createModem() } });
   * await using client = new CNetNode({ directory, modems: { top: network.createModem() } });
   * await server.host("discover-doc");
   * const found = await client.discover({ timeout: 0.1 });
   * assert.deepEqual(found.map((entry) => entry.name), ["discover-doc"]);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  discover(options: DiscoverOptions = {}): Promise<DiscoveredServer[]> {
    return this.#cryptoNet.discover(options);
  }

  /**
   * Asks for a server's certificate (seed 000's `requestCertificate`).
   *
   * @param name The server's name.
   * @param options Timeout (default 1 s), modem, CA key (bytes, or a file
   * relative to the node's `directory`; default `certAuth.key` there when it
   * exists) and `allowUnsigned`.
   * @returns The certificate and whether a CA key vouched for it.
   *
   * @example Fetch an unsigned certificate
   * ```ts
   * import { CNetNode, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using server = new CNetNode({ directory, modems: { top: network.createModem() } });
   * await using client = new CNetNode({ directory, modems: { top: network.createModem() } });
   * await server.host("certificate-doc");
   * const answer = await client.requestCertificate("certificate-doc", { timeout: 0.1 });
   * assert.equal(answer.certificate.name, "certificate-doc");
   * assert.equal(answer.verified, false);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  requestCertificate(
    name: string,
    options: RequestCertificateOptions = {},
  ): Promise<RequestedCertificate> {
    return this.#cryptoNet.requestCertificate(name, options);
  }

  /**
   * Creates a certificate authority: its key pair, written to two files.
   *
   * @param options The public and private key files, relative to the node's
   * `directory` (default `certAuth.key` and `certAuth_private.key`, mode
   * 0600), and whether to replace existing files (default false).
   * @returns The authority's keys.
   *
   * @example Create a CA in the node's directory
   * ```ts
   * import { CNetNode } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * const directory = await Deno.makeTempDir();
   * await using node = new CNetNode({ directory });
   * const ca = await node.initCertificateAuthority();
   * assert.equal(ca.publicKey.length, 32);
   * assert.ok((await Deno.stat(`${directory}/certAuth.key`)).isFile);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  initCertificateAuthority(
    options: InitCertificateAuthorityOptions = {},
  ): Promise<CertificateAuthority> {
    return this.#cryptoNet.initCertificateAuthority(options);
  }

  /**
   * Signs a certificate with the CA private key. Given a file path
   * (relative to the node's `directory`), the signed certificate is written
   * back to that file.
   *
   * @param certificate A certificate or its file.
   * @param options The CA private key, or its file relative to the node's
   * `directory` (default `certAuth_private.key`).
   * @returns The signed certificate.
   *
   * @example Sign a hosted server's certificate file
   * ```ts
   * import { CNetNode, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import { verifyCertificate } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CNetNode({ directory, modems: { top: network.createModem() } });
   * const ca = await node.initCertificateAuthority();
   * await node.host("sign-doc");
   * const signed = await node.signCertificate("sign-doc.crt");
   * assert.equal(verifyCertificate(signed, ca.publicKey), true);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  signCertificate(
    certificate: Certificate | string,
    options: SignCertificateOptions = {},
  ): Promise<Certificate> {
    return this.#cryptoNet.signCertificate(certificate, options);
  }

  /**
   * Reads a certificate authority public key file.
   *
   * @param path The file, relative to the node's `directory` (default
   * `certAuth.key`).
   * @returns The 32-byte Ed25519 public key.
   *
   * @example Read back the CA key
   * ```ts
   * import { CNetNode } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * const directory = await Deno.makeTempDir();
   * await using node = new CNetNode({ directory });
   * const ca = await node.initCertificateAuthority();
   * assert.deepEqual(await node.loadCertAuthKey(), ca.publicKey);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  loadCertAuthKey(path?: string): Promise<Uint8Array<ArrayBuffer>> {
    return this.#cryptoNet.loadCertAuthKey(path);
  }

  /**
   * Adds a user to a hosted server's user table (saved to its file).
   *
   * @param server A server this node hosts.
   * @param username 1-64 characters.
   * @param password 1-1024 characters (stored as a scrypt hash).
   * @param permissionLevel The user's level (default 1).
   * @returns A promise that resolves once the table is saved.
   *
   * @example Add an administrator
   * ```ts
   * import { CNetNode, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CNetNode({ directory, modems: { top: network.createModem() } });
   * const server = await node.host("add-user-doc");
   * await node.addUser(server, "admin", "admin's password", 3);
   * assert.equal(node.getPermissionLevel(server, "admin"), 3);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  addUser(
    server: Server,
    username: string,
    password: string,
    permissionLevel?: number,
  ): Promise<void> {
    return this.#cryptoNet.addUser(server, username, password, permissionLevel);
  }

  /**
   * Deletes a user; its open sessions are logged out.
   *
   * @param server A server this node hosts.
   * @param username The user.
   * @returns Whether the user existed.
   *
   * @example Delete a user twice
   * ```ts
   * import { CNetNode, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CNetNode({ directory, modems: { top: network.createModem() } });
   * const server = await node.host("delete-user-doc");
   * await node.addUser(server, "bo", "bo's password");
   * assert.equal(await node.deleteUser(server, "bo"), true);
   * assert.equal(await node.deleteUser(server, "bo"), false);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  deleteUser(server: Server, username: string): Promise<boolean> {
    return this.#cryptoNet.deleteUser(server, username);
  }

  /**
   * Whether a user exists in a hosted server's table.
   *
   * @param server A server this node hosts.
   * @param username The user.
   * @returns `true` when the user exists.
   *
   * @example An unknown user
   * ```ts
   * import { CNetNode, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CNetNode({ directory, modems: { top: network.createModem() } });
   * const server = await node.host("user-exists-doc");
   * assert.equal(node.userExists(server, "nobody"), false);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  userExists(server: Server, username: string): boolean {
    return this.#cryptoNet.userExists(server, username);
  }

  /**
   * Replaces a user's password.
   *
   * @param server A server this node hosts.
   * @param username An existing user.
   * @param password The new password (1-1024 characters).
   * @returns A promise that resolves once the table is saved.
   *
   * @example Change a password
   * ```ts
   * import { CNetNode, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CNetNode({ directory, modems: { top: network.createModem() } });
   * const server = await node.host("set-password-doc");
   * await node.addUser(server, "cy", "first password");
   * await node.setPassword(server, "cy", "second password");
   * assert.equal(await node.checkPassword(server, "cy", "first password"), false);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  setPassword(
    server: Server,
    username: string,
    password: string,
  ): Promise<void> {
    return this.#cryptoNet.setPassword(server, username, password);
  }

  /**
   * Sets a user's permission level.
   *
   * @param server A server this node hosts.
   * @param username An existing user.
   * @param permissionLevel The new level.
   * @returns A promise that resolves once the table is saved.
   *
   * @example Promote a user
   * ```ts
   * import { CNetNode, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CNetNode({ directory, modems: { top: network.createModem() } });
   * const server = await node.host("set-level-doc");
   * await node.addUser(server, "di", "di's password");
   * await node.setPermissionLevel(server, "di", 5);
   * assert.equal(node.getPermissionLevel(server, "di"), 5);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  setPermissionLevel(
    server: Server,
    username: string,
    permissionLevel: number,
  ): Promise<void> {
    return this.#cryptoNet.setPermissionLevel(
      server,
      username,
      permissionLevel,
    );
  }

  /**
   * A user's permission level.
   *
   * @param server A server this node hosts.
   * @param username The user.
   * @returns The level, or `undefined` for an unknown user.
   *
   * @example The default level
   * ```ts
   * import { CNetNode, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CNetNode({ directory, modems: { top: network.createModem() } });
   * const server = await node.host("get-level-doc");
   * await node.addUser(server, "eve", "eve's password");
   * assert.equal(node.getPermissionLevel(server, "eve"), 1);
   * assert.equal(node.getPermissionLevel(server, "nobody"), undefined);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  getPermissionLevel(server: Server, username: string): number | undefined {
    return this.#cryptoNet.getPermissionLevel(server, username);
  }

  /**
   * Checks a user's password against the stored hash.
   *
   * @param server A server this node hosts.
   * @param username The user.
   * @param password The candidate.
   * @returns Whether it matches (`false` for an unknown user).
   *
   * @example Right and wrong passwords
   * ```ts
   * import { CNetNode, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CNetNode({ directory, modems: { top: network.createModem() } });
   * const server = await node.host("check-password-doc");
   * await node.addUser(server, "fay", "fay's password");
   * assert.equal(await node.checkPassword(server, "fay", "fay's password"), true);
   * assert.equal(await node.checkPassword(server, "fay", "guess"), false);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  checkPassword(
    server: Server,
    username: string,
    password: string,
  ): Promise<boolean> {
    return this.#cryptoNet.checkPassword(server, username, password);
  }

  /**
   * Logs in over a CTCP connection or a CryptoNet socket. The result also
   * arrives as a `login` or `login_failed` event. No answer or a closed
   * session is a failed login (`false`), not an error; an abort is.
   *
   * @param connection A CTCP connection or a CryptoNet socket.
   * @param username The user name.
   * @param password The password.
   * @param options `signal`: see {@linkcode CryptoNetNode.login}.
   * @returns Whether the login succeeded.
   * @throws {DOMException} `AbortError` once `signal` fired.
   *
   * @example Log in over a session
   * ```ts
   * import { CNetNode, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using server = new CNetNode({ directory, modems: { top: network.createModem() } });
   * await using client = new CNetNode({ directory, modems: { top: network.createModem() } });
   * await server.addUser(await server.host("login-doc"), "gus", "gus's password", 2);
   * const socket = await client.connect("login-doc");
   * assert.equal(await client.login(socket, "gus", "gus's password"), true);
   * assert.equal(socket.permissionLevel, 2);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  async login(
    connection: CtcpConnection<Socket> | Socket,
    username: string,
    password: string,
    options: LoginOptions = {},
  ): Promise<boolean> {
    const socket = socketOf("log in", connection);
    try {
      return await this.#cryptoNet.login(socket, username, password, options);
    } catch (error) {
      if (isLinkFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Logs out over a CTCP connection or a CryptoNet socket. The result also
   * arrives as a `logout` event.
   *
   * @param connection A CTCP connection or a CryptoNet socket.
   * @returns Whether a user was logged in and is now logged out.
   *
   * @example Log in and out
   * ```ts
   * import { CNetNode, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using server = new CNetNode({ directory, modems: { top: network.createModem() } });
   * await using client = new CNetNode({ directory, modems: { top: network.createModem() } });
   * await server.addUser(await server.host("logout-doc"), "hal", "hal's password");
   * const socket = await client.connect("logout-doc");
   * await client.login(socket, "hal", "hal's password");
   * assert.equal(await client.logout(socket), true);
   * assert.equal(await client.logout(socket), false);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  async logout(connection: CtcpConnection<Socket> | Socket): Promise<boolean> {
    const socket = socketOf("log out", connection);
    const wasLoggedIn = socket.username !== undefined;
    try {
      await this.#cryptoNet.logout(socket);
    } catch (error) {
      if (isLinkFailure(error)) return false;
      throw error;
    }
    return wasLoggedIn && socket.username === undefined;
  }
}
