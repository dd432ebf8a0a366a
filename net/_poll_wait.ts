// Copyright 2026 the moonwire authors. MIT license.
// Waiting with the seed's millisecond timeouts: 0 checks once, -1 waits
// forever, a positive value is the longest wait; an abort signal ends any
// of them at once.
import { checkSignal, throwIfAborted } from "./_abort.ts";

/** Wakes everything waiting for a state change. */
export class Notifier {
  #waiters = new Set<() => void>();

  /** Wakes all current waiters. */
  notify(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Resolves at the next `notify()`, after `ms` (Infinity: no timer) or when
   * `signal` fires, whichever comes first.
   */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wake = () => {
      clearTimeout(timer);
      this.#waiters.delete(wake);
      signal?.removeEventListener("abort", wake);
      resolve();
    };
    this.#waiters.add(wake);
    signal?.addEventListener("abort", wake, { once: true });
    if (Number.isFinite(ms)) timer = setTimeout(wake, ms);
    return promise;
  }
}

/** The signal of a wait's options object, checked (TypeError when bad). */
export function waitSignal(
  options: unknown,
  action: string,
): AbortSignal | undefined {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot ${action}: options must be an object, got ${
        options === null ? "null" : typeof options
      }`,
    );
  }
  return checkSignal((options as { signal?: unknown }).signal, action);
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

/**
 * Waits until `done()` or the timeout passes; `done()` is checked on each
 * notify. The timeout and the options (`{ signal }`) are checked first.
 * Rejects with an AbortError ("Cannot <action>: aborted") when the signal
 * has fired or fires while waiting, also for timeout 0. `beforeWait` runs
 * before each sleep, to arrange the notify that ends it.
 */
export async function waitUntil(
  action: string,
  done: () => boolean,
  timeout: number,
  options: unknown,
  notifier: Notifier,
  beforeWait?: () => void,
): Promise<void> {
  checkTimeout(timeout, action);
  const signal = waitSignal(options, action);
  throwIfAborted(signal, action);
  if (done() || timeout === 0) return;
  const deadline = timeout < 0 ? Infinity : performance.now() + timeout;
  while (!done()) {
    const remaining = deadline - performance.now();
    if (remaining <= 0) return;
    beforeWait?.();
    await notifier.wait(remaining, signal);
    throwIfAborted(signal, action);
  }
}
