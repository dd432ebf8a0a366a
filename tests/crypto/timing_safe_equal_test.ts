// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { timingSafeEqual } from "../../crypto/mod.ts";

Deno.test("timingSafeEqual() compares content and length", () => {
  const u = (...bytes: number[]) => new Uint8Array(bytes);
  assert.equal(timingSafeEqual(u(), u()), true);
  assert.equal(timingSafeEqual(u(1, 2, 3), u(1, 2, 3)), true);
  assert.equal(timingSafeEqual(u(1, 2, 3), u(1, 2, 4)), false);
  assert.equal(timingSafeEqual(u(0, 2, 3), u(1, 2, 3)), false);
  assert.equal(timingSafeEqual(u(1, 2, 3), u(1, 2)), false);
  assert.equal(timingSafeEqual(u(1, 2), u(1, 2, 3)), false);
  // A zero-padded longer array is still unequal.
  assert.equal(timingSafeEqual(u(0), u(0, 0)), false);
  assert.equal(timingSafeEqual(u(), u(0)), false);
  const big = new Uint8Array(4096).fill(0xaa);
  const other = big.slice();
  assert.equal(timingSafeEqual(big, other), true);
  other[4095] = 0xab;
  assert.equal(timingSafeEqual(big, other), false);
  // Views with offsets compare their own bytes.
  const backing = u(9, 1, 2, 9, 1, 2);
  assert.equal(
    timingSafeEqual(backing.subarray(1, 3), backing.subarray(4, 6)),
    true,
  );
});

Deno.test("timingSafeEqual() rejects non-byte arguments", () => {
  assert.throws(() => timingSafeEqual("ab" as never, new Uint8Array(2)), {
    name: "TypeError",
    message: "Cannot compare: arguments must be Uint8Arrays",
  });
  assert.throws(() => timingSafeEqual(new Uint8Array(2), [0, 0] as never), {
    name: "TypeError",
    message: "Cannot compare: arguments must be Uint8Arrays",
  });
});
