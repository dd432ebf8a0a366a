// Copyright 2026 the moonwire authors. MIT license.
import { StreamSocket } from "./stream_socket.ts";
import { isPort } from "./_stream_validate.ts";
import { abortError, checkSignal } from "./_abort.ts";
import {
  errorCode,
  errorMessage,
  invoke,
  isHostnameFormat,
} from "./_callback_common.ts";
import {
  assertLinkCallbacks,
  createLink,
  type LinkCallbacks,
  startLink,
} from "./_callback_tcp_link.ts";

/** Options for {@linkcode connect}. */
export interface ConnectOptions {
  /** Milliseconds to wait for the connection before `onError` with code
   * `TimeoutError` (default 5000). */
  timeout?: number;
  /** Most bytes a link queues for sending (default 4 MiB). */
  maxQueuedBytes?: number;
  /**
   * Gives up connecting: `onError` runs once with code `AbortError` and
   * `Cannot connect to <host>:<port>: aborted`, on a later turn (also when
   * the signal fired before the call), and `onConnected` never does. Once
   * connected the signal does nothing: end the link with `close()`.
   */
  signal?: AbortSignal;
}

/**
 * Starts a TCP connection to `host`:`port` in the background; Cuberite's
 * `cNetwork:Connect`. On success `callbacks.onConnected(link)` runs, then
 * data arrives through `onReceivedData`; a failure (refused, unreachable,
 * timeout) reaches `onError`. No callback runs inside this call.
 *
 * @param host Host name or IP address (names use the system resolver).
 * @param port TCP port, 1–65535.
 * @param callbacks The link's callbacks.
 * @param options Connect timeout, send queue limit and abort signal.
 * @returns `true` when the connection was queued; `false` when it fails at
 * once, as the seed says: a bad port value (0, negative, above 65535, not an
 * integer, NaN) or a `host` not shaped like a host name. No callback is
 * called then.
 * @throws {TypeError} When `host` is not a string, `port` not a number, or a
 * callback not a function.
 * @throws {RangeError} When `timeout` or `maxQueuedBytes` is out of range.
 * @throws {TypeError} When `signal` is not an `AbortSignal`.
 *
 * @example A refused connection reaches onError
 * ```ts
 * import { connect } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const port = listener.addr.port;
 * listener.close(); // nothing listens there now
 * const failed = Promise.withResolvers<string>();
 * const queued = connect("127.0.0.1", port, {
 *   onConnected: () => failed.reject(new Error("connected")),
 *   onReceivedData: () => {},
 *   onRemoteClosed: () => {},
 *   onError: (_link, code) => failed.resolve(code),
 * });
 * assert.equal(queued, true);
 * assert.equal(await failed.promise, "ECONNREFUSED");
 * ```
 *
 * @example Give up connecting
 * ```ts
 * import { connect } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const failed = Promise.withResolvers<string>();
 * connect("127.0.0.1", 9, {
 *   onConnected: () => failed.reject(new Error("connected")),
 *   onReceivedData: () => {},
 *   onRemoteClosed: () => {},
 *   onError: (_link, code, message) => failed.resolve(`${code}: ${message}`),
 * }, { signal: AbortSignal.abort() });
 * assert.equal(
 *   await failed.promise,
 *   "AbortError: Cannot connect to 127.0.0.1:9: aborted",
 * );
 * ```
 */
export function connect(
  host: string,
  port: number,
  callbacks: LinkCallbacks,
  options: ConnectOptions = {},
): boolean {
  const action = "connect";
  if (typeof host !== "string") {
    throw new TypeError(
      `Cannot ${action}: host must be a string, got ${typeof host}`,
    );
  }
  if (typeof port !== "number") {
    throw new TypeError(
      `Cannot ${action}: port must be a number, got ${typeof port}`,
    );
  }
  assertLinkCallbacks(action, callbacks);
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Cannot ${action}: options must be an object`);
  }
  const timeout = options.timeout ?? 5000;
  const maxQueuedBytes = options.maxQueuedBytes ?? 4 * 1024 * 1024;
  for (
    const [name, value] of [["timeout", timeout], [
      "maxQueuedBytes",
      maxQueuedBytes,
    ]] as const
  ) {
    if (typeof value !== "number") {
      throw new TypeError(`Cannot ${action}: ${name} must be a number`);
    }
    if (!Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1) {
      throw new RangeError(
        `Cannot ${action}: ${name} ${value} is out of range 1-2147483647`,
      );
    }
  }
  const signal = checkSignal(options.signal, action);
  // The seed's Connect returns false when it fails immediately.
  if (!isPort(port, 1) || !isHostnameFormat(host)) return false;
  run(host, port, callbacks, timeout, maxQueuedBytes, signal);
  return true;
}

async function run(
  host: string,
  port: number,
  callbacks: LinkCallbacks,
  timeout: number,
  maxQueuedBytes: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  let socket: StreamSocket;
  try {
    socket = await StreamSocket.connect(host, port, {
      timeout,
      maxQueuedBytes,
      signal,
    });
  } catch (failure) {
    // StreamSocket.connect rejects with the signal's reason as it is; the
    // reason's own code must not stand in for the abort's.
    const aborted = signal?.aborted === true;
    const error = aborted
      ? abortError(`connect to ${host}:${port}`, signal!)
      : failure;
    const link = createLink({
      socket: undefined,
      remoteHost: host,
      remotePort: port,
      maxQueuedBytes,
    }, callbacks);
    // A timeout already names the target: say it once.
    const message = errorMessage(error);
    const target = `Cannot connect to ${host}:${port}`;
    invoke(
      callbacks.onError,
      callbacks,
      link,
      aborted ? "AbortError" : errorCode(error),
      message.startsWith(target) ? message : `${target}: ${message}`,
    );
    return;
  }
  const link = createLink({
    socket,
    remoteHost: host,
    remotePort: port,
    serverName: host,
    maxQueuedBytes,
  }, callbacks);
  invoke(callbacks.onConnected, callbacks, link);
  startLink(link);
}
