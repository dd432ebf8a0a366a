// Copyright 2026 the moonwire authors. MIT license.
// A seeded lossy, duplicating, reordering in-memory pipe for CTCP tests.
import { mulberry32 } from "../_random.ts";

export interface LossyPipeOptions {
  seed: number;
  loss?: number;
  duplicate?: number;
  /** Each copy is delayed 0..maxDelay ms, which reorders packets. */
  maxDelay?: number;
}

export class LossyPipe {
  #random: () => number;
  #loss: number;
  #duplicate: number;
  #maxDelay: number;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;
  sent = 0;
  lost = 0;
  duplicated = 0;

  constructor(options: LossyPipeOptions) {
    this.#random = mulberry32(options.seed);
    this.#loss = options.loss ?? 0;
    this.#duplicate = options.duplicate ?? 0;
    this.#maxDelay = options.maxDelay ?? 0;
  }

  /** Carries `value` (a structured clone) to `deliver`, maybe. */
  carry<T>(value: T, deliver: (value: T) => void): void {
    if (this.#closed) return;
    this.sent++;
    if (this.#random() < this.#loss) {
      this.lost++;
      return;
    }
    const copies = this.#random() < this.#duplicate ? 2 : 1;
    if (copies === 2) this.duplicated++;
    for (let i = 0; i < copies; i++) {
      const copy = structuredClone(value);
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        if (!this.#closed) deliver(copy);
      }, Math.floor(this.#random() * (this.#maxDelay + 1)));
      this.#timers.add(timer);
    }
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
