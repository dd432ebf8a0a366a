// Copyright 2026 the moonwire authors. MIT license.
import type { LuaValue, LuaValueOf } from "../net/table_codec.ts";
import type { CttpRequestMethod } from "./cttp_request_method.ts";

/**
 * The header of a CTTP request or response: string keys, any table values.
 *
 * @example A header
 * ```ts
 * import type { CttpHeader } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const header: CttpHeader = { token: "abc", page: 2 };
 * assert.equal(header.page, 2);
 * ```
 */
export type CttpHeader = { [key: string]: LuaValue };

/**
 * A CTTP request: a method, a path such as `"/apps/42"`, a header and any
 * data. Send it with `sendCttpRequest` or `connectAndSendCttpRequest`.
 *
 * @example Build a request
 * ```ts
 * import { CttpRequest, CttpRequestMethod } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const request = new CttpRequest(CttpRequestMethod.GET, "/apps", { page: 1 });
 * assert.equal(request.path, "/apps");
 * assert.deepEqual(request.header, { page: 1 });
 * assert.equal(request.data, null);
 * ```
 *
 * @example Typed data
 * ```ts
 * import { CttpRequest } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * interface NewApp {
 *   name: string;
 *   tags?: string[];
 * }
 * const app: NewApp = { name: "editor" };
 * const request = new CttpRequest("POST", "/apps", {}, app);
 * assert.equal(request.data?.name, "editor");
 * // new CttpRequest("POST", "/apps", {}, { at: new Date() }) does not compile.
 * ```
 *
 * @typeParam Data The type of `data`: inferred from the constructor's
 *   argument and checked structurally there ({@linkcode LuaValueOf}, so
 *   interfaces fit and `undefined` fields are Lua's nil); any Lua value by
 *   default.
 */
export class CttpRequest<Data extends LuaValueOf<Data> = LuaValue> {
  /** The method of the request. */
  requestMethod: CttpRequestMethod;
  /** The path, segments separated by `/`. */
  path: string;
  /** The request header (an empty table when none was given). */
  header: CttpHeader;
  /** Any data sent with the request (`null` when none). */
  data: Data | null;

  /**
   * Creates a request.
   *
   * @param requestMethod The method.
   * @param path The path, e.g. `"/apps/42"`.
   * @param [header={}] The header.
   * @param [data=null] Any data.
   */
  constructor(
    requestMethod: CttpRequestMethod,
    path: string,
    header?: CttpHeader,
    data?: Data,
  ) {
    if (typeof requestMethod !== "string") {
      throw new TypeError(
        `Cannot create CTTP request: method must be a string, got ${typeof requestMethod}`,
      );
    }
    if (typeof path !== "string") {
      throw new TypeError(
        `Cannot create CTTP request: path must be a string, got ${typeof path}`,
      );
    }
    this.requestMethod = requestMethod;
    this.path = path;
    this.header = header ?? {};
    this.data = data ?? null;
  }
}
