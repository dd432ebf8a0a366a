// Copyright 2026 the moonwire authors. MIT license.
// The driver's event hub: `on` handlers called as events happen and, once
// `listen()`/`events()` has been used, a bounded queue read by those two.
import { ConnectionClosedError } from "../../net/mod.ts";
import { EventQueue } from "./_event_queue.ts";
import { EVENT_TYPES } from "./_event_types.ts";
import type {
  CryptoNetEvent,
  CryptoNetEventMap,
  EventSubscription,
} from "./events.ts";

export class EventHub {
  readonly #handlers = new Map<string, Set<(event: CryptoNetEvent) => void>>();
  readonly #queue: EventQueue<CryptoNetEvent>;
  #queueing = false;

  constructor(queueSize: number) {
    this.#queue = new EventQueue(queueSize);
  }

  get dropped(): number {
    return this.#queue.dropped;
  }

  on<K extends keyof CryptoNetEventMap>(
    type: K,
    handler: (event: CryptoNetEventMap[K]) => void,
  ): EventSubscription {
    if (typeof handler !== "function") {
      throw new TypeError("Cannot add handler: handler must be a function");
    }
    if (!EVENT_TYPES.includes(type)) {
      throw new TypeError(
        `Cannot add handler: unknown event ${JSON.stringify(type)}`,
      );
    }
    let set = this.#handlers.get(type);
    if (set === undefined) {
      set = new Set();
      this.#handlers.set(type, set);
    }
    const entry = (event: CryptoNetEvent) =>
      handler(event as CryptoNetEventMap[K]);
    set.add(entry);
    const remove = () => void set.delete(entry);
    return { close: remove, [Symbol.dispose]: remove };
  }

  async listen(): Promise<CryptoNetEvent> {
    this.#queueing = true;
    const event = await this.#queue.next();
    if (event === undefined) {
      throw new ConnectionClosedError("Cannot listen: node is closed");
    }
    return event;
  }

  async *events(): AsyncIterableIterator<CryptoNetEvent> {
    this.#queueing = true;
    while (true) {
      const event = await this.#queue.next();
      if (event === undefined) return;
      yield event;
    }
  }

  emit(event: CryptoNetEvent): void {
    const handlers = this.#handlers.get(event.type);
    if (handlers !== undefined) {
      for (const handler of [...handlers]) {
        try {
          handler(event);
        } catch (error) {
          reportError(error);
        }
      }
    }
    if (this.#queueing) this.#queue.push(event);
  }

  close(): void {
    this.#queue.close();
  }
}
