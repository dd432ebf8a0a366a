// Copyright 2026 the moonwire authors. MIT license.
// Channel bookkeeping shared by the modem implementations: validation,
// the closed flag, the open-channel set and subscriber fan-out.
import type {
  ModemMessage,
  ModemMessageHandler,
  ModemSubscription,
} from "./modem.ts";

/** Highest channel number, as in ComputerCraft. */
export const MAX_CHANNEL = 65535;

/** Throws TypeError/RangeError unless `channel` is an integer 0–65535. */
export function checkChannel(action: string, channel: unknown): number {
  if (typeof channel !== "number") {
    throw new TypeError(
      `Cannot ${action}: channel must be a number, got ${typeof channel}`,
    );
  }
  if (!Number.isInteger(channel) || channel < 0 || channel > MAX_CHANNEL) {
    throw new RangeError(
      `Cannot ${action}: channel ${channel} is not an integer in 0-65535`,
    );
  }
  return channel;
}

/** Throws RangeError unless `value` is an integer in 1–65536. */
export function checkMaxOpenChannels(action: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65536) {
    throw new RangeError(
      `Cannot ${action}: maxOpenChannels ${value} is not in 1-65536`,
    );
  }
  return value;
}

/**
 * The medium-independent part of a modem: whether it is closed, its open
 * channels, its subscribers, and the checks `open` and `transmit` make. A
 * modem class delegates its `Modem` methods here and adds only its medium.
 */
export class ModemChannels {
  readonly #open = new Set<number>();
  readonly #handlers = new Set<ModemMessageHandler>();
  readonly #maxOpen: number;
  #closed = false;

  constructor(maxOpen: number) {
    this.#maxOpen = maxOpen;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  open(channel: number): void {
    if (this.#closed) throw new Error("Cannot open channel: modem is closed");
    checkChannel("open channel", channel);
    if (this.#open.has(channel)) return;
    if (this.#open.size >= this.#maxOpen) {
      throw new RangeError(
        `Cannot open channel: ${this.#maxOpen} channels are already open`,
      );
    }
    this.#open.add(channel);
  }

  isOpen(channel: number): boolean {
    checkChannel("check channel", channel);
    return this.#open.has(channel);
  }

  /**
   * With a channel: stops hearing it. Without: marks the modem closed and
   * drops channels and subscribers. Returns true only for the call that
   * closed the modem, which then releases its medium.
   */
  close(channel?: number): boolean {
    if (channel !== undefined) {
      checkChannel("close channel", channel);
      this.#open.delete(channel);
      return false;
    }
    if (this.#closed) return false;
    this.#closed = true;
    this.#open.clear();
    this.#handlers.clear();
    return true;
  }

  closeAll(): void {
    this.#open.clear();
  }

  has(channel: number): boolean {
    return this.#open.has(channel);
  }

  /** The checks of `Modem.transmit`, in the order every modem makes them. */
  checkTransmit(
    channel: number,
    replyChannel: number,
    payload: Uint8Array,
    maxPayloadSize: number,
  ): void {
    if (this.#closed) throw new Error("Cannot transmit: modem is closed");
    checkChannel("transmit", channel);
    checkChannel("transmit", replyChannel);
    if (!(payload instanceof Uint8Array)) {
      throw new TypeError("Cannot transmit: payload must be a Uint8Array");
    }
    if (payload.byteLength > maxPayloadSize) {
      throw new RangeError(
        `Cannot transmit: payload of ${payload.byteLength} bytes exceeds limit ${maxPayloadSize}`,
      );
    }
  }

  subscribe(handler: ModemMessageHandler): ModemSubscription {
    if (typeof handler !== "function") {
      throw new TypeError("Cannot subscribe: handler must be a function");
    }
    // A wrapper so the same function can be subscribed twice and removed once.
    const entry: ModemMessageHandler = (message) => handler(message);
    this.#handlers.add(entry);
    const remove = () => void this.#handlers.delete(entry);
    return { close: remove, [Symbol.dispose]: remove };
  }

  /** Delivers to every subscriber; a throwing handler does not stop others. */
  deliver(message: ModemMessage): void {
    for (const handler of [...this.#handlers]) {
      try {
        handler(message);
      } catch (error) {
        reportError(error);
      }
    }
  }
}
