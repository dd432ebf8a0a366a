// Copyright 2026 the moonwire authors. MIT license.
// The driver's one real timer per sans-I/O machine: armed for the deadline
// the machine's pollTimeout() gives. A later deadline leaves an earlier
// timer armed (it fires early, the machine finds nothing due, and the
// driver re-arms), so a deadline that moves on every packet costs no timer
// churn.
export class DeadlineTimer {
  readonly #fire: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #at = Infinity;

  constructor(fire: () => void) {
    this.#fire = fire;
  }

  /** Arms for `at` (ms on the `Date.now()` clock); undefined disarms. */
  set(at: number | undefined): void {
    if (at === undefined) return this.clear();
    if (this.#timer !== undefined && this.#at <= at) return;
    clearTimeout(this.#timer);
    this.#at = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#at = Infinity;
      this.#fire();
    }, Math.max(0, at - Date.now()));
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#at = Infinity;
  }
}
