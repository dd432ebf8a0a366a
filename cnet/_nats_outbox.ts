// Copyright 2026 the moonwire authors. MIT license.
// The NatsModem's messages accepted while its connection is down. The NATS
// client (nats.js 3) discards its own write buffer on every dial attempt, so
// whatever is published between a disconnect and the reconnect is lost
// unless it is held here and published after the reconnect, in order.

/** What the outbox publishes through (the modem's connection). */
export type Publish = (subject: string, message: Uint8Array) => void;

/** Messages held while disconnected, bounded in bytes. */
export class NatsOutbox {
  readonly #maxBytes: number;
  #subjects: string[] = [];
  #messages: Uint8Array[] = [];
  #bytes = 0;
  #connected = true;
  #waiters: (() => void)[] = [];

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Whether the connection is up as far as the status events tell. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Messages held. */
  get length(): number {
    return this.#messages.length;
  }

  /**
   * Publishes at once while connected, else holds the message. Returns
   * false, holding nothing, when the message does not fit.
   */
  send(publish: Publish, subject: string, message: Uint8Array): boolean {
    if (this.#connected) {
      publish(subject, message);
      return true;
    }
    if (this.#bytes + message.length > this.#maxBytes) return false;
    this.#subjects.push(subject);
    this.#messages.push(message);
    this.#bytes += message.length;
    return true;
  }

  /** The connection went down: hold what is sent from now on. */
  disconnected(): void {
    this.#connected = false;
  }

  /**
   * The connection is up again: publishes everything held, in order, in
   * this same call (also what is sent while it runs, so no send can
   * overtake a held one), then sends go straight through again. Returns how
   * many were published.
   */
  reconnected(publish: Publish): number {
    let count = 0;
    // Still "disconnected" while publishing: a send made meanwhile is held
    // behind the others, and the loop checks again before opening up.
    while (this.#messages.length > 0) {
      const subjects = this.#subjects;
      const messages = this.#messages;
      this.#subjects = [];
      this.#messages = [];
      this.#bytes = 0;
      for (let i = 0; i < messages.length; i++) {
        publish(subjects[i], messages[i]);
      }
      count += messages.length;
    }
    this.#connected = true;
    for (const wake of this.#waiters.splice(0)) wake();
    return count;
  }

  /** Drops everything held (the modem is closing for good). */
  clear(): void {
    this.#subjects = [];
    this.#messages = [];
    this.#bytes = 0;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /**
   * Resolves true once nothing is held (at once when nothing is), or false
   * after `timeout` ms.
   */
  async empty(timeout: number): Promise<boolean> {
    if (this.#messages.length === 0) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await new Promise<boolean>((resolve) => {
        this.#waiters.push(() => resolve(this.#messages.length === 0));
        timer = setTimeout(() => resolve(false), timeout);
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
