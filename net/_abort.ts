// Copyright 2026 the moonwire authors. MIT license.
// One way for every network wait (net, mm, cnet) to honour `{ signal }`: it
// rejects with a DOMException named "AbortError" whose message says what was
// aborted and whose `cause` is the signal's reason, and it removes its
// listener whichever way the wait ends.

/** The error a wait rejects with once `signal` fired. */
export function abortError(action: string, signal: AbortSignal): DOMException {
  const error = new DOMException(`Cannot ${action}: aborted`, "AbortError");
  // As the runtime's `{ name, cause }` constructor option sets it, which
  // the TypeScript DOM types do not know.
  Object.defineProperty(error, "cause", {
    value: signal.reason,
    writable: true,
    configurable: true,
  });
  return error;
}

/** Whether `error` is an abort (a wait's signal fired), not a failure. */
export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

/** `signal` itself, checked: TypeError unless undefined or an AbortSignal. */
export function checkSignal(
  signal: unknown,
  action: string,
): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new TypeError(
    `Cannot ${action}: signal must be an AbortSignal, got ${
      signal === null ? "null" : typeof signal
    }`,
  );
}

/** Throws the abort error when `signal` has fired. */
export function throwIfAborted(
  signal: AbortSignal | undefined,
  action: string,
): void {
  if (signal?.aborted) throw abortError(action, signal);
}

/**
 * Settles as `promise` does, or rejects with the abort error as soon as
 * `signal` fires; `onAbort` then runs once, to release what the wait holds
 * (the promise itself keeps running: `onAbort` is where to end it).
 */
export function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  action: string,
  onAbort?: () => void,
): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    onAbort?.();
    return Promise.reject(abortError(action, signal));
  }
  return new Promise<T>((resolve, reject) => {
    const aborted = () => {
      reject(abortError(action, signal));
      onAbort?.();
    };
    signal.addEventListener("abort", aborted, { once: true });
    promise.then(resolve, reject).finally(() =>
      signal.removeEventListener("abort", aborted)
    );
  });
}
