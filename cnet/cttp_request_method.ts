// Copyright 2026 the moonwire authors. MIT license.

/**
 * The methods of a CTTP request. They change nothing about how a request is
 * carried; REST handlers are registered per method and path.
 *
 * @example Methods
 * ```ts
 * import { CttpRequestMethod } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * assert.equal(CttpRequestMethod.GET, "GET");
 * assert.deepEqual(Object.keys(CttpRequestMethod), ["GET", "POST", "DELETE"]);
 * ```
 */
// Spelled out so that deno doc shows the values.
export const CttpRequestMethod: {
  readonly GET: "GET";
  readonly POST: "POST";
  readonly DELETE: "DELETE";
} = {
  GET: "GET",
  POST: "POST",
  DELETE: "DELETE",
};

/**
 * One of the {@linkcode CttpRequestMethod} values.
 *
 * @example A typed method
 * ```ts
 * import { CttpRequestMethod } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const method: CttpRequestMethod = CttpRequestMethod.POST;
 * assert.equal(method, "POST");
 * ```
 */
export type CttpRequestMethod =
  typeof CttpRequestMethod[keyof typeof CttpRequestMethod];
