// Copyright 2026 the moonwire authors. MIT license.
import type { LuaValue, LuaValueOf } from "../net/table_codec.ts";
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
 *
 * @typeParam T The type of `data`. Where a response is built it is inferred
 *   from the constructor's argument and checked structurally
 *   ({@linkcode LuaValueOf}); where one is received (`sendCttpRequest<T>`,
 *   `connectAndSendCttpRequest<T>`) it is the caller's promise, not a check:
 *   the decoder validates only that the data is a Lua value, and error
 *   statuses carry other data (often `null` or a message string). Any Lua
 *   value by default.
 */
export class CttpResponse<T extends LuaValueOf<T> = LuaValue> {
  /** The status code, e.g. `200`. */
  statusCode: number;
  /** The status message, e.g. `"OK"`. */
  statusMessage: string;
  /** The response header (an empty table when none was given). */
  header: CttpHeader;
  /** Any data sent with the response (`null` when none). */
  data: T | null;

  /**
   * Creates a response.
   *
   * @param status A status, usually from `CttpStatus`.
   * @param [header={}] The header.
   * @param [data=null] Any data.
   */
  constructor(
    status: CttpStatusEntry,
    header?: CttpHeader,
    data?: T,
  ) {
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
