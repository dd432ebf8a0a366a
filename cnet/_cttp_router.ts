// Copyright 2026 the moonwire authors. MIT license.
// REST routing for CTTP: handlers per method and path; a request goes to the
// handler with the longest registered path prefix (compared segment by
// segment, so "/app" never matches "/apple"); the remaining segments are the
// handler's arguments.

import type { LuaValue } from "./_cnet_lua_value.ts";
import { CttpRequestMethod } from "./cttp_request_method.ts";

/** Splits a path into its non-empty segments ("/a//b/" → ["a", "b"]). */
export function pathSegments(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

const METHODS = new Set<string>(Object.values(CttpRequestMethod));

/** Whether `method` is one of the CTTP request methods. */
export function isCttpMethod(method: unknown): method is CttpRequestMethod {
  return typeof method === "string" && METHODS.has(method);
}

/** The outcome of routing one request. */
export type CttpRoute<H> =
  | { found: true; handler: H; args: string[] }
  | { found: false; code: 404 | 501 };

/** A routing table from (method, path prefix) to handlers. */
export class CttpRouter<H> {
  #routes = new Map<string, Map<string, H>>();

  /** Sets (or replaces) the handler of `method` and `path`. */
  set(method: string, path: string, handler: H): void {
    if (!isCttpMethod(method)) {
      throw new TypeError(
        `Cannot set REST handler: unknown method ${JSON.stringify(method)}`,
      );
    }
    if (typeof path !== "string") {
      throw new TypeError(
        `Cannot set REST handler: path must be a string, got ${typeof path}`,
      );
    }
    let table = this.#routes.get(method);
    if (table === undefined) {
      table = new Map();
      this.#routes.set(method, table);
    }
    table.set(pathSegments(path).join("/"), handler);
  }

  /** Removes the handler of `method` and `path`; returns whether one existed. */
  delete(method: string, path: string): boolean {
    return this.#routes.get(method)?.delete(pathSegments(path).join("/")) ??
      false;
  }

  /** Finds the handler for a request. */
  route(method: LuaValue, path: string): CttpRoute<H> {
    if (!isCttpMethod(method)) return { found: false, code: 501 };
    const table = this.#routes.get(method);
    if (table !== undefined) {
      const segments = pathSegments(path);
      for (let length = segments.length; length >= 0; length--) {
        const handler = table.get(segments.slice(0, length).join("/"));
        if (handler !== undefined) {
          return { found: true, handler, args: segments.slice(length) };
        }
      }
    }
    return { found: false, code: 404 };
  }
}
