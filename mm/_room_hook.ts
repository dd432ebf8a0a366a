// Copyright 2026 the moonwire authors. MIT license.
// How a NATS room (mm/nats) attaches to a Server without a public API on it:
// the Server fills `roomHook.attach` in a static block, so only code that
// imports this internal file reaches its private state. The room sees every
// table the server broadcasts (encoded, before any local client gets it; it
// may refuse one by throwing) and hands relayed tables to the server's local
// clients, which never relays them again. Typed loosely (`object`) so that
// this file imports nothing and no import cycle forms.
import type { NetworkObject } from "./network_event.ts";

/** Called by `Server.broadcast` with each table, encoded, before delivery. */
export type BroadcastRelay = (encoded: Uint8Array) => void;

/** What an attached room may do with its server. */
export interface RoomAttachment {
  /**
   * Queues an encoded table (copied) for every local connection, as a
   * broadcast does, without relaying it; returns how many refused it (queue
   * full).
   */
  deliver(encoded: Uint8Array): number;
  /** Pushes an `EVENT_ERROR` about `object` on the server's event queue. */
  error(object: NetworkObject, errors: string): void;
  /** The server's `maxMessageSize`. */
  readonly maxMessageSize: number;
  /** The server's mm PSK (derived from its cipher key), if it has one. */
  readonly psk: Uint8Array | undefined;
  /** Stops relaying this server's broadcasts (idempotent). */
  detach(): void;
}

export const roomHook: {
  attach?: (server: object, relay: BroadcastRelay) => RoomAttachment;
} = {};
