// Copyright 2026 the moonwire authors. MIT license.

/**
 * A message a {@linkcode Modem} heard on one of its open channels
 * (ComputerCraft's `modem_message` event without the side, which the
 * computer the modem is attached to adds).
 *
 * @example The shape of a received message
 * ```ts
 * import type { ModemMessage } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const message: ModemMessage = {
 *   channel: 5,
 *   replyChannel: 6,
 *   payload: new Uint8Array([1, 2, 3]),
 * };
 * assert.equal(message.distance, undefined);
 * ```
 */
export interface ModemMessage {
  /** The channel the message was sent on (0–65535). */
  channel: number;
  /** The channel the sender asked replies to go to (0–65535). */
  replyChannel: number;
  /** The bytes sent; a fresh copy for each receiver. */
  payload: Uint8Array<ArrayBuffer>;
  /** How far away the sender was, when the medium knows. */
  distance?: number;
}

/**
 * Called with each message a modem hears on an open channel.
 *
 * @example A handler that counts messages
 * ```ts
 * import type { ModemMessageHandler } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * let count = 0;
 * const handler: ModemMessageHandler = () => count++;
 * handler({ channel: 1, replyChannel: 1, payload: new Uint8Array() });
 * assert.equal(count, 1);
 * ```
 */
export type ModemMessageHandler = (message: ModemMessage) => void;

/**
 * A registration made with {@linkcode Modem.subscribe}; `close()` (or
 * `using`) removes the handler.
 *
 * @example Unsubscribe
 * ```ts
 * import { MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const modem = network.createModem();
 * const subscription = modem.subscribe(() => {});
 * subscription.close();
 * assert.ok(modem);
 * ```
 */
export interface ModemSubscription extends Disposable {
  /** Removes the handler; idempotent. */
  close(): void;
}

/**
 * A channel-based datagram medium, as ComputerCraft's modems: a modem hears
 * transmissions only on the channels it opened, never its own, and delivers
 * each at most once (the medium may lose, duplicate or reorder them).
 *
 * Implementations: {@linkcode MemoryModem} (in-process, with fault
 * injection) and {@linkcode UdpModem} (UDP multicast or a peer list).
 *
 * `close(channel)` closes one channel as in ComputerCraft; `close()` with no
 * argument closes the modem itself (all channels, subscriptions and
 * sockets), like every moonwire resource.
 *
 * @example Two modems on one in-memory network
 * ```ts
 * import { MemoryNetwork, type ModemMessage } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const a = network.createModem();
 * const b = network.createModem();
 * b.open(42);
 * const heard = Promise.withResolvers<ModemMessage>();
 * b.subscribe(heard.resolve);
 * a.transmit(42, 43, new TextEncoder().encode("hello"));
 * const message = await heard.promise;
 * assert.equal(message.replyChannel, 43);
 * assert.equal(new TextDecoder().decode(message.payload), "hello");
 * ```
 */
export interface Modem extends Disposable {
  /** The largest payload `transmit` accepts, in bytes. */
  readonly maxPayloadSize: number;
  /** Whether `close()` has been called. */
  readonly isClosed: boolean;
  /**
   * Starts hearing `channel`.
   * RangeError unless `channel` is an integer in 0–65535 or when too many
   * channels are open.
   */
  open(channel: number): void;
  /** Whether `channel` is open. RangeError for a channel outside 0–65535. */
  isOpen(channel: number): boolean;
  /**
   * With a channel: stops hearing it. Without: closes the modem (all
   * channels and subscriptions); idempotent.
   */
  close(channel?: number): void;
  /** Closes every open channel; the modem stays usable. */
  closeAll(): void;
  /**
   * Sends `payload` on `channel`, asking for replies on `replyChannel`.
   * Fire and forget: delivery is not confirmed. RangeError for a channel
   * outside 0–65535 or a payload over {@linkcode Modem.maxPayloadSize};
   * throws once the modem is closed.
   */
  transmit(
    channel: number,
    replyChannel: number,
    payload: Uint8Array,
  ): void;
  /** Calls `handler` for every message heard on an open channel. */
  subscribe(handler: ModemMessageHandler): ModemSubscription;
}
