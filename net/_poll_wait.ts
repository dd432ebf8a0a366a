// Copyright 2026 the moonwire authors. MIT license.
// Waiting with the seed's millisecond timeouts: 0 checks once, -1 waits
// forever, a positive value is the longest wait.

/** Wakes everything waiting for a state change. */
export class Notifier {
  #waiters = new Set<() => void>();

  /** Wakes all current waiters. */
  notify(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves at the next `notify()` or after `ms` (Infinity: no timer). */
  wait(ms: number): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wake = () => {
      clearTimeout(timer);
      this.#waiters.delete(wake);
      resolve();
    };
    this.#waiters.add(wake);
    if (Number.isFinite(ms)) timer = setTimeout(wake, ms);
    return promise;
  }
}

/** Validates a seed-style timeout (ms; 0 = check once, -1 = forever). */
export function checkTimeout(timeout: unknown, action: string): number {
  if (typeof timeout !== "number") {
    throw new TypeError(
      `Cannot ${action}: timeout must be a number, got ${typeof timeout}`,
    );
  }
  if (!Number.isInteger(timeout) || timeout < -1) {
    throw new RangeError(
      `Cannot ${action}: timeout must be -1, 0 or a positive integer, got ${timeout}`,
    );
  }
  return timeout;
}

/** Waits until `done()` or the timeout passes; `done()` is checked on each notify. */
export async function waitUntil(
  done: () => boolean,
  timeout: number,
  notifier: Notifier,
): Promise<void> {
  if (done() || timeout === 0) return;
  const deadline = timeout < 0 ? Infinity : performance.now() + timeout;
  while (!done()) {
    const remaining = deadline - performance.now();
    if (remaining <= 0) return;
    await notifier.wait(remaining);
  }
}
