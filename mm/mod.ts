// Copyright 2026 the moonwire authors. MIT license.
/**
 * Macro Monkey table messaging: a server and clients that exchange Lua-style
 * tables over TCP, optionally encrypted with a 128- or 256-bit cipher key,
 * with events collected by polling.
 *
 * ## Lua → TypeScript
 *
 * | Macro Monkey (Lua) | moonwire (TypeScript) |
 * | --- | --- |
 * | `obj, result = network.Server(address, [port], [cypherkey])` | `new Server(address, port?, cipherKey \| options?)` — throws instead of returning `nil, result` |
 * | `server:Send(table, connection...)` | `server.send(table, ...connections)` → success count |
 * | `server:Broadcast(table)` | `server.broadcast(table)` → count |
 * | `server:Disconnect(connection...)` | `server.disconnect(...connections)` → count |
 * | `server:ConnectionCount()` | `server.connectionCount()` |
 * | `server:GetSocket()` / `GetPort()` / `GetAddress()` | `server.getSocket()` / `getPort()` (real port when 0 was asked) / `getAddress()` |
 * | — | `await server.close()` |
 * | `obj, result = network.Client(address, port, [cypherkey])` | `new Client(address, port, cipherKey \| options?)` — connects in the background |
 * | `client:Send(table)` | `client.send(table)` → boolean |
 * | `client:Disconnect()` | `await client.disconnect()` |
 * | `bResult, WaitTime = client:WaitForConnect([timeout])` | `const { ok, waitTime } = await client.waitForConnect(timeout?)` (seconds, 0.25–10, default 2); when `ok` is false the result also has `error`, the reason |
 * | `client:GetSocket()` / `GetPort()` / `GetAddress()` | `client.getSocket()` / `getPort()` (`null` before connected) / `getAddress()` |
 * | `ClientConnection:GetSocket()` / `GetPort()` / `GetAddress()` | `connection.getSocket()` / `getPort()` / `getAddress()` |
 * | `table = network.PollEvents()` | `pollEvents()` (default hub) or `events.poll()`; also `for await (const event of events)` |
 * | `.Event`, `.Timestamp`, `.Object`, `.Errors`, `.Packet`, `.Result` | `event`, `timestamp` (ms, `Date.now()`), `object`, `errors` (`""` when none), `packet`, `result` |
 * | `network.EVENT_CONNECT` … `network.EVENT_ERROR` | `EVENT_CONNECT`, `EVENT_CONNECTED`, `EVENT_RECEIVE`, `EVENT_SERVER_CLOSE`, `EVENT_CLIENT_CLOSE`, `EVENT_ERROR` |
 *
 * Bad arguments — a port outside 1024–65535 (0 or omitted is allowed for a
 * server), a cipher key that is not exactly 32 or 64 hex characters, a value
 * that is not a table (array, plain object or `Map` of null, booleans,
 * numbers, strings, byte strings and tables) — throw `TypeError`,
 * `RangeError` or `SyntaxError` before any socket is opened or byte is sent.
 * Sending to a closed or unknown connection is not an error; it counts as a
 * failed send.
 *
 * ## Typed messages
 *
 * Tables may be interfaces or type aliases, no index signature needed: they
 * are checked structurally ({@linkcode LuaTableOf}), so a field that is a
 * function, `Date`, `bigint`, `symbol` or class instance does not compile.
 * `undefined` is Lua's `nil`: an `undefined` (or missing optional) field is
 * absent on the other side, an `undefined` array item or hole arrives as
 * `null`. Type the tables each side sends, and the hub with what it
 * receives:
 *
 * ```ts
 * import { Client, EVENT_RECEIVE, NetworkEvents, Server } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * interface Chat {
 *   text: string;
 *   to?: string;
 * }
 * interface Ack {
 *   ok: boolean;
 * }
 * const events = new NetworkEvents<Chat | Ack>();
 * await using server = new Server<Ack, Chat>("127.0.0.1", 0, { events });
 * await using client = new Client<Chat, Ack>("127.0.0.1", server.getPort(), { events });
 * client.send({ text: "hi" }); // client.send({ ok: true }) does not compile
 * for await (const event of events) {
 *   if (event.event !== EVENT_RECEIVE) continue;
 *   assert.deepEqual(event.packet, { text: "hi" });
 *   break;
 * }
 * ```
 *
 * The types are a promise, not a check: the decoder guarantees a
 * well-formed table, never your shape, so validate tables from peers you do
 * not trust.
 *
 * ## Delivery guarantee
 *
 * A table is *accepted* when its send says so: `client.send` returned
 * `true`, or the connection was counted in what `server.send` /
 * `server.broadcast` returned. An accepted table is delivered exactly once
 * and in send order (per connection and direction), however the program
 * yields between sends — or its connection reports a failure:
 *
 * - on the client, `EVENT_CONNECTED` with `result: false` (the connection
 *   never came up: tables queued before it are lost) or `EVENT_SERVER_CLOSE`
 *   (preceded by `EVENT_ERROR` when an error ended it);
 * - on the server, `EVENT_CLIENT_CLOSE` (preceded by `EVENT_ERROR` when an
 *   error ended it).
 *
 * Tables not yet written when a connection fails are lost with it; the
 * event is the report. A graceful close — `client.disconnect()`,
 * `server.disconnect(connection)`, `server.close()` — first delivers
 * everything accepted before it, then sends the close record (see the wire
 * format below), and only then does the peer get its clean close event
 * (`errors` `""`). A stream that ends without it — the peer's process
 * died, the network cut it, someone reset it, or the 2 s a graceful close
 * waits for a peer that takes nothing ran out — is an `EVENT_ERROR`
 * `Cannot read from <address>:<port>: connection ended without close
 * record`, then the close event with the same `errors` (other failures,
 * such as a modified record or a silent peer, have their own text).
 * A graceful close by the peer while this end still has accepted tables
 * that were not written yet (the peer reads nothing more once it closes)
 * is not clean either: `EVENT_ERROR` `Cannot send to <address>:<port>: peer
 * closed with N tables not delivered`, then the close event with the same
 * `errors`. Sends are accepted (and counted in N) until that close event.
 * A send that is not accepted (`false`, or not counted:
 * closed or unknown connection, full `maxQueuedBytes` or
 * `maxServerQueuedBytes`) sends nothing of that table.
 *
 * ## Across servers
 *
 * `@moonwire/moonwire/mm/nats` exports `NatsRoom`: several `Server`s (other
 * processes, other machines) join one room on NATS, and `broadcast()` on any
 * of them reaches every client of every server once, in each origin's order;
 * `send()` stays local. With a cipher key the relayed tables are sealed;
 * tables the bus lost are reported as `EVENT_ERROR` with counts. Only that
 * entry point loads the NATS client (README, "Scaling out").
 *
 * ## Deliberate differences from Macro Monkey
 *
 * - **No garbage-collection close.** The seed closes a `ClientConnection`
 *   whose object is collected; moonwire keeps every connection open until
 *   `server.disconnect()`, `server.close()` or the client leaves.
 * - **Own wire format (version 2).** Frames (u32 length + payload). Each
 *   side first sends a hello: `"mmw"`, the protocol version (2), the mode
 *   (0 plaintext, 1 encrypted). With a cipher key a
 *   `Noise_NNpsk0_25519_ChaChaPoly_SHA256` handshake follows (prologue
 *   `"moonwire mm v2 NNpsk0"`, PSK derived from the key with HKDF-SHA256,
 *   label `"moonwire mm v2 psk"`). Then records: a msgpack array32 of the
 *   tables sent in one tick, sealed with ChaCha20-Poly1305 and counter
 *   nonces when encrypted (rekeyed every 2^20 records or 2^30 bytes; the
 *   runtime's ChaCha20-Poly1305 is 2–3× faster here than its AES-GCM for
 *   bulk records, and costs nothing more for small ones). A graceful close
 *   ends with the close record, an array32 of no tables (`dd 00 00 00 00`,
 *   sealed like every other record), then the end of stream; a receiver
 *   reports a clean close only after it, and a record after it is an
 *   `EVENT_ERROR` (`Cannot read from <address>:<port>: data after close
 *   record`). A peer of another version (version 1 had no close record) is
 *   refused in the handshake: `Cannot complete handshake with
 *   <address>:<port>: peer speaks mm protocol version 1, this end speaks
 *   version 2`. It does not talk to the original Macro Monkey program.
 * - **Authenticated end (with a cipher key).** The sealed close record is
 *   the only way to end a connection cleanly: a stream truncated at a record
 *   boundary, or ended by an injected FIN or RST, is an `EVENT_ERROR`, and a
 *   forged (plaintext) close record fails authentication. Without a cipher
 *   key the close record is sent too, so an honest end is still told from a
 *   cut, but it proves nothing: anyone on the path can forge it, and a
 *   plaintext clean close is no more than the peer's word.
 * - **Fail-closed crypto.** A peer with the wrong key, or a key on one side
 *   only, is refused with an `EVENT_ERROR` on both sides and never sees or
 *   injects a table; a modified, replayed, reordered or truncated record, or
 *   a stream cut before the close record, ends the connection with an
 *   `EVENT_ERROR`; a handshake not finished
 *   within `handshakeTimeout` (5 s) is closed.
 * - **Bounded handshakes.** Until its handshake is done a peer may send
 *   frames of at most 1 KiB (an oversize header is an `EVENT_ERROR` at
 *   once, nothing allocated), and a server has at most `maxHandshakes` (256)
 *   accepted connections mid-handshake; further clients wait in the listen
 *   backlog, not refused, until one finishes.
 * - **Events, also as an async iterator.** Besides the global poll, each
 *   server or client can report into its own {@linkcode NetworkEvents} hub,
 *   and a hub can be consumed with `for await`. The queue keeps 2000 events
 *   by default (configurable); when it overflows the oldest are dropped,
 *   `droppedCount` goes up and the next poll begins with an `EVENT_ERROR`
 *   (object `null`) — never silently.
 * - **Coalescing.** Tables sent in the same tick to one connection travel in
 *   one record (one AEAD operation, one write).
 * - **Heartbeat.** A quiet connection is pinged every 25 s
 *   (`heartbeatInterval`); a peer silent for three intervals is disconnected
 *   with an `EVENT_ERROR`, so half-open connections do not linger.
 * - **Backpressure.** Each connection queues at most `maxQueuedBytes` (4 MiB)
 *   of unsent tables, and a server's connections together at most
 *   `maxServerQueuedBytes` (64 MiB, an `EVENT_ERROR` when it fills, again
 *   only after it drained to half); beyond that `send` reports failure instead of growing
 *   memory without bound.
 * - **Connection cap.** A server keeps at most `maxConnections` (1024)
 *   connections, handshakes included; a peer beyond that is closed at once
 *   and the server reports an `EVENT_ERROR` naming it.
 * - **Local closes are quiet.** `server.disconnect()` and
 *   `client.disconnect()` produce no close event on the side that called
 *   them; the other side gets `EVENT_CLIENT_CLOSE`/`EVENT_SERVER_CLOSE`.
 *
 * @example A server, a client and one table each way
 * ```ts
 * import {
 *   Client,
 *   type ClientConnection,
 *   EVENT_CONNECT,
 *   EVENT_RECEIVE,
 *   NetworkEvents,
 *   Server,
 * } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * const key = "0C03EA65238DD2C25EB87CE563868098";
 * const events = new NetworkEvents();
 * await using server = new Server("127.0.0.1", 0, { cipherKey: key, events });
 * await using client = new Client("127.0.0.1", server.getPort(), {
 *   cipherKey: key,
 *   events,
 * });
 * for await (const event of events) {
 *   if (event.event === EVENT_CONNECT) {
 *     server.send(["Hello Client"], event.object as ClientConnection);
 *   } else if (event.event === EVENT_RECEIVE) {
 *     assert.equal(event.object, client);
 *     assert.deepEqual(event.packet, ["Hello Client"]);
 *     break;
 *   }
 * }
 * ```
 *
 * @module
 */
export * from "./network_event.ts";
export * from "./network_events.ts";
export * from "./poll_events.ts";
export * from "./connection_options.ts";
export * from "./server.ts";
export * from "./client.ts";
export * from "./client_connection.ts";
export type {
  LuaFieldOf,
  LuaTable,
  LuaTableOf,
  LuaValue,
  LuaValueOf,
} from "../net/table_codec.ts";
