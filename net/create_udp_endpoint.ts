// Copyright 2026 the moonwire authors. MIT license.
import {
  bindDatagramEndpoint,
  type DatagramEndpoint,
} from "./_datagram_endpoint.ts";
import {
  assertCallbacks,
  assertPort,
  bindHostname,
  errorCode,
  errorMessage,
  invoke,
} from "./_callback_common.ts";
import {
  createUdp,
  type UdpCallbacks,
  type UdpEndpoint,
} from "./_callback_udp.ts";

/** Options for {@linkcode createUdpEndpoint}. */
export interface CreateUdpEndpointOptions {
  /** Address to bind (default `"0.0.0.0"`, all IPv4 interfaces, as
   * Cuberite does; pass `"127.0.0.1"` to stay on loopback). */
  hostname?: string;
  /**
   * Datagrams `send()` accepted and the socket has not taken yet; `send()`
   * returns false beyond (default 1024). A moonwire addition.
   */
  maxPendingSends?: number;
  /**
   * Payload bytes of those datagrams; `send()` returns false beyond. At
   * least 65507 (the largest datagram). Default 4 MiB. A moonwire addition.
   */
  maxPendingBytes?: number;
}

/**
 * Opens a UDP endpoint on `port` that reports datagrams through callbacks;
 * Cuberite's `cNetwork:CreateUDPEndpoint`. A bind failure calls
 * `callbacks.onError` *before* this function returns and the endpoint reports
 * `isOpen() === false`. Needs `--unstable-net`.
 *
 * @param port Local port, 0–65535 (0 picks a free port; see `getPort()`).
 * @param callbacks Receive datagrams and errors.
 * @param options Address to bind, send-queue bounds.
 * @returns The endpoint.
 * @throws {TypeError} When `port` is not a number or a callback not a
 * function, or without `--unstable-net` (the message names the flag).
 * @throws {RangeError} When `port` is outside 0–65535 or a send-queue
 * bound is not a positive integer (`maxPendingBytes` below 65507).
 *
 * @example An echo endpoint
 * ```ts
 * import { createUdpEndpoint } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * using echo = createUdpEndpoint(0, {
 *   onReceivedData: (endpoint, data, host, port) => endpoint.send(data, host, port),
 *   onError: () => {},
 * }, { hostname: "127.0.0.1" });
 * const answer = Promise.withResolvers<string>();
 * using client = createUdpEndpoint(0, {
 *   onReceivedData: (_endpoint, data) => answer.resolve(new TextDecoder().decode(data)),
 *   onError: () => {},
 * }, { hostname: "127.0.0.1" });
 * client.send("marco", "127.0.0.1", echo.getPort());
 * assert.equal(await answer.promise, "marco");
 * ```
 */
export function createUdpEndpoint(
  port: number,
  callbacks: UdpCallbacks,
  options: CreateUdpEndpointOptions = {},
): UdpEndpoint {
  const action = "create UDP endpoint";
  assertPort(action, port);
  assertCallbacks(action, "callbacks", callbacks, [
    "onReceivedData",
    "onError",
  ]);
  const hostname = bindHostname(action, options);
  let endpoint: DatagramEndpoint | undefined;
  try {
    endpoint = bindDatagramEndpoint("bind UDP endpoint", {
      hostname,
      port,
      maxPendingSends: options.maxPendingSends,
      maxPendingBytes: options.maxPendingBytes,
    });
  } catch (error) {
    // A bad option or a missing --unstable-net is a caller or setup error,
    // not a bind failure.
    if (error instanceof TypeError || error instanceof RangeError) throw error;
    // The message already names the address and port; the code (EADDRINUSE)
    // comes from the runtime's error, kept as cause.
    invoke(
      callbacks.onError,
      callbacks,
      errorCode(error),
      errorMessage(error),
    );
  }
  return createUdp({ endpoint, callbacks });
}
