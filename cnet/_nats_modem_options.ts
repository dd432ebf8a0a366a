// Copyright 2026 the moonwire authors. MIT license.
// NatsModem's public constants, option and counter types, and the option
// checks; nats_modem.ts re-exports the public ones.
import type {
  NatsConnectOptions,
  NatsStatusHandler,
} from "../net/_nats_connection.ts";
import { NATS_SUBJECT } from "../net/_nats_connection.ts";
import { checkMaxOpenChannels } from "./_modem_channels.ts";

/**
 * Bytes NatsModem puts before each payload: `"N"` (0x4e), version 1, the
 * reply channel (big-endian u16) and the sender's random 8-byte id.
 *
 * @example The header's size
 * ```ts
 * import { NATS_MODEM_HEADER_LENGTH } from "@moonwire/moonwire/cnet/nats";
 * import assert from "node:assert/strict";
 *
 * assert.equal(NATS_MODEM_HEADER_LENGTH, 12);
 * ```
 */
export const NATS_MODEM_HEADER_LENGTH = 12;

/**
 * The subject prefix of a {@linkcode NatsModem} unless one is given.
 *
 * @example Channel 7's subject
 * ```ts
 * import { DEFAULT_NATS_MODEM_PREFIX } from "@moonwire/moonwire/cnet/nats";
 * import assert from "node:assert/strict";
 *
 * assert.equal(`${DEFAULT_NATS_MODEM_PREFIX}.7`, "moonwire.cnet.7");
 * ```
 */
export const DEFAULT_NATS_MODEM_PREFIX = "moonwire.cnet";

/**
 * Options for a {@linkcode NatsModem}, however it is created.
 *
 * @example A game's own subjects and a status log
 * ```ts
 * import type { NatsModemOptions } from "@moonwire/moonwire/cnet/nats";
 * import assert from "node:assert/strict";
 *
 * const options: NatsModemOptions = {
 *   prefix: "game.cnet",
 *   maxOpenChannels: 16,
 *   onStatus: (status) => console.error(`nats: ${status.type}`),
 * };
 * assert.equal(options.prefix, "game.cnet");
 * ```
 */
export interface NatsModemOptions {
  /**
   * Subject prefix: channel N is the subject `<prefix>.N` (default
   * `"moonwire.cnet"`). Modems hear each other only with the same prefix.
   */
  prefix?: string;
  /** Most channels open at once (default 128, as ComputerCraft). */
  maxOpenChannels?: number;
  /**
   * Largest payload `transmit` accepts; never more than the server's
   * `max_payload` less the 12-byte header (default: that).
   */
  maxPayloadSize?: number;
  /**
   * Bytes of transmissions (header included) the modem holds while its
   * connection is down, to publish after the reconnect; `transmit` throws a
   * `RangeError` beyond. 0 holds nothing (default 4 MiB).
   */
  maxPendingBytes?: number;
  /**
   * Called with each change of the connection's state (disconnect,
   * reconnecting, reconnect, stale, lameDuck, error, close) while the modem
   * is open.
   */
  onStatus?: NatsStatusHandler;
}

/**
 * Options for {@linkcode NatsModem.connect}: the modem's and the
 * connection's.
 *
 * @example Credentials and a slower ping
 * ```ts
 * import type { NatsModemConnectOptions } from "@moonwire/moonwire/cnet/nats";
 * import assert from "node:assert/strict";
 *
 * const options: NatsModemConnectOptions = {
 *   user: "cnet",
 *   pass: "secret",
 *   pingInterval: 5000,
 * };
 * assert.equal(options.maxPingOut, undefined); // default 2
 * ```
 */
export interface NatsModemConnectOptions
  extends NatsModemOptions, NatsConnectOptions {
  /**
   * Aborts the connect: it rejects at once with a DOMException named
   * "AbortError" (`Cannot connect NATS modem: aborted`, the signal's reason
   * as `cause`), without connecting when the signal has already fired; a
   * connection that opens later is closed at once.
   */
  signal?: AbortSignal;
}

/**
 * Counters of a {@linkcode NatsModem}.
 *
 * @example Read the counters
 * ```ts
 * import type { NatsModemStats } from "@moonwire/moonwire/cnet/nats";
 * import assert from "node:assert/strict";
 *
 * const stats: NatsModemStats = { sent: 3, delivered: 2, dropped: 0, lost: 0 };
 * assert.equal(stats.sent - stats.lost, 3);
 * ```
 */
export interface NatsModemStats {
  /** Messages handed to the NATS client. */
  sent: number;
  /** Messages received and delivered on an open channel. */
  delivered: number;
  /** Messages dropped: not a modem's (bad header), or this modem's own. */
  dropped: number;
  /**
   * Transmissions accepted while the connection was down that never reached
   * the client: the modem or the connection closed first, or the client
   * refused them after the reconnect.
   */
  lost: number;
}

/** The options, checked, with their defaults. */
export function checkOptions(options: NatsModemOptions): {
  prefix: string;
  maxOpen: number;
  maxPayload: number;
  maxPending: number;
} {
  const prefix = options.prefix ?? DEFAULT_NATS_MODEM_PREFIX;
  if (typeof prefix !== "string") {
    throw new TypeError(
      `Cannot create NATS modem: prefix must be a string, got ${typeof prefix}`,
    );
  }
  if (!NATS_SUBJECT.test(prefix)) {
    throw new SyntaxError(
      `Cannot create NATS modem: prefix ${
        JSON.stringify(prefix)
      } is not a subject (letters, digits, "_" and "-" in tokens separated by ".")`,
    );
  }
  const maxOpen = checkMaxOpenChannels(
    "create NATS modem",
    options.maxOpenChannels ?? 128,
  );
  const maxPayload = options.maxPayloadSize ?? Infinity;
  if (
    maxPayload !== Infinity && (!Number.isInteger(maxPayload) || maxPayload < 1)
  ) {
    throw new RangeError(
      `Cannot create NATS modem: maxPayloadSize ${maxPayload} is not a positive integer`,
    );
  }
  const maxPending = options.maxPendingBytes ?? 4 * 1024 * 1024;
  if (!Number.isInteger(maxPending) || maxPending < 0) {
    throw new RangeError(
      `Cannot create NATS modem: maxPendingBytes ${maxPending} is not a non-negative integer`,
    );
  }
  if (
    options.onStatus !== undefined && typeof options.onStatus !== "function"
  ) {
    throw new TypeError(
      "Cannot create NATS modem: onStatus must be a function",
    );
  }
  return { prefix, maxOpen, maxPayload, maxPending };
}
