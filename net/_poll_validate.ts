// Copyright 2026 the moonwire authors. MIT license.
// Argument and option checks for the polling API, at call time.
import { Address } from "./address.ts";

/**
 * The IP of a resolved `address`. Throws TypeError when it is not an
 * {@linkcode Address} ("address must be <expected>") and Error while it is
 * not resolved.
 */
export function resolvedIp(
  address: Address,
  action: string,
  expected = "an Address (use resolveAddress())",
): string {
  if (!(address instanceof Address)) {
    throw new TypeError(`Cannot ${action}: address must be ${expected}`);
  }
  const ip = address.getIp();
  if (address.getStatus() !== "success" || ip === null) {
    throw new Error(
      `Cannot ${action}: address ${address} is not resolved (status ${address.getStatus()})`,
    );
  }
  return ip;
}

/** Throws RangeError unless `value` is a positive integer. */
export function checkPositiveInteger(
  value: number,
  name: string,
  action: string,
): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot ${action}: ${name} must be a positive integer, got ${value}`,
    );
  }
  return value;
}

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
    checkPositiveInteger(value, name, action);
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
