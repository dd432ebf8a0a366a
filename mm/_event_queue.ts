// Copyright 2026 the moonwire authors. MIT license.
// The bounded event queue behind NetworkEvents: a ring buffer that drops the
// oldest event on overflow, counts the drops and reports them as one
// EVENT_ERROR at the head of the next poll, so falling behind is never silent.
import { EVENT_ERROR, type NetworkEvent } from "./network_event.ts";

export class EventQueue {
  readonly capacity: number;
  #items: (NetworkEvent | undefined)[];
  #head = 0;
  #size = 0;
  #dropped = 0;
  #unreportedDrops = 0;
  #firstDropTime = 0;
  #waiters: (() => void)[] = [];
  #closed = false;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#items = new Array(capacity);
  }

  get size(): number {
    return this.#size + (this.#unreportedDrops > 0 ? 1 : 0);
  }

  get dropped(): number {
    return this.#dropped;
  }

  get closed(): boolean {
    return this.#closed;
  }

  push(event: NetworkEvent): void {
    const capacity = this.capacity;
    if (this.#size === capacity) {
      this.#items[this.#head] = undefined;
      this.#head = (this.#head + 1) % capacity;
      this.#size--;
      this.#dropped++;
      if (this.#unreportedDrops === 0) this.#firstDropTime = event.timestamp;
      this.#unreportedDrops++;
    }
    this.#items[(this.#head + this.#size) % capacity] = event;
    this.#size++;
    this.#wake();
  }

  /** Removes and returns up to `max` events, oldest first. */
  take(max = Infinity): NetworkEvent[] {
    const out: NetworkEvent[] = [];
    if (max <= 0) return out;
    if (this.#unreportedDrops > 0) {
      out.push({
        event: EVENT_ERROR,
        timestamp: this.#firstDropTime,
        object: null,
        errors:
          `Cannot queue events: ${this.#unreportedDrops} oldest events dropped, queue capacity ${this.capacity} (poll more often)`,
      });
      this.#unreportedDrops = 0;
    }
    const capacity = this.capacity;
    while (this.#size > 0 && out.length < max) {
      out.push(this.#items[this.#head]!);
      this.#items[this.#head] = undefined;
      this.#head = (this.#head + 1) % capacity;
      this.#size--;
    }
    return out;
  }

  /** Resolves when an event is queued or the queue is closed. */
  wait(): Promise<void> {
    if (this.size > 0 || this.#closed) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#waiters.push(resolve);
    return promise;
  }

  close(): void {
    this.#closed = true;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    if (waiters.length === 0) return;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}

const queues = new WeakMap<object, EventQueue>();

export function registerQueue(hub: object, queue: EventQueue): void {
  queues.set(hub, queue);
}

/** The queue behind a NetworkEvents hub. */
export function queueOf(hub: object): EventQueue {
  const queue = queues.get(hub);
  if (queue === undefined) {
    throw new TypeError(
      "Cannot use events: expected a NetworkEvents instance",
    );
  }
  return queue;
}
