// Copyright 2026 the moonwire authors. MIT license.
/**
 * Sockets for Deno: the transport core (frame codec, framed connections,
 * datagram endpoints, table codec) and two socket APIs over it — Pragtical's
 * polling `net` module and Cuberite's callback `cNetwork`.
 *
 * UDP needs `--unstable-net` (or `"unstable": ["net"]` in `deno.json`).
 *
 * @example Errors are typed
 * ```ts
 * import { TimeoutError } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new TimeoutError("Cannot connect").name, "TimeoutError");
 * ```
 *
 * @module
 */
export * from "./errors.ts";
export * from "./stream_socket.ts";
export * from "./frame_codec.ts";
export * from "./table_codec.ts";
export * from "./datagram_endpoint.ts";
