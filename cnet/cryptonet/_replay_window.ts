// Copyright 2026 the moonwire authors. MIT license.
// Sliding anti-replay window over 64-bit message counters (RFC 6479 style):
// accepts each counter at most once, tolerates reordering within `size`
// counters of the highest seen, rejects anything older. `check` before
// decrypting, `commit` only after the message authenticated, so forged
// packets cannot move the window.

/** Default window size in counters. */
export const REPLAY_WINDOW_SIZE = 1024;

export class ReplayWindow {
  readonly #size: number;
  readonly #bits: Uint32Array;
  #highest = -1n;

  constructor(size: number = REPLAY_WINDOW_SIZE) {
    if (!Number.isInteger(size) || size < 32 || size % 32 !== 0) {
      throw new RangeError(
        `Cannot create replay window: size ${size} is not a positive multiple of 32`,
      );
    }
    this.#size = size;
    this.#bits = new Uint32Array(size / 32);
  }

  /** The highest committed counter, -1 before any. */
  get highest(): bigint {
    return this.#highest;
  }

  /** Whether `counter` is new and inside the window (does not record it). */
  check(counter: bigint): boolean {
    if (counter < 0n) return false;
    if (counter > this.#highest) return true;
    const age = this.#highest - counter;
    if (age >= BigInt(this.#size)) return false;
    const index = Number(counter % BigInt(this.#size));
    return (this.#bits[index >>> 5] & (1 << (index & 31))) === 0;
  }

  /** Records `counter` as seen; call only after `check` and authentication. */
  commit(counter: bigint): void {
    const size = BigInt(this.#size);
    if (counter > this.#highest) {
      const advance = counter - this.#highest;
      if (advance >= size) {
        this.#bits.fill(0);
      } else {
        // Clear the slots the window slides over.
        for (let c = this.#highest + 1n; c <= counter; c++) {
          const index = Number(c % size);
          this.#bits[index >>> 5] &= ~(1 << (index & 31));
        }
      }
      this.#highest = counter;
    }
    const index = Number(counter % size);
    this.#bits[index >>> 5] |= 1 << (index & 31);
  }
}
