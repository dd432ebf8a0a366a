// Copyright 2026 the moonwire authors. MIT license.
/**
 * Options shared by `Server` and `Client`.
 *
 * @module
 */
import type { NetworkEvents } from "./network_events.ts";

/**
 * Options for `new Server(address, port, options)` and
 * `new Client(address, port, options)`. Passing a string instead of an
 * options object is the seed's form: the string is the cipher key.
 *
 * @example Encrypted, with an isolated event hub
 * ```ts
 * import { type ConnectionOptions, NetworkEvents } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * const options: ConnectionOptions = {
 *   cipherKey: "0C03EA65238DD2C25EB87CE563868098",
 *   events: new NetworkEvents({ capacity: 10_000 }),
 *   handshakeTimeout: 2_000,
 * };
 * assert.equal(options.cipherKey?.length, 32);
 * ```
 */
export interface ConnectionOptions {
  /**
   * Hex cipher key, exactly 32 (128-bit) or 64 (256-bit) hex characters.
   * When given, traffic is encrypted (Noise NNpsk0 handshake, then
   * ChaCha20-Poly1305 records) and only peers with the same key can connect.
   */
  cipherKey?: string;
  /**
   * The hub to report events into; `NetworkEvents.default` when omitted. Any
   * hub fits whatever its `Packet` type: the hub's type is the caller's.
   */
  events?: NetworkEvents<unknown>;
  /**
   * Milliseconds allowed for connecting plus the handshake; a peer that has
   * not finished by then is disconnected.
   *
   * @default {5000}
   */
  handshakeTimeout?: number;
  /**
   * Milliseconds between keepalive checks on a quiet connection: a ping
   * (an empty frame) is sent, and a peer silent for three checks in a row
   * is disconnected with an `EVENT_ERROR`. `0` turns keepalive off.
   *
   * @default {25000}
   */
  heartbeatInterval?: number;
  /**
   * Largest encoded table, in bytes, accepted for sending and receiving.
   *
   * @default {1048576}
   */
  maxMessageSize?: number;
  /**
   * Bytes of tables that may wait per connection before `send` starts
   * reporting failures (the peer is not reading fast enough).
   *
   * @default {4194304}
   */
  maxQueuedBytes?: number;
  /**
   * Encrypted records per key before both sides rekey. Mostly for tests; the
   * default is far below any ChaCha20-Poly1305 limit.
   *
   * @default {1048576}
   */
  rekeyRecords?: number;
  /**
   * Encrypted bytes per key before both sides rekey.
   *
   * @default {1073741824}
   */
  rekeyBytes?: number;
}
