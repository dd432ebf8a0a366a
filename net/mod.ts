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
 * | `net.open_tcp(address, port, ssl)` | `openTcp(address, port, { tls })` → `Tcp` |
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
 * - `openTcp` on an address still resolving or failed throws at once.
 * - `Tcp.write` and `Udp.send` on a closed or failed socket throw
 *   `ConnectionClosedError`; `Udp.send` returns `false` only for "busy".
 * - Read, write and receive buffers are bounded (4 MiB, 4 MiB, 1024
 *   datagrams — oldest dropped and counted in `Udp.dropped`).
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
