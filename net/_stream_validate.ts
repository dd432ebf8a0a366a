// Copyright 2026 the moonwire authors. MIT license.
// Argument checks shared by the socket APIs.

/**
 * Throws TypeError for a non-number and RangeError for a port that is not an
 * integer from `min` to 65535 (1 for a port to connect to: port 0 names no
 * peer, so the call fails now rather than later in the OS).
 */
export function checkPort(port: unknown, action: string, min = 0): number {
  if (typeof port !== "number") {
    throw new TypeError(
      `Cannot ${action}: port must be a number, got ${typeof port}`,
    );
  }
  if (!isPort(port, min)) {
    throw new RangeError(
      `Cannot ${action}: port must be an integer from ${min} to 65535, got ${port}`,
    );
  }
  return port;
}

/** Whether `port` is an integer from `min` to 65535. */
export function isPort(port: number, min = 0): boolean {
  return Number.isInteger(port) && port >= min && port <= 65535;
}
