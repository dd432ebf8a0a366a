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
 * Delivery: a modem is a datagram medium that may lose, duplicate or
 * reorder, and a CryptoNet session does not retransmit messages. A `send`
 * that resolved was encrypted and handed to the modem, in order; each such
 * message arrives at most once (the replay window) and in send order (a
 * message older than one already delivered is dropped), or not at all, with
 * no error: CryptoNet is ordered but not reliable. Over a modem that neither
 * loses nor reorders (a `MemoryNetwork` without fault injection) every
 * accepted message arrives, in order, and a graceful `close` delivers
 * everything sent before it, then the peer's `connection_closed`.
 * `sendUnencrypted` messages carry no counter, so a duplicating modem
 * duplicates them. A modem that refuses a packet (full send queue, closed)
 * makes the waiting call reject; on paths no call waits for (answers,
 * retransmissions, keepalives) the refusal is counted in
 * `stats.transmitErrors`. For reliable delivery (delivered, or the
 * connection reports the failure) use a CTCP connection
 * (`CNetNode.connectCtcp`).
 *
 * Ownership: the modems given in the options or with `attach` belong to the
 * node, and `close()` (or `await using`) closes them, so a program whose
 * work is done exits by itself (a `UdpModem` keeps its receive loop running
 * until closed). Pass `closeModems: false` to keep them open for reuse;
 * `detach` hands one modem back unclosed.
 *
 * Events (`connection_opened`, `encrypted_message`, ...) go to `on`
 * handlers as they happen and, once `listen()` or `events()` has been
 * called, into a bounded queue read by those two.
 *
 * Inside, a node is a driver (modems, channels, real timers, the event hub)
 * around a sans-I/O session core per session: packets and a clock reading
 * in, packets, deadlines and events out.
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
 * @example Modems: attach, find and detach modems
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const modem = network.createModem();
 * await using node = new CryptoNet.CryptoNetNode();
 * assert.throws(() => node.getModem(), {
 *   message: "Cannot find modem: no modem attached",
 * });
 * node.attach("right", modem);
 * assert.deepEqual(node.sides, ["right"]);
 * assert.equal(node.getModem(), modem);
 * assert.equal(node.detach("right"), modem);
 * ```
 *
 * @example Raw channels: hear raw modem traffic, then stop
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const other = network.createModem();
 * const modem = network.createModem();
 * await using node = new CryptoNet.CryptoNetNode({ modems: { top: modem } });
 * node.openChannel(100);
 * const event = new Promise<CryptoNet.ModemMessageEvent>((resolve) =>
 *   node.on("modem_message", resolve)
 * );
 * other.transmit(100, 7, new Uint8Array([1, 2]));
 * assert.deepEqual((await event).payload, new Uint8Array([1, 2]));
 * node.closeChannel(100);
 * assert.equal(modem.isOpen(100), false);
 * ```
 *
 * @example Events: wait for the next event
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * await using node = new CryptoNet.CryptoNetNode({
 *   directory: await Deno.makeTempDir(),
 *   modems: { top: network.createModem(), bottom: network.createModem() },
 * });
 * await node.host("listen-doc", { modemSide: "top" });
 * const next = node.listen();
 * await node.connect("listen-doc", { modemSide: "bottom" });
 * assert.equal((await next).type, "connection_opened");
 * await Deno.remove(node.directory, { recursive: true });
 * ```
 *
 * @example Events: iterate until the node closes
 * ```ts
 * import { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const node = new CryptoNet.CryptoNetNode();
 * const seen: string[] = [];
 * const loop = (async () => {
 *   for await (const event of node) seen.push(event.type);
 * })();
 * await node.close();
 * await loop;
 * assert.deepEqual(seen, []);
 * ```
 *
 * @example The event loop: start, then stop from inside
 * ```ts
 * import { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * let started = false;
 * await new CryptoNet.CryptoNetNode().setup(async (self) => {
 *   started = true;
 *   await self.close();
 * });
 * assert.equal(started, true);
 * ```
 *
 * @example Hosting: host and inspect the generated files
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * await using node = new CryptoNet.CryptoNetNode({
 *   directory,
 *   modems: { top: network.createModem() },
 * });
 * const server = await node.host("files-doc");
 * const key = await Deno.stat(`${directory}/files-doc_private.key`);
 * assert.equal(key.mode! & 0o777, 0o600);
 * assert.equal(server.certificate.name, "files-doc");
 * await Deno.remove(directory, { recursive: true });
 * ```
 *
 * @example Connecting: connect with a known certificate
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * await using node = new CryptoNet.CryptoNetNode({
 *   directory: await Deno.makeTempDir(),
 *   modems: { top: network.createModem(), bottom: network.createModem() },
 * });
 * const server = await node.host("connect-doc", { modemSide: "top" });
 * const socket = await node.connect(undefined, {
 *   certificate: server.certificate,
 *   modemSide: "bottom",
 * });
 * assert.equal(socket.serverName, "connect-doc");
 * assert.equal(socket.isOpen, true);
 * await Deno.remove(node.directory, { recursive: true });
 * ```
 *
 * @example Plain messages: send in the clear
 *
 * Plain messages are not authenticated: the session id that names their
 * session travels in clear, so anyone on the medium can send one in its
 * name. The event says `authenticated: false` and its socket withholds the
 * login (`username` `undefined`, `permissionLevel` 0).
 *
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * await using node = new CryptoNet.CryptoNetNode({
 *   directory: await Deno.makeTempDir(),
 *   modems: { top: network.createModem(), bottom: network.createModem() },
 * });
 * await node.host("plain-doc", { modemSide: "top" });
 * const heard = new Promise<CryptoNet.PlainMessageEvent>((resolve) =>
 *   node.on("plain_message", resolve)
 * );
 * const socket = await node.connect("plain-doc", { modemSide: "bottom" });
 * await node.sendUnencrypted(socket, "hello");
 * const event = await heard;
 * assert.equal(event.message, "hello");
 * assert.equal(event.authenticated, false);
 * assert.equal(event.socket.username, undefined);
 * // It still names the session, to answer on.
 * assert.equal(event.socket.id, socket.id);
 * await Deno.remove(node.directory, { recursive: true });
 * ```
 *
 * @example Discovery: discover a server, fetch its certificate
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * await using node = new CryptoNet.CryptoNetNode({
 *   directory: await Deno.makeTempDir(),
 *   modems: { top: network.createModem(), bottom: network.createModem() },
 * });
 * const server = await node.host("visible", { modemSide: "top" });
 * await node.host("invisible", { modemSide: "top", discoverable: false });
 * const options = { modemSide: "bottom", timeout: 0.1 } as const;
 * const found = await node.discover(options);
 * assert.deepEqual(found.map((s) => s.name), ["visible"]);
 * const answer = await node.requestCertificate("visible", options);
 * assert.deepEqual(answer.certificate.publicKey, server.certificate.publicKey);
 * assert.equal(answer.verified, false);
 * await Deno.remove(node.directory, { recursive: true });
 * ```
 *
 * @example Closing: close a server, then everything
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * await using node = new CryptoNet.CryptoNetNode({
 *   directory: await Deno.makeTempDir(),
 *   modems: { top: network.createModem() },
 * });
 * const server = await node.host("close-doc");
 * await node.close(server);
 * assert.equal(server.isOpen, false);
 * await node.host("all-doc");
 * await node.closeAll();
 * assert.deepEqual(node.servers, []);
 * await Deno.remove(node.directory, { recursive: true });
 * ```
 *
 * @example Users: manage users
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * await using node = new CryptoNet.CryptoNetNode({
 *   directory: await Deno.makeTempDir(),
 *   modems: { top: network.createModem() },
 * });
 * const server = await node.host("users-doc");
 * await node.addUser(server, "ann", "correct horse");
 * assert.equal(node.userExists(server, "ann"), true);
 * assert.equal(node.getPermissionLevel(server, "ann"), 1);
 * await node.setPermissionLevel(server, "ann", 3);
 * assert.equal(node.getPermissionLevel(server, "ann"), 3);
 * await node.setPassword(server, "ann", "battery staple");
 * assert.equal(await node.checkPassword(server, "ann", "correct horse"), false);
 * assert.equal(await node.checkPassword(server, "ann", "battery staple"), true);
 * assert.equal(await node.deleteUser(server, "ann"), true);
 * assert.equal(node.getPermissionLevel(server, "ann"), undefined);
 * await Deno.remove(node.directory, { recursive: true });
 * ```
 *
 * @example Logins: log in and out
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * await using node = new CryptoNet.CryptoNetNode({
 *   directory: await Deno.makeTempDir(),
 *   modems: { top: network.createModem(), bottom: network.createModem() },
 * });
 * const server = await node.host("login-doc", { modemSide: "top" });
 * await node.addUser(server, "eve", "let me in", 2);
 * const socket = await node.connect("login-doc", { modemSide: "bottom" });
 * assert.equal(await node.login(socket, "eve", "let me in"), true);
 * assert.equal(socket.permissionLevel, 2);
 * await node.logout(socket);
 * assert.equal(socket.username, undefined);
 * await Deno.remove(node.directory, { recursive: true });
 * ```
 *
 * @example Certificate authority: create a CA and sign a server's certificate file
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import { verifyCertificate } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * await using node = new CryptoNet.CryptoNetNode({
 *   directory: await Deno.makeTempDir(),
 *   modems: { top: network.createModem() },
 * });
 * const ca = await node.initCertificateAuthority();
 * assert.deepEqual(await node.loadCertAuthKey(), ca.publicKey);
 * await node.close(await node.host("signed-doc"));
 * const signed = await node.signCertificate("signed-doc.crt");
 * assert.equal(verifyCertificate(signed, ca.publicKey), true);
 * await Deno.remove(node.directory, { recursive: true });
 * ```
 *
 * @module
 */
export * from "./cryptonet_node.ts";
export * from "./default_node.ts";
export * from "./events.ts";
export * from "./server.ts";
export * from "./socket.ts";
