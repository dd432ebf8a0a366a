// Copyright 2026 the moonwire authors. MIT license.
// A server-wide bound on queued bytes, shared by all of a server's
// connections, on top of each connection's own maxQueuedBytes.

/**
 * Bytes that all of one server's connections hold queued: tables accepted
 * and not yet handed to the socket. Each connection charges what it accepts
 * and releases it once written (or dropped with the connection).
 */
export class QueueBudget {
  readonly max: number;
  #used = 0;
  #refusing = false;
  #onFull: () => void;

  /**
   * @param max The most bytes queued at once.
   * @param onFull Called when a table is first refused, and again only
   *   after the budget drained to half (once per episode of being full, not
   *   once per table or per broadcast).
   */
  constructor(max: number, onFull: () => void) {
    this.max = max;
    this.#onFull = onFull;
  }

  get used(): number {
    return this.#used;
  }

  /** Whether `size` more bytes fit; reports the start of a full run. */
  admit(size: number): boolean {
    if (this.#used + size <= this.max) return true;
    if (!this.#refusing) {
      this.#refusing = true;
      this.#onFull();
    }
    return false;
  }

  charge(size: number): void {
    this.#used += size;
  }

  release(size: number): void {
    this.#used -= size;
    if (this.#used <= this.max / 2) this.#refusing = false;
  }
}
