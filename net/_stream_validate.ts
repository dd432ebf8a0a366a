// Copyright 2026 the moonwire authors. MIT license.
// Argument checks shared by the socket APIs.

/** Throws TypeError/RangeError unless `port` is an integer in 0–65535. */
export function checkPort(port: unknown, action: string): number {
  if (typeof port !== "number") {
    throw new TypeError(
      `Cannot ${action}: port must be a number, got ${typeof port}`,
    );
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `Cannot ${action}: port must be an integer from 0 to 65535, got ${port}`,
    );
  }
  return port;
}
