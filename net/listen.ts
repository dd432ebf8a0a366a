// Copyright 2026 the moonwire authors. MIT license.
import {
  assertCallbacks,
  assertPort,
  bindHostname,
  reportBindError,
} from "./_callback_common.ts";
import {
  createServerHandle,
  type ListenCallbacks,
  type ServerHandle,
} from "./_callback_server.ts";

/** Options for {@linkcode listen}. */
export interface ListenOptions {
  /** Address to bind (default `"0.0.0.0"`, all IPv4 interfaces, as
   * Cuberite does; pass `"127.0.0.1"` to stay on loopback). */
  hostname?: string;
  /** Most bytes each accepted link queues for sending (default 4 MiB). */
  maxQueuedBytes?: number;
}

/**
 * Starts listening for TCP connections on `port`; Cuberite's
 * `cNetwork:Listen`. Each incoming connection asks
 * `callbacks.onIncomingConnection` for its link callbacks (returning nothing
 * drops it), then `onAccepted(link)` runs before any data arrives.
 *
 * A bind failure calls `callbacks.onError` *before* this function returns,
 * and the returned handle reports `isListening() === false`. Keep the handle
 * and `close()` it when done.
 *
 * @param port TCP port, 0–65535 (0 picks a free port; see `getPort()`).
 * @param callbacks The server's callbacks.
 * @param options Address to bind and the per-link send queue limit.
 * @returns The server handle.
 * @throws {TypeError} When `port` is not a number or a callback is not a
 * function.
 * @throws {RangeError} When `port` is outside 0–65535.
 *
 * @example An echo server
 * ```ts
 * import { connect, listen } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const server = listen(0, {
 *   onIncomingConnection: () => ({
 *     onReceivedData: (link, data) => link.send(data),
 *     onRemoteClosed: () => {},
 *     onError: () => {},
 *   }),
 *   onError: (code, message) => console.error(code, message),
 * }, { hostname: "127.0.0.1" });
 * assert.equal(server.isListening(), true);
 *
 * const echoed = Promise.withResolvers<string>();
 * connect("127.0.0.1", server.getPort(), {
 *   onConnected: (link) => link.send("ping"),
 *   onReceivedData: (link, data) => {
 *     echoed.resolve(new TextDecoder().decode(data));
 *     link.close();
 *   },
 *   onRemoteClosed: () => {},
 *   onError: () => {},
 * });
 * assert.equal(await echoed.promise, "ping");
 * server.close();
 * await server.closed;
 * ```
 */
export function listen(
  port: number,
  callbacks: ListenCallbacks,
  options: ListenOptions = {},
): ServerHandle {
  const action = "listen";
  assertPort(action, port);
  assertCallbacks(action, "callbacks", callbacks, [
    "onIncomingConnection",
    "onError",
  ], ["onAccepted"]);
  const hostname = bindHostname(action, options);
  const maxQueuedBytes = options.maxQueuedBytes ?? 4 * 1024 * 1024;
  if (typeof maxQueuedBytes !== "number") {
    throw new TypeError(`Cannot ${action}: maxQueuedBytes must be a number`);
  }
  if (
    !Number.isInteger(maxQueuedBytes) || maxQueuedBytes < 1 ||
    maxQueuedBytes > 2 ** 31 - 1
  ) {
    throw new RangeError(
      `Cannot ${action}: maxQueuedBytes ${maxQueuedBytes} is out of range 1-2147483647`,
    );
  }
  let listener: Deno.Listener | undefined;
  try {
    listener = Deno.listen({ hostname, port, transport: "tcp" });
  } catch (error) {
    reportBindError(callbacks, error, `Cannot listen on ${hostname}:${port}`);
  }
  return createServerHandle({ listener, callbacks, maxQueuedBytes });
}
