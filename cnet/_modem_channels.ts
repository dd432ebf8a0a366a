// Copyright 2026 the moonwire authors. MIT license.
// Channel bookkeeping shared by the modem implementations: validation,
// the open-channel set and subscriber fan-out.
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

/** Open channels and subscribers of one modem. */
export class ModemChannels {
  readonly #open = new Set<number>();
  readonly #handlers = new Set<ModemMessageHandler>();
  readonly #maxOpen: number;

  constructor(maxOpen: number) {
    this.#maxOpen = maxOpen;
  }

  open(channel: number): void {
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

  close(channel: number): void {
    checkChannel("close channel", channel);
    this.#open.delete(channel);
  }

  closeAll(): void {
    this.#open.clear();
  }

  has(channel: number): boolean {
    return this.#open.has(channel);
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

  clear(): void {
    this.#open.clear();
    this.#handlers.clear();
  }
}
