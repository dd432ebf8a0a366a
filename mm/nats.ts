// Copyright 2026 the moonwire authors. MIT license.
/**
 * mm across servers on NATS: {@linkcode NatsRoom} puts several mm
 * {@linkcode Server}s — other processes, other machines — in one room, so
 * that `broadcast()` on any of them reaches every client of every server in
 * the room exactly once, each server's tables in the order it broadcast
 * them. `send()` to a connection stays local. This is the only mm entry
 * point that imports the NATS client (`@nats-io/transport-node`);
 * `@moonwire/moonwire/mm` never does.
 *
 * | mm | NATS |
 * | --- | --- |
 * | a room | subject `<prefix>.<room>` (default prefix `"moonwire.mm"`) |
 * | `server.broadcast(table)` | local clients, and one NATS message per tick of broadcasts: 24-byte header (`"R"`, version 1, kind, flags, origin id, message number, sequence, count) + each table as u32 length + bytes |
 * | a cipher key | the body sealed with ChaCha20-Poly1305 (HKDF label `"moonwire mm nats room v1"`), nonce origin id ‖ message number |
 * | a relayed table | handed to the local clients, never relayed again |
 * | lost on the bus | `EVENT_ERROR` with the count, `room.stats.missed` (gaps in an origin's sequence; heartbeats every second find a lost last one) |
 * | NATS connection down | broadcasts held and published after the reconnect; the disconnect is an `EVENT_ERROR` |
 *
 * Ownership: `NatsRoom.join(server, { servers, room })` owns the connection
 * it opens (`close()` closes it); `new NatsRoom(server, connection, {
 * room })` uses the caller's connection and leaves it open. Room events go
 * to the server's event queue with the room as `object`.
 *
 * @example Three servers, one audience (skipped where no NATS server runs)
 * ```ts ignore
 * import { Server } from "@moonwire/moonwire/mm";
 * import { NatsRoom } from "@moonwire/moonwire/mm/nats";
 *
 * const cipherKey = "0C03EA65238DD2C25EB87CE563868098";
 * await using server = new Server("0.0.0.0", 4096, { cipherKey });
 * await using room = await NatsRoom.join(server, {
 *   servers: ["nats://node-a:4222", "nats://node-b:4222"],
 *   room: "lobby",
 * });
 * // Every client of every server in "lobby" gets it; the bus sees ciphertext.
 * server.broadcast({ OpCode: 10, Data: "Hello everyone" });
 * console.log(room.stats.missed); // 0 unless the bus lost some
 * ```
 *
 * @module
 */
export * from "./nats_room.ts";
export type {
  NatsConnectOptions,
  NatsStatus,
  NatsStatusHandler,
} from "../net/_nats_connection.ts";
// The server a room relays for and what it refers to, so this entry point's
// documentation is complete.
export type { Server } from "./server.ts";
export type { ClientConnection } from "./client_connection.ts";
export type { NetworkObject } from "./network_event.ts";
export type { LuaTable, LuaValue } from "../net/table_codec.ts";
