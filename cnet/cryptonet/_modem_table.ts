// Copyright 2026 the moonwire authors. MIT license.
// The driver's modems: attached by side, each with one subscription and
// reference-counted channels (servers, reply channels and the raw channels
// opened with openChannel share a modem's channels).
import type { Modem, ModemMessage, ModemSubscription } from "../modem.ts";
import { isModemSide, ModemSide } from "../modem_side.ts";

export interface ModemEntry {
  side: ModemSide;
  modem: Modem;
  subscription: ModemSubscription;
  refs: Map<number, number>;
  userChannels: Set<number>;
}

/** CryptoNet needs room for its largest handshake message in one packet. */
export const MIN_PAYLOAD = 512;

export function checkPayload(action: string, modem: Modem): void {
  if (modem.maxPayloadSize < MIN_PAYLOAD) {
    throw new RangeError(
      `Cannot ${action}: modem payload limit ${modem.maxPayloadSize} is below the ${MIN_PAYLOAD} bytes CryptoNet needs`,
    );
  }
}

/** Closes a modem and waits for it to stop when it says how (`closed`). */
async function closeModem(modem: Modem): Promise<void> {
  modem.close();
  const stopped = (modem as { closed?: unknown }).closed;
  if (stopped instanceof Promise) await stopped.catch(() => {});
}

export class ModemTable {
  readonly #entries = new Map<ModemSide, ModemEntry>();
  readonly #onMessage: (entry: ModemEntry, message: ModemMessage) => void;

  constructor(onMessage: (entry: ModemEntry, message: ModemMessage) => void) {
    this.#onMessage = onMessage;
  }

  attach(side: ModemSide, modem: Modem): void {
    if (!isModemSide(side)) {
      throw new TypeError(
        `Cannot attach modem: ${JSON.stringify(side)} is not a modem side`,
      );
    }
    if (
      typeof modem !== "object" || modem === null ||
      typeof modem.subscribe !== "function" ||
      typeof modem.transmit !== "function"
    ) {
      throw new TypeError("Cannot attach modem: expected a Modem");
    }
    if (this.#entries.has(side)) {
      throw new Error(`Cannot attach modem: side "${side}" already has one`);
    }
    const entry: ModemEntry = {
      side,
      modem,
      subscription: undefined as unknown as ModemSubscription,
      refs: new Map(),
      userChannels: new Set(),
    };
    entry.subscription = modem.subscribe((message) =>
      this.#onMessage(entry, message)
    );
    this.#entries.set(side, entry);
  }

  /** Detaches `side`; `users` counts the servers and sockets on it. */
  detach(side: ModemSide, users: number): Modem | undefined {
    const entry = this.#entries.get(side);
    if (entry === undefined) return undefined;
    if (users > 0) {
      throw new Error(
        `Cannot detach modem: side "${side}" is in use by ${users} servers or sockets`,
      );
    }
    this.#unsubscribe(entry);
    this.#entries.delete(side);
    return entry.modem;
  }

  get(side: ModemSide): ModemEntry | undefined {
    return this.#entries.get(side);
  }

  get sides(): ModemSide[] {
    return Object.values(ModemSide).filter((side) => this.#entries.has(side));
  }

  /** The entry on `side`, or on the default side ("a side with a modem"). */
  entry(action: string, side: ModemSide | undefined): ModemEntry {
    if (side !== undefined) {
      if (!isModemSide(side)) {
        throw new TypeError(
          `Cannot ${action}: ${JSON.stringify(side)} is not a modem side`,
        );
      }
      const entry = this.#entries.get(side);
      if (entry === undefined) {
        throw new Error(`Cannot ${action}: no modem on side "${side}"`);
      }
      return entry;
    }
    for (const candidate of Object.values(ModemSide)) {
      const entry = this.#entries.get(candidate);
      if (entry !== undefined) return entry;
    }
    throw new Error(`Cannot ${action}: no modem attached`);
  }

  /** Opens a raw channel (its traffic becomes `modem_message` events). */
  openUserChannel(entry: ModemEntry, channel: number): void {
    if (entry.userChannels.has(channel)) return;
    this.retain(entry, channel);
    entry.userChannels.add(channel);
  }

  closeUserChannel(entry: ModemEntry, channel: number): void {
    if (entry.userChannels.delete(channel)) this.release(entry, channel);
  }

  retain(entry: ModemEntry, channel: number): void {
    const count = entry.refs.get(channel) ?? 0;
    if (count === 0) entry.modem.open(channel);
    entry.refs.set(channel, count + 1);
  }

  release(entry: ModemEntry, channel: number): void {
    const count = entry.refs.get(channel) ?? 0;
    if (count <= 1) {
      entry.refs.delete(channel);
      if (!entry.modem.isClosed) entry.modem.close(channel);
    } else {
      entry.refs.set(channel, count - 1);
    }
  }

  /** Unsubscribes from every modem, closing them too when `close`. */
  async closeAll(close: boolean): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const entry of this.#entries.values()) {
      this.#unsubscribe(entry);
      // The node's modems are its own (closeModems): closing them lets a
      // program end, e.g. a UdpModem's receive loop.
      if (close) closing.push(closeModem(entry.modem));
    }
    this.#entries.clear();
    await Promise.all(closing);
  }

  #unsubscribe(entry: ModemEntry): void {
    entry.subscription.close();
    if (!entry.modem.isClosed) {
      for (const channel of entry.refs.keys()) entry.modem.close(channel);
    }
    entry.refs.clear();
    entry.userChannels.clear();
  }
}
