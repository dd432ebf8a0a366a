// Copyright 2026 the moonwire authors. MIT license.

/**
 * The sides of a computer a modem can be attached to, as in ComputerCraft.
 * A {@linkcode CryptoNetNode}-style computer attaches one modem per side;
 * `modemSide` options pick one, and the default is "a side with a modem"
 * (the first side in this order that has one).
 *
 * @example Side names
 * ```ts
 * import { ModemSide } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ModemSide.TOP, "top");
 * assert.deepEqual(Object.values(ModemSide), [
 *   "top",
 *   "bottom",
 *   "back",
 *   "front",
 *   "left",
 *   "right",
 * ]);
 * ```
 */
// Spelled out so that deno doc shows the values.
export const ModemSide: {
  readonly TOP: "top";
  readonly BOTTOM: "bottom";
  readonly BACK: "back";
  readonly FRONT: "front";
  readonly LEFT: "left";
  readonly RIGHT: "right";
} = {
  TOP: "top",
  BOTTOM: "bottom",
  BACK: "back",
  FRONT: "front",
  LEFT: "left",
  RIGHT: "right",
};

/**
 * One of the {@linkcode ModemSide} values, e.g. `"top"`.
 *
 * @example A typed side
 * ```ts
 * import { ModemSide } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const side: ModemSide = ModemSide.LEFT;
 * assert.equal(side, "left");
 * ```
 */
export type ModemSide = typeof ModemSide[keyof typeof ModemSide];

/**
 * Whether `value` is one of the six {@linkcode ModemSide} names.
 *
 * @param value Any value.
 * @returns `true` for `"top"`, `"bottom"`, `"back"`, `"front"`, `"left"`
 * and `"right"`.
 *
 * @example Check a side name
 * ```ts
 * import { isModemSide } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isModemSide("back"), true);
 * assert.equal(isModemSide("up"), false);
 * ```
 */
export function isModemSide(value: unknown): value is ModemSide {
  return typeof value === "string" &&
    (Object.values(ModemSide) as string[]).includes(value);
}
