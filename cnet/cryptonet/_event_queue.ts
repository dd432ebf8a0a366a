// Copyright 2026 the moonwire authors. MIT license.
// A bounded event queue with waiting readers: when full, the oldest event is
// dropped and counted, so a program that never reads cannot grow memory.

export class EventQueue<T> {
  readonly #limit: number;
  #items: T[] = [];
  #head = 0;
  readonly #waiters: PromiseWithResolvers<T | undefined>[] = [];
  #closed = false;
  dropped = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    if (this.#closed) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve(item);
      return;
    }
    if (this.size >= this.#limit) {
      this.#head++;
      this.dropped++;
    }
    this.#items.push(item);
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The next event, or undefined once closed. */
  next(): Promise<T | undefined> {
    if (this.size > 0) {
      const item = this.#items[this.#head];
      this.#items[this.#head++] = undefined as T;
      return Promise.resolve(item);
    }
    if (this.#closed) return Promise.resolve(undefined);
    const waiter = Promise.withResolvers<T | undefined>();
    this.#waiters.push(waiter);
    return waiter.promise;
  }

  /** Drops buffered events; waiting and later readers get undefined. */
  close(): void {
    this.#closed = true;
    this.#items = [];
    this.#head = 0;
    for (const waiter of this.#waiters.splice(0)) waiter.resolve(undefined);
  }
}
