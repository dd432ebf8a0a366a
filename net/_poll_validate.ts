// Copyright 2026 the moonwire authors. MIT license.
// Option checks for polling-API TCP connections, at call time.

/** Throws RangeError/TypeError for a bad buffer limit or timeout. */
export function checkTcpLimits(
  options: {
    maxQueuedBytes?: number;
    maxReadBufferBytes?: number;
    timeout?: number;
  },
  action: string,
): void {
  for (const name of ["maxQueuedBytes", "maxReadBufferBytes"] as const) {
    const value = options[name];
    if (value === undefined) continue;
    if (typeof value !== "number") {
      throw new TypeError(
        `Cannot ${action}: ${name} must be a number, got ${typeof value}`,
      );
    }
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(
        `Cannot ${action}: ${name} must be a positive integer, got ${value}`,
      );
    }
  }
  const timeout = options.timeout;
  if (timeout === undefined) return;
  if (typeof timeout !== "number") {
    throw new TypeError(
      `Cannot ${action}: timeout must be a number, got ${typeof timeout}`,
    );
  }
  if (!(timeout >= 0)) {
    throw new RangeError(
      `Cannot ${action}: timeout must be a non-negative number, got ${timeout}`,
    );
  }
}
