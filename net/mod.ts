// Copyright 2026 the moonwire authors. MIT license.
/**
 * Sockets for Deno: the transport core (frame codec, framed connections,
 * datagram endpoints, table codec) and two socket APIs over it — Pragtical's
 * polling `net` module and Cuberite's callback `cNetwork`.
 *
 * UDP needs `--unstable-net` (or `"unstable": ["net"]` in `deno.json`).
 *
 * ## Polling API (seed: Pragtical `net`)
 *
 * Nothing blocks: work runs in the background and is polled. Lua's
 * `(value, errmsg)` returns become: status strings plus an `error` property
 * (`Address`, `Tcp`), `null` for "nothing now / ended" (`read`, `accept`,
 * `receive`), and thrown errors for misuse (bad arguments, using a closed
 * socket). Lua's blocking waits return Promises. Timeouts are milliseconds:
 * `0` checks once, `-1` waits forever.
 *
 * | Lua (Pragtical net) | moonwire |
 * | --- | --- |
 * | `net.resolve_address(host)` | `resolveAddress(host)` → `Address` |
 * | `address:get_hostname()` / `get_ip()` / `tostring(address)` | `getHostname()` / `getIp()` (`null` until resolved) / `toString()` |
 * | `address:get_status()` → `status, errmsg` | `getStatus()` → `"success" \| "waiting" \| "failure"`; message in `address.error` |
 * | `address:wait_until_resolved(timeout)` | `await waitUntilResolved(timeout)` → status |
 * | `net.get_local_addresses()` | `getLocalAddresses()` → `Address[]` |
 * | `net.open_tcp(address, port, ssl)` | `openTcp(address, port, { tls })` or `openTcp(address, port, ssl)` → `Tcp` |
 * | `tcp:read(n)` | `read(n)` → bytes, empty when nothing yet, `null` at end/error/closed |
 * | `tcp:write(data)` | `write(data)` → bytes accepted (0 while connecting or full) |
 * | `tcp:get_pending_writes()` | `getPendingWrites()` |
 * | `tcp:get_status()` / `get_address()` | `getStatus()` + `tcp.error` / `getAddress()` |
 * | `tcp:wait_until_connected(t)` / `wait_until_drained(t)` | `await waitUntilConnected(t)` / `await waitUntilDrained(t)` |
 * | `tcp:close()` | `close()`, `using`, `await using` (waits until released) |
 * | `net.open_udp(address, port)` | `openUdp(address, port)` → `Udp` (binds locally) |
 * | `udp:receive()` / `udp:send(address, port, data)` / `udp:close()` | `receive()` → `Datagram \| null` / `send(...)` → boolean / `close()` |
 * | `datagram:get_address()` / `get_data()` / `get_port()` | same names; `getData()` gives bytes |
 * | `net.create_server(address, port)` | `createServer(address \| null, port)` → `Server` |
 * | `server:accept()` / `get_port()` | `accept()` → `Tcp \| null` / `getPort()`; plus `close()` |
 * | `net.get_cacert_path()` / `set_cacert_path(path)` | `getCacertPath()` / `setCacertPath(path)` |
 *
 * Deliberate differences from the seed:
 * - TLS always verifies (Deno's roots plus the CA bundle) and fails closed,
 *   also where the seed would skip verification for lack of a bundle; only
 *   `tls: { unsafelyDisableVerification: true }` turns it off.
 * - `setCacertPath` reads and checks the file at once and throws
 *   (`NotFound`, `SyntaxError`) instead of failing later or silently.
 * - `accept()` returns `null` when no client waits, never the server itself.
 * - `openTcp` on an address still resolving or failed throws at once, and
 *   so does a port that is not 1–65535 (`RangeError`).
 * - `Tcp.write` and `Udp.send` on a closed or failed socket throw
 *   `ConnectionClosedError`; `Udp.send` returns `false` only for "busy".
 * - Read, write and receive buffers are bounded (4 MiB, 4 MiB, 1024
 *   datagrams — oldest dropped and counted in `Udp.dropped`), and so is
 *   the datagram send queue (`maxPendingSends` 64, `maxPendingBytes`
 *   4 MiB): beyond it `Udp.send` and `UdpEndpoint.send` return `false`.
 * - Datagrams a socket accepted (`Udp.send` and `UdpEndpoint.send` returned
 *   `true`) leave in call order, and `close()` hands them all to the socket
 *   before closing it.
 *
 * ## Callback API (seed: Cuberite `cNetwork`)
 *
 * Work runs in the background and reports through plain objects of
 * callbacks (camelCase keys). No callback runs inside the call that starts
 * the work, except a bind failure of `listen`/`createUdpEndpoint`, which
 * calls `onError` before returning (as Cuberite does). Every link gets
 * exactly one terminal callback (`onRemoteClosed` or `onError`) and none
 * after a local `close()`; `onAccepted` precedes the link's data. The `code`
 * of `onError` is an errno-style code (`ECONNREFUSED`, `EADDRINUSE`,
 * `ENOTFOUND`) or an error class name (`TimeoutError`, `NotFound`). An
 * exception thrown by a callback is reported with `reportError` (uncaught)
 * and does not disturb the link.
 *
 * | Lua (Cuberite cNetwork) | moonwire |
 * | --- | --- |
 * | `cNetwork:Connect(host, port, LinkCallbacks)` → bool | `connect(host, port, callbacks, { timeout })` → boolean |
 * | `cNetwork:Listen(port, ListenCallbacks)` → `cServerHandle` | `listen(port, callbacks, { hostname })` → `ServerHandle` |
 * | `cNetwork:HostnameToIP(host, LookupCallbacks)` | `hostnameToIp(host, callbacks, { nameServer, timeout })` → boolean |
 * | `cNetwork:IPToHostname(ip, LookupCallbacks)` | `ipToHostname(ip, callbacks, { nameServer, timeout })` → boolean |
 * | `cNetwork:CreateUDPEndpoint(port, UDPCallbacks)` | `createUdpEndpoint(port, callbacks, { hostname })` → `UdpEndpoint` |
 * | `cNetwork:EnumLocalIPAddresses()` | `enumLocalIpAddresses()` → `string[]` |
 * | `OnConnected` / `OnError` / `OnReceivedData` / `OnRemoteClosed` | `onConnected(link)` / `onError(link, code, message)` / `onReceivedData(link, bytes)` / `onRemoteClosed(link)` |
 * | `OnIncomingConnection` / `OnAccepted` / `OnError` (listen) | `onIncomingConnection(ip, port, localPort)` → callbacks or `null` / `onAccepted(link)` / `onError(code, message)` |
 * | `OnNameResolved` / `OnFinished` / `OnError` (lookups) | `onNameResolved(hostname, ip)` / `onFinished(query)` / `onError(query, code, message)` |
 * | `OnReceivedData` / `OnError` (UDP) | `onReceivedData(endpoint, bytes, remoteHost, remotePort)` / `onError(code, message)` |
 * | `cTCPLink:Send(data)` | `send(bytes \| string)` → boolean |
 * | `cTCPLink:Shutdown()` / `Close()` | `shutdown()` (flush, then half-close) / `close()` (at once) |
 * | `cTCPLink:StartTLSClient(cert, key, password)` | `startTlsClient({ ownCert, ownPrivateKey, ownPrivateKeyPassword, caCerts, serverName })` |
 * | `cTCPLink:StartTLSServer(cert, key, password, startData)` | `startTlsServer(certPem, keyPem, { ownPrivateKeyPassword, startData })` |
 * | `cTCPLink:GetLocalIP()` / `GetLocalPort()` / `GetRemoteIP()` / `GetRemotePort()` | `getLocalIp()` / `getLocalPort()` / `getRemoteIp()` / `getRemotePort()` |
 * | `cServerHandle:Close()` / `IsListening()` | `close()` / `isListening()`; plus `getPort()`, `closed` |
 * | `cUDPEndpoint:Send(data, host, port)` / `Close()` / `IsOpen()` / `GetPort()` / `EnableBroadcasts()` | `send(...)` → boolean / `close()` / `isOpen()` / `getPort()` / `enableBroadcasts()` |
 *
 * Deliberate differences from the seed:
 * - Argument errors throw at once: `TypeError` for wrong types and callbacks
 *   that are not functions, `RangeError` for `listen` ports outside
 *   0–65535. `connect` returns `false` for a bad port value (0, negative,
 *   above 65535, not an integer) as the seed says; otherwise `false` is
 *   returned only for a malformed host or address string.
 * - TLS verifies the peer's certificate and name by default and fails
 *   closed. A failed handshake — bad certificate, the peer hanging up
 *   mid-handshake, no answer within `timeout` (5 s) — reaches `onError`,
 *   never a stall; `unsafelyDisableVerification: true` is the explicit
 *   opt-out.
 * - `ServerHandle.close()` ends each open link with one
 *   `onError(link, "ECONNABORTED", ...)` (its peer did not close it), flushes
 *   what the link queued, then closes it.
 * - A link's send queue is bounded (`maxQueuedBytes`, default 4 MiB): a send
 *   past it fails the link with `onError` code `ENOBUFS` rather than
 *   buffering without limit; `pendingBytes` shows the queue.
 * - `listen` and `createUdpEndpoint` bind `0.0.0.0` by default, like
 *   Cuberite but IPv4 only; pass `hostname: "127.0.0.1"` for loopback.
 * - `ipToHostname` reports the numeric address as the name when there is
 *   none (`onNameResolved(ip, ip)`). Lookups use the system resolver (hosts
 *   file included); `nameServer` asks one DNS server for A+AAAA or PTR.
 * - Additions: `ServerHandle.getPort()`, `closed` promises on links, servers
 *   and endpoints, `TcpLink.pendingBytes`, `using` support.
 *
 * Deno gaps and how they are covered:
 * - `Deno.startTls` is client-only and takes no client certificate, so TLS
 *   on a link runs through `node:tls` over the link's byte stream: server
 *   STARTTLS (`startTlsServer`) and client certificates work on Deno 2.9.6.
 *   `node:tls` on Deno does not check PEM when it is given, so moonwire
 *   checks its shape (`SyntaxError`).
 * - Deno sets `SO_BROADCAST` on every UDP socket and cannot clear it, so
 *   moonwire enforces `enableBroadcasts()` itself: before it, a send to a
 *   broadcast address reports `onError` code `EACCES`.
 * - Deno's DNS client answers PTR queries for 127.0.0.0/8 itself
 *   (`localhost`), even when a `nameServer` is given.
 *
 * @example Errors are typed
 * ```ts
 * import { TimeoutError } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new TimeoutError("Cannot connect").name, "TimeoutError");
 * ```
 *
 * @module
 */
export * from "./errors.ts";
export * from "./stream_socket.ts";
export * from "./address.ts";
export * from "./get_local_addresses.ts";
export * from "./tcp.ts";
export * from "./udp.ts";
export * from "./datagram.ts";
export * from "./server.ts";
export * from "./cacert_path.ts";
export * from "./frame_codec.ts";
export * from "./table_codec.ts";
export * from "./datagram_endpoint.ts";
export * from "./framed_connection.ts";
export * from "./connect.ts";
export * from "./listen.ts";
export * from "./hostname_to_ip.ts";
export * from "./ip_to_hostname.ts";
export * from "./enum_local_ip_addresses.ts";
export * from "./tcp_link.ts";
export * from "./server_handle.ts";
export * from "./create_udp_endpoint.ts";
export * from "./udp_endpoint.ts";
