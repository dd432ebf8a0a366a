// Copyright 2026 the moonwire authors. MIT license.
import { checkMaxOpenChannels, ModemChannels } from "./_modem_channels.ts";
import { mulberry32 } from "./_prng.ts";
import type {
  Modem,
  ModemMessage,
  ModemMessageHandler,
  ModemSubscription,
} from "./modem.ts";

/** Options for {@linkcode MemoryNetwork}. */
export interface MemoryNetworkOptions {
  /**
   * Seed of the fault-injection PRNG, so a faulty run can be repeated
   * (default: random).
   */
  seed?: number;
  /** Probability (0–1) that a delivery to one receiver is lost (default 0). */
  loss?: number;
  /** Probability (0–1) that a delivery is made twice (default 0). */
  duplication?: number;
  /**
   * Probability (0–1) that a delivery is held back until the next delivery
   * to the same modem (or `reorderDelay` ms), so it is overtaken (default 0).
   */
  reordering?: number;
  /** Longest hold-back of a reordered delivery in ms (default 5). */
  reorderDelay?: number;
  /**
   * Delivery delay in ms: a number, or `{ min, max }` for a uniform random
   * delay (default 0: delivered in a microtask, in order).
   */
  delay?: number | { min: number; max: number };
  /** Largest payload a modem on this network transmits (default 65535). */
  maxPayloadSize?: number;
}

/** Options for {@linkcode MemoryNetwork.createModem}. */
export interface MemoryModemOptions {
  /** Most channels open at once (default 128, as ComputerCraft). */
  maxOpenChannels?: number;
  /** Reported as `distance` on messages this modem receives. */
  distance?: number;
}

/** Counters of a {@linkcode MemoryNetwork}, for tests and simulations. */
export interface MemoryNetworkStats {
  /** `transmit` calls. */
  transmitted: number;
  /** Messages handed to a receiving modem. */
  delivered: number;
  /** Deliveries dropped by the loss rate. */
  lost: number;
  /** Extra deliveries made by the duplication rate. */
  duplicated: number;
  /** Deliveries held back by the reordering rate. */
  reordered: number;
}

interface NetworkInternals {
  add(modem: MemoryModem): void;
  remove(modem: MemoryModem): void;
  transmit(
    from: MemoryModem,
    channel: number,
    replyChannel: number,
    payload: Uint8Array,
  ): void;
  readonly maxPayloadSize: number;
}

const internals = new WeakMap<MemoryNetwork, NetworkInternals>();
const receivers = new WeakMap<MemoryModem, (message: ModemMessage) => void>();

function checkRate(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw new RangeError(
      `Cannot create memory network: ${name} ${value} is not in 0-1`,
    );
  }
  return value;
}

function checkMs(name: string, value: number): number {
  if (typeof value !== "number" || !(value >= 0 && value <= 60_000)) {
    throw new RangeError(
      `Cannot create memory network: ${name} ${value} is not in 0-60000 ms`,
    );
  }
  return value;
}

/**
 * An in-process medium for {@linkcode MemoryModem}s: every modem on the
 * network hears every transmission on the channels it has open (never its
 * own). The embedded default for tests, examples and simulations, with
 * seeded fault injection: loss, duplication, reordering and delay.
 *
 * Without delay, deliveries happen in a microtask, in transmission order.
 * `close()` closes every modem and cancels pending deliveries.
 *
 * @example A lossy, reordering network for a simulation
 * ```ts
 * import { MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork({ seed: 7, loss: 0.5 });
 * const sender = network.createModem();
 * const receiver = network.createModem();
 * receiver.open(1);
 * let heard = 0;
 * receiver.subscribe(() => heard++);
 * for (let i = 0; i < 100; i++) sender.transmit(1, 1, new Uint8Array([i]));
 * await new Promise((resolve) => setTimeout(resolve, 10));
 * assert.ok(heard > 20 && heard < 80);
 * assert.equal(network.stats.lost, 100 - heard);
 * ```
 */
export class MemoryNetwork implements Disposable {
  readonly #modems = new Set<MemoryModem>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #held = new Map<
    MemoryModem,
    { messages: ModemMessage[]; timer: ReturnType<typeof setTimeout> }
  >();
  readonly #random: () => number;
  readonly #loss: number;
  readonly #duplication: number;
  readonly #reordering: number;
  readonly #reorderDelay: number;
  readonly #delay: { min: number; max: number };
  readonly #maxPayloadSize: number;
  readonly #stats: MemoryNetworkStats = {
    transmitted: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    reordered: 0,
  };
  #closed = false;

  /**
   * Creates a network.
   *
   * @param options Fault injection and limits; all faults default to off.
   */
  constructor(options: MemoryNetworkOptions = {}) {
    this.#loss = checkRate("loss", options.loss);
    this.#duplication = checkRate("duplication", options.duplication);
    this.#reordering = checkRate("reordering", options.reordering);
    this.#reorderDelay = checkMs("reorderDelay", options.reorderDelay ?? 5);
    const delay = options.delay ?? 0;
    this.#delay = typeof delay === "number"
      ? { min: checkMs("delay", delay), max: delay }
      : {
        min: checkMs("delay.min", delay.min),
        max: checkMs("delay.max", delay.max),
      };
    if (this.#delay.max < this.#delay.min) {
      throw new RangeError(
        `Cannot create memory network: delay.max ${this.#delay.max} is below delay.min ${this.#delay.min}`,
      );
    }
    const max = options.maxPayloadSize ?? 65535;
    if (!Number.isInteger(max) || max < 1 || max > 16 * 1024 * 1024) {
      throw new RangeError(
        `Cannot create memory network: maxPayloadSize ${max} is not in 1-16777216`,
      );
    }
    this.#maxPayloadSize = max;
    const seed = options.seed ?? crypto.getRandomValues(new Uint32Array(1))[0];
    this.#random = mulberry32(seed);
    internals.set(this, {
      add: (modem) => void this.#modems.add(modem),
      remove: (modem) => void this.#modems.delete(modem),
      transmit: (from, channel, replyChannel, payload) =>
        this.#transmit(from, channel, replyChannel, payload),
      maxPayloadSize: max,
    });
  }

  /** The largest payload a modem on this network transmits. */
  get maxPayloadSize(): number {
    return this.#maxPayloadSize;
  }

  /** A snapshot of the network's counters. */
  get stats(): MemoryNetworkStats {
    return { ...this.#stats };
  }

  /** Whether `close()` has been called. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Creates a modem on this network.
   *
   * @param options Channel limit and reported distance.
   * @returns A new open modem.
   */
  createModem(options: MemoryModemOptions = {}): MemoryModem {
    return new MemoryModem(this, options);
  }

  /** Closes every modem and cancels pending deliveries; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#held.clear();
    for (const modem of [...this.#modems]) modem.close();
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #transmit(
    from: MemoryModem,
    channel: number,
    replyChannel: number,
    payload: Uint8Array,
  ): void {
    this.#stats.transmitted++;
    // Copy once at send time so later changes by the sender do not leak in.
    const bytes = payload.slice();
    for (const modem of this.#modems) {
      if (modem === from || !modem.isOpen(channel)) continue;
      if (this.#loss > 0 && this.#random() < this.#loss) {
        this.#stats.lost++;
        continue;
      }
      let copies = 1;
      if (this.#duplication > 0 && this.#random() < this.#duplication) {
        copies = 2;
        this.#stats.duplicated++;
      }
      for (let i = 0; i < copies; i++) {
        const message: ModemMessage = {
          channel,
          replyChannel,
          payload: bytes.slice(),
          distance: modem.distance,
        };
        const wait = this.#delay.min +
          (this.#delay.max > this.#delay.min
            ? this.#random() * (this.#delay.max - this.#delay.min)
            : 0);
        if (this.#reordering > 0 && this.#random() < this.#reordering) {
          this.#stats.reordered++;
          this.#hold(modem, message);
        } else {
          this.#schedule(modem, message, wait);
        }
      }
    }
  }

  // A held-back delivery is released right after the next delivery to the
  // same modem (so it is overtaken, deterministically for a given seed), or
  // after `reorderDelay` ms when nothing else arrives.
  #hold(modem: MemoryModem, message: ModemMessage): void {
    let held = this.#held.get(modem);
    if (held === undefined) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#release(modem);
      }, this.#reorderDelay);
      this.#timers.add(timer);
      held = { messages: [], timer };
      this.#held.set(modem, held);
    }
    held.messages.push(message);
  }

  #release(modem: MemoryModem): void {
    const held = this.#held.get(modem);
    if (held === undefined) return;
    this.#held.delete(modem);
    clearTimeout(held.timer);
    this.#timers.delete(held.timer);
    for (const message of held.messages) this.#deliver(modem, message);
  }

  #deliver(modem: MemoryModem, message: ModemMessage): void {
    if (this.#closed || modem.isClosed || !modem.isOpen(message.channel)) {
      return;
    }
    this.#stats.delivered++;
    receivers.get(modem)?.(message);
  }

  #schedule(modem: MemoryModem, message: ModemMessage, wait: number): void {
    const deliver = () => {
      this.#deliver(modem, message);
      this.#release(modem);
    };
    if (wait <= 0) {
      queueMicrotask(deliver);
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      deliver();
    }, wait);
    this.#timers.add(timer);
  }
}

/**
 * A {@linkcode Modem} on a {@linkcode MemoryNetwork}. Create it with
 * `network.createModem()` or `new MemoryModem(network)`.
 *
 * @example Open a channel and hear a transmission
 * ```ts
 * import { MemoryModem, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * using a = new MemoryModem(network);
 * using b = new MemoryModem(network);
 * b.open(7);
 * assert.equal(b.isOpen(7), true);
 * const heard = new Promise((resolve) => b.subscribe(resolve));
 * a.transmit(7, 8, new Uint8Array([1]));
 * assert.deepEqual(await heard, {
 *   channel: 7,
 *   replyChannel: 8,
 *   payload: new Uint8Array([1]),
 *   distance: undefined,
 * });
 * ```
 */
export class MemoryModem implements Modem {
  readonly #network: NetworkInternals;
  readonly #channels: ModemChannels;
  readonly #distance: number | undefined;

  /**
   * Creates a modem attached to `network`.
   *
   * @param network The network to join.
   * @param options Channel limit and reported distance.
   */
  constructor(network: MemoryNetwork, options: MemoryModemOptions = {}) {
    const inner = internals.get(network);
    if (inner === undefined) {
      throw new TypeError(
        "Cannot create modem: network is not a MemoryNetwork",
      );
    }
    if (network.isClosed) {
      throw new Error("Cannot create modem: network is closed");
    }
    const maxOpen = checkMaxOpenChannels(
      "create modem",
      options.maxOpenChannels ?? 128,
    );
    this.#network = inner;
    this.#channels = new ModemChannels(maxOpen);
    this.#distance = options.distance;
    receivers.set(this, (message) => this.#channels.deliver(message));
    inner.add(this);
  }

  /** The `distance` reported on messages this modem receives. */
  get distance(): number | undefined {
    return this.#distance;
  }

  /** The largest payload `transmit` accepts (the network's limit). */
  get maxPayloadSize(): number {
    return this.#network.maxPayloadSize;
  }

  /** Whether `close()` has been called. */
  get isClosed(): boolean {
    return this.#channels.isClosed;
  }

  /**
   * Starts hearing `channel`: transmissions on it by other modems of the
   * network reach this modem's subscribers.
   *
   * @param channel 0–65535.
   */
  open(channel: number): void {
    this.#channels.open(channel);
  }

  /**
   * Whether this modem hears transmissions on `channel`.
   *
   * @param channel 0–65535.
   * @returns `true` when the channel is open.
   */
  isOpen(channel: number): boolean {
    return this.#channels.isOpen(channel);
  }

  /**
   * Closes `channel`, or the whole modem when called without a channel.
   * Transmissions this modem made before closing are still delivered; the
   * modem hears nothing more.
   *
   * @param channel 0–65535, or nothing to close the modem.
   */
  close(channel?: number): void {
    if (this.#channels.close(channel)) this.#network.remove(this);
  }

  /** Closes every open channel; the modem stays on the network. */
  closeAll(): void {
    this.#channels.closeAll();
  }

  /**
   * Sends `payload` to every other modem with `channel` open. Accepted when
   * it returns: without fault injection each receiver gets it once, in
   * transmission order, also when this modem closes right after; only the
   * receiver closing (the modem or the channel) or `MemoryNetwork.close()`
   * cancels a delivery still pending. The payload is copied at once.
   *
   * @param channel 0–65535.
   * @param replyChannel 0–65535, passed to receivers.
   * @param payload At most {@linkcode MemoryModem.maxPayloadSize} bytes.
   */
  transmit(channel: number, replyChannel: number, payload: Uint8Array): void {
    this.#channels.checkTransmit(
      channel,
      replyChannel,
      payload,
      this.#network.maxPayloadSize,
    );
    this.#network.transmit(this, channel, replyChannel, payload);
  }

  /**
   * Calls `handler` for each message heard on an open channel.
   *
   * @param handler Receives each {@linkcode ModemMessage}.
   * @returns A subscription; `close()` removes the handler.
   */
  subscribe(handler: ModemMessageHandler): ModemSubscription {
    return this.#channels.subscribe(handler);
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
