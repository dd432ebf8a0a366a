// Copyright 2026 the moonwire authors. MIT license.
import type { LuaValue } from "./_cnet_lua_value.ts";
import type { CttpHeader } from "./cttp_request.ts";
import type { CttpStatusEntry } from "./cttp_status.ts";

/**
 * A CTTP response: a status code and message, a header and any data. REST
 * handlers return one (or a plain value, which is sent as `200 OK`).
 *
 * @example Build a response
 * ```ts
 * import { CttpResponse, CttpStatus } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const response = new CttpResponse(CttpStatus.CREATED, {}, { id: 7 });
 * assert.equal(response.statusCode, 201);
 * assert.equal(response.statusMessage, "Created");
 * assert.deepEqual(response.data, { id: 7 });
 * ```
 */
export class CttpResponse {
  /** The status code, e.g. `200`. */
  statusCode: number;
  /** The status message, e.g. `"OK"`. */
  statusMessage: string;
  /** The response header (an empty table when none was given). */
  header: CttpHeader;
  /** Any data sent with the response (`null` when none). */
  data: LuaValue;

  /**
   * Creates a response.
   *
   * @param status A status, usually from `CttpStatus`.
   * @param header The header (default: empty).
   * @param data Any data (default: `null`).
   */
  constructor(status: CttpStatusEntry, header?: CttpHeader, data?: LuaValue) {
    if (
      status === null || typeof status !== "object" ||
      !Number.isInteger(status.code) || typeof status.message !== "string"
    ) {
      throw new TypeError(
        "Cannot create CTTP response: status must have an integer code and a string message",
      );
    }
    this.statusCode = status.code;
    this.statusMessage = status.message;
    this.header = header ?? {};
    this.data = data ?? null;
  }
}
