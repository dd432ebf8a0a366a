// Copyright 2026 the moonwire authors. MIT license.
// A cheap upper estimate of a value's encoded size, used to bound requests
// without encoding them twice.

/**
 * Estimated encoded size of `value` in bytes; `Infinity` once it passes
 * `limit` or nests deeper than `maxDepth` (the walk stops there).
 */
export function estimateSize(
  value: unknown,
  limit: number,
  maxDepth = 64,
): number {
  let total = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (depth > maxDepth) return Infinity;
    if (typeof item === "string") total += 5 + item.length * 3;
    else if (item instanceof Uint8Array) total += 5 + item.byteLength;
    else if (Array.isArray(item)) {
      total += 5;
      for (const element of item) stack.push([element, depth + 1]);
    } else if (item instanceof Map) {
      total += 5;
      for (const [key, element] of item) {
        stack.push([key, depth + 1], [element, depth + 1]);
      }
    } else if (typeof item === "object" && item !== null) {
      total += 5;
      for (const [key, element] of Object.entries(item)) {
        total += 5 + key.length * 3;
        stack.push([element, depth + 1]);
      }
    } else if (
      item === null || item === undefined || typeof item === "boolean" ||
      typeof item === "number"
    ) total += 9;
    else return Infinity; // functions, symbols, bigints: not sendable
    if (total > limit) return Infinity;
  }
  return total;
}
