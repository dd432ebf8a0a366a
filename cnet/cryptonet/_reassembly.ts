// Copyright 2026 the moonwire authors. MIT license.
// Reassembly of fragmented messages, in bounded memory: a message has at
// most `maxFragments` pieces and `maxBytes` bytes, a session reassembles at
// most `maxConcurrent` messages at once (the oldest is dropped to make room)
// and a partial message is dropped `timeout` ms after its first piece.
// Fragments are authenticated and replay-checked before they get here.

export interface ReassemblyLimits {
  maxBytes: number;
  maxFragments: number;
  maxConcurrent: number;
  timeout: number;
}

interface Partial {
  count: number;
  pieces: (Uint8Array | undefined)[];
  received: number;
  bytes: number;
  started: number;
}

export class Reassembly {
  readonly #limits: ReassemblyLimits;
  readonly #partials = new Map<number, Partial>();
  /** Partial messages dropped (limits, timeouts, inconsistencies). */
  dropped = 0;

  constructor(limits: ReassemblyLimits) {
    this.#limits = limits;
  }

  get pending(): number {
    return this.#partials.size;
  }

  /**
   * Adds one fragment; returns the whole message when it is complete,
   * undefined otherwise (including when the fragment was refused).
   */
  add(
    messageId: number,
    index: number,
    count: number,
    chunk: Uint8Array,
    now: number,
  ): Uint8Array<ArrayBuffer> | undefined {
    const limits = this.#limits;
    if (count < 2 || count > limits.maxFragments || index >= count) {
      this.dropped++;
      return undefined;
    }
    let partial = this.#partials.get(messageId);
    if (partial === undefined) {
      while (this.#partials.size >= limits.maxConcurrent) {
        const oldest = this.#partials.keys().next().value as number;
        this.#partials.delete(oldest);
        this.dropped++;
      }
      partial = {
        count,
        pieces: new Array(count),
        received: 0,
        bytes: 0,
        started: now,
      };
      this.#partials.set(messageId, partial);
    } else if (partial.count !== count) {
      this.#partials.delete(messageId);
      this.dropped++;
      return undefined;
    }
    if (partial.pieces[index] !== undefined) return undefined;
    if (partial.bytes + chunk.length > limits.maxBytes) {
      this.#partials.delete(messageId);
      this.dropped++;
      return undefined;
    }
    partial.pieces[index] = chunk.slice();
    partial.received++;
    partial.bytes += chunk.length;
    if (partial.received < partial.count) return undefined;
    this.#partials.delete(messageId);
    const out = new Uint8Array(partial.bytes);
    let at = 0;
    for (const piece of partial.pieces as Uint8Array[]) {
      out.set(piece, at);
      at += piece.length;
    }
    return out;
  }

  /** When the oldest partial message expires (sweep is due), if any. */
  deadline(): number | undefined {
    // Map order is insertion order: the first partial is the oldest.
    const oldest = this.#partials.values().next();
    return oldest.done
      ? undefined
      : oldest.value.started + this.#limits.timeout + 1;
  }

  /** Drops partial messages older than the timeout. */
  sweep(now: number): void {
    for (const [id, partial] of this.#partials) {
      if (now - partial.started > this.#limits.timeout) {
        this.#partials.delete(id);
        this.dropped++;
      }
    }
  }

  clear(): void {
    this.#partials.clear();
  }
}
