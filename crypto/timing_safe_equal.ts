// Copyright 2026 the moonwire authors. MIT license.
/**
 * Constant-time byte comparison.
 *
 * @module
 */

/**
 * Compares two byte arrays without an early exit, so the time taken does not
 * reveal where they first differ. Arrays of different lengths are unequal;
 * the loop still runs over the longer length so it does not reveal which
 * bytes matched.
 *
 * @example Compare secrets
 * ```ts
 * import { timingSafeEqual } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * assert.equal(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
 * assert.equal(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])), false);
 * assert.equal(timingSafeEqual(new Uint8Array([1]), new Uint8Array([1, 0])), false);
 * ```
 *
 * @param a The first array.
 * @param b The second array.
 * @returns `true` when both have the same length and the same bytes.
 * @throws {TypeError} If either argument is not a `Uint8Array`.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) {
    throw new TypeError("Cannot compare: arguments must be Uint8Arrays");
  }
  const length = Math.max(a.length, b.length);
  let difference = a.length ^ b.length;
  for (let i = 0; i < length; i++) {
    // Out-of-range reads give undefined; `| 0` keeps the work uniform.
    difference |= (a[i] | 0) ^ (b[i] | 0);
  }
  return difference === 0;
}
