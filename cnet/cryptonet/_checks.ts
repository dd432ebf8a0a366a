// Copyright 2026 the moonwire authors. MIT license.
// Option checks shared by the node's methods.

/** Seconds in 0-86400, returned in ms. */
export function seconds(action: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !(value >= 0 && value <= 86_400)) {
    throw new RangeError(
      `Cannot ${action}: ${name} ${value} is not a number of seconds in 0-86400`,
    );
  }
  return Math.round(value * 1000);
}

export function positiveInteger(
  action: string,
  name: string,
  value: unknown,
  max: number,
): number {
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < 1 ||
    value > max
  ) {
    throw new RangeError(
      `Cannot ${action}: ${name} ${value} is not an integer in 1-${max}`,
    );
  }
  return value;
}
