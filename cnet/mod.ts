// Copyright 2026 the moonwire authors. MIT license.
/**
 * Copper OS cNet and the CryptoNet layer under it: named, encrypted servers
 * with certificates, a certificate authority, discovery, user logins, and the
 * CTCP/CTTP request layer, over channel-based modems.
 *
 * ## Copper cNet (seed 001) and seed 000's cNet surface
 *
 * The module-level functions run on a default node ({@linkcode CNetNode.default},
 * over `CryptoNet.getDefaultNode()`); every one is also a method of
 * {@linkcode CNetNode}, so one process can run several computers (a server and
 * its clients on one `MemoryNetwork`). Timeouts are in seconds, as in Lua.
 * A `CNetNode` also carries seed 000's CryptoNet calls (`discover`,
 * `requestCertificate`, `initCertificateAuthority`, `signCertificate`, user
 * management, `login`, `logout`), so a program needs no second object; every
 * relative file path resolves against `node.directory`, made absolute when
 * the node is created.
 *
 * | Lua | TypeScript |
 * | --- | --- |
 * | `cNet.CryptoNet` | `CryptoNet` namespace; `node.cryptoNet` (its calls are also methods of `CNetNode`) |
 * | `cNet.MessageEventType.LOGIN` ... | `MessageEventType.LOGIN` (= `"login"`, the CryptoNet event name) |
 * | `cNet.CttpRequestMethod.GET` | `CttpRequestMethod.GET` (= `"GET"`) |
 * | `cNet.CttpStatus.NOT_FOUND` | `CttpStatus.NOT_FOUND` (= `{ code: 404, message: "Not Found" }`); `cttpStatusFromCode(404)` |
 * | `cNet.ModemSide.TOP` | `ModemSide.TOP` |
 * | `CttpRequest.new(method, path, header, data)` | `new CttpRequest(method, path, header?, data?)` |
 * | `CttpResponse.new(status, header, data)` | `new CttpResponse(status, header?, data?)` (`statusCode`, `statusMessage`) |
 * | `CtcpConnection.new(Socket, seq, ack)` | `new CtcpConnection(socket, seqNumber, ackNumber)` (field `socket`) |
 * | `cNet.checksum(object)` | `checksum(object)`: CRC-32 of the canonical (sorted-key) table encoding |
 * | `cNet.setup(onStart)` / `cNet.startEventLoop(onStart)` | `await setup(onStart)` / `await startEventLoop(onStart)`: resolve when the node is closed |
 * | `cNet.host(name, discoverable, hideCertificate, modemSide, certificate, privateKey, userTablePath)` | `await host(name, { discoverable, hideCertificate, modemSide, certificate, privateKey, userTablePath, allowRegistration, maxRegisteredUsers })` |
 * | `cNet.connect(name, timeout, certTimeout, certificate, modemSide, certAuthKey, allowUnsigned)` | `await connect(name, { timeout, certTimeout, certificate, modemSide, certAuthKey, allowUnsigned })` |
 * | `cNet.send(socket, message)` | `await send(socket, message)` |
 * | `cNet.connectCtcp(id, timeout, modemSide)` → connection / `nil` | `await connectCtcp(id, { timeout, modemSide })` → `CtcpConnection`; `nil` becomes a rejection with the reason (`TimeoutError`, `ConnectionClosedError`, ...) |
 * | `cNet.disconnectCtcp(connection, timeout)` → boolean | `await disconnectCtcp(connection, { timeout })` → boolean |
 * | `cNet.sendCttpRequest(connection, request, timeout)` → `response, acknowledged` | `await sendCttpRequest(connection, request, { timeout })` → `{ response, acknowledged }` (`response` is `null` for `nil`) |
 * | `cNet.connectAndSendCttpRequest(id, request, timeout, modemSide)` → `response, connected, acknowledged, disconnectAcknowledged` | `await connectAndSendCttpRequest(id, request, { timeout, modemSide })` → `{ response, connected, acknowledged, disconnectAcknowledged, error }` (`error` says why `connected` is false) |
 * | `cNet.setMessageHandler(eventType, handler)` | `setMessageHandler(eventType, handler)`: `handler(event)` gets the CryptoNet event object |
 * | `cNet.setRestApi(method, path, handler)` | `setRestApi(method, path, (args, header, data, connection) => response or value)` |
 * | `cNet.register(id, username, password, timeout, modemSide)` → integer | `await register(id, username, password, { timeout, modemSide })` → `RegisterResult` 0–5 |
 * | `cNet.login(connection, username, password)` | `await login(connectionOrSocket, username, password)` → boolean |
 * | `cNet.logout(connection)` | `await logout(connectionOrSocket)` → boolean |
 *
 * Differences from the original, each on purpose: CTCP is a real reliable,
 * ordered connection (SYN / SYN-ACK / ACK, sequence and acknowledgement
 * numbers, retransmission with capped exponential backoff, duplicate
 * suppression, FIN / FIN-ACK / ACK) over the at-most-once CryptoNet session,
 * and every buffer is bounded (reorder window, send queue, connections per
 * node, request size); CTTP routes by the longest prefix segment by segment,
 * answers 404, 500 (no error details) and 501; registration sends the
 * password only inside the encrypted session and stores a scrypt hash, and
 * can be turned off or limited per server; `register` adds code 4 (name
 * taken) and 5 (refused). Encrypted messages that are tables with a
 * `__ctcp` key are CTCP's and never reach the `encrypted_message` handler.
 *
 * ## How cnet is built
 *
 * Two faces over one core: {@linkcode CNetNode} (Copper cNet, seed 001) and
 * the `CryptoNet` namespace (seed 000) both end in the same
 * `CryptoNetNode`; neither has a second implementation of anything below it.
 *
 * ```text
 *  host, connectCtcp, setRestApi, ...       CryptoNet.host, CryptoNet.connect, ...
 *  (seed 001 functions, default node)       (seed 000 functions, default node)
 *              |                                          |
 *              v                                          |
 *  CNetNode: the one node a cNet program needs            |
 *    |- CNetNodeBase: seed 000's calls, thin,             |
 *    |  paths against the node's directory                |
 *    |- CTCP engine: handshake, sequence numbers,         |
 *    |  retransmission, windows, FIN/RST                  |
 *    |- CTCP client: its connections, one session each    |
 *    |- CTTP router: longest prefix, REST handlers        |
 *    '- registration: policy per server, register         |
 *              |                                          |
 *              v                                          v
 *  CryptoNetNode (cryptonet_node.ts): the thin face over the driver
 *    |- driver: modems by side and channel counts (_modem_table.ts),
 *    |  packet dispatch (_dispatch.ts), one real timer per session
 *    |  (_session_driver.ts, _deadline_timer.ts), connect (_connect.ts),
 *    |  hosting (_host.ts), the event hub (_event_hub.ts)
 *    |- session core, sans-I/O (_session_core.ts, _client_handshake.ts):
 *    |  Noise NK/NX handshake, records, replay window and order,
 *    |  fragmentation and reassembly, keepalive and idle deadlines
 *    |  (bytes and the clock in; packets, deadlines, events out)
 *    |- server units: discovery and certificate requests (_discovery.ts);
 *    |  user store, logins and their throttle (_user_store.ts,
 *    |  _login_exchange.ts, _login_throttle.ts); CA and key files (_files.ts)
 *    '- modems: MemoryModem (MemoryNetwork), UdpModem, NatsModem (cnet/nats)
 * ```
 *
 * The driver owns all I/O: it feeds the session core what arrives (and the
 * time), sends what the core hands back and sets its next deadline. The
 * CTCP engine rides on CryptoNet sessions as tables with a `__ctcp` key, so
 * the cNet layer needs nothing from CryptoNet but its public API.
 *
 * ## Modems
 *
 * | ComputerCraft | TypeScript |
 * | --- | --- |
 * | `peripheral.wrap(side)` | `node.getModem(side)`; attach with `node.attach(side, modem)` or the `modems` option |
 * | `modem.open(ch)` / `close(ch)` / `isOpen(ch)` / `closeAll()` | same names (channels 0–65535, RangeError otherwise); `close()` with no channel closes the modem |
 * | `modem.transmit(ch, replyCh, message)` | `modem.transmit(channel, replyChannel, payload: Uint8Array)` (payload limit, full `UdpModem` send queue: RangeError) |
 * | `os.pullEvent("modem_message")` | `modem.subscribe(handler)` → `{ channel, replyChannel, payload, distance? }`; on a node, `modem_message` events for channels opened with `node.openChannel` |
 * | (the world) | `MemoryNetwork` + `MemoryModem` (seeded loss, duplication, reordering, delay); `UdpModem` (multicast group, or a peer list of unicast addresses) |
 *
 * ## CryptoNet (seed 000)
 *
 * `CryptoNet.CryptoNetNode` is one computer; the `CryptoNet.*` functions use
 * a default node (`CryptoNet.getDefaultNode()` / `setDefaultNode`). Times
 * are in seconds, file paths relative to the node's `directory`.
 *
 * | Lua | TypeScript |
 * | --- | --- |
 * | `CryptoNet.setup(onStart)` / `startEventLoop` | `await CryptoNet.setup(onStart)`: resolves when the node closes |
 * | `CryptoNet.host(name, discoverable, hideCertificate, modemSide, certificate, privateKey, userTablePath)` | `await CryptoNet.host(name, { ... })` → `Server` |
 * | `CryptoNet.connect(name, timeout, certTimeout, certificate, modemSide, certAuthKey, allowUnsigned)` | `await CryptoNet.connect(name?, { ... })` → `Socket`; throws `TimeoutError` / `HandshakeError` |
 * | `CryptoNet.send(socket, message)` / `sendUnencrypted` | `await CryptoNet.send(socket, message)` / `await CryptoNet.sendUnencrypted(socket, message)` |
 * | `CryptoNet.discover()` | `await CryptoNet.discover({ timeout, modemSide, certAuthKey })` → `{ name, certificate, verified }[]` |
 * | `CryptoNet.requestCertificate(name)` | `await CryptoNet.requestCertificate(name, { ... })` → `{ certificate, verified }` |
 * | `CryptoNet.close(socketOrServer)` / `closeAll()` | same names (Promises) |
 * | `CryptoNet.listen()` / event handlers | `await CryptoNet.listen()`, `for await (const e of node)`, `CryptoNet.on(name, handler)` |
 * | `addUser`, `deleteUser`, `userExists`, `setPassword`, `setPermissionLevel`, `getPermissionLevel`, `checkPassword` | same names, `(server, username, ...)`; writes are Promises |
 * | `CryptoNet.login(socket, user, pass)` / `logout(socket)` | `await login(...)` → boolean (events `login` / `login_failed` on both sides); `await logout(socket)` |
 * | `initCertificateAuthority`, `signCertificate`, `loadCertAuthKey` | same names (Promises); `certAuth.key` / `certAuth_private.key` (0600) |
 *
 * Differences from the original, each on purpose: sessions are Noise
 * `NK_25519_ChaChaPoly_SHA256` (certificate known) or `NX` (certificate in
 * the server's encrypted handshake answer, then checked: name, handshake key,
 * CA signature); a hidden certificate is never sent and such servers accept
 * NK only; every transport message carries its 64-bit counter and passes a
 * 1024-message replay window; handshakes are retransmitted every 0.25 s
 * until the timeout and answered idempotently; messages larger than a modem
 * payload are fragmented (bounded reassembly); a session opens on the server
 * only with the client's first authenticated message, so a replayed
 * handshake opens nothing; sessions close after 60 s of silence (keepalives
 * every 20 s). Without a CA key an unsigned certificate is accepted only
 * when exactly one server answers (`socket.certificateVerified` is then
 * `false`); a `certAuth.key` file that exists but is broken is an error, not
 * "no verification". Passwords are scrypt hashes in a JSON user table
 * (written atomically, 0600) and travel only inside the session; failed
 * logins are delayed exponentially per socket and per user name (at most 7
 * checks per name in the first minute, then 1 per minute) and capped
 * server-wide (`maxLoginChecksPerSecond`, see `login`). Default file
 * names (`<name>.crt`, `<name>_private.key`, `<name>_users.tbl`) are only
 * derived from names without "/", "\\" or NUL that are not "." or "..", so a
 * name can never reach outside `directory` (explicit paths stay allowed).
 * Garbage, forged
 * and replayed packets are dropped and counted (`server.stats`,
 * `node.stats`). Delivery is at most once and in send order, but not
 * reliable (a lossy modem loses messages silently, as in the original);
 * CTCP is reliable: delivered, or the connection reports the failure.
 *
 * Modems passed to a node (in `modems` or with `attach`) belong to it:
 * `close()` closes them, so a program that ends with `await using` exits
 * when its work is done; `closeModems: false` keeps them open.
 *
 * @module
 */
export * from "./modem.ts";
export * from "./modem_side.ts";
export * from "./memory_network.ts";
export * from "./udp_modem.ts";
export * as CryptoNet from "./cryptonet/mod.ts";
// The message value type every cNet API carries (shared by CryptoNet and CTCP/CTTP).
export type {
  LuaFieldOf,
  LuaTable,
  LuaTableOf,
  LuaValue,
  LuaValueOf,
} from "../net/table_codec.ts";
// CryptoNet's types, also at the top level: the cNet surface (`connect`,
// `host`, `CNetNode`, handlers) takes and returns them, and `deno doc` only
// links types exported at the top level (not through the namespace).
export type {
  ChannelOptions,
  ConnectionClosedEvent,
  ConnectionOpenedEvent,
  ConnectOptions,
  CryptoNetEvent,
  CryptoNetEventHandler,
  CryptoNetEventMap,
  CryptoNetNode,
  CryptoNetNodeOptions,
  CryptoNetNodeStats,
  DiscoveredServer,
  DiscoverOptions,
  EncryptedMessageEvent,
  EventSubscription,
  HostOptions,
  InitCertificateAuthorityOptions,
  LoginEvent,
  LoginFailedEvent,
  LoginOptions,
  LogoutEvent,
  ModemMessageEvent,
  PlainMessageEvent,
  RequestCertificateOptions,
  RequestedCertificate,
  Server,
  ServerStats,
  SessionProtocol,
  SignCertificateOptions,
  Socket,
} from "./cryptonet/mod.ts";
export type { Certificate, CertificateAuthority } from "../crypto/mod.ts";
// Copper cNet (seed 001): CTCP/CTTP surface.
export * from "./message_event_type.ts";
export * from "./cttp_request_method.ts";
export * from "./cttp_status.ts";
export * from "./cttp_request.ts";
export * from "./cttp_response.ts";
export * from "./ctcp_connection.ts";
export * from "./checksum.ts";
export * from "./cnet_node.ts";
export * from "./cnet_node_base.ts";
export * from "./cnet_node_types.ts";
export * from "./register_result.ts";
export * from "./start_event_loop.ts";
export * from "./setup.ts";
export * from "./host.ts";
export * from "./connect.ts";
export * from "./send.ts";
export * from "./connect_ctcp.ts";
export * from "./disconnect_ctcp.ts";
export * from "./send_cttp_request.ts";
export * from "./connect_and_send_cttp_request.ts";
export * from "./set_message_handler.ts";
export * from "./set_rest_api.ts";
export * from "./register.ts";
export * from "./login.ts";
export * from "./logout.ts";
