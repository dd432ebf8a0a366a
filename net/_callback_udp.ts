// Copyright 2026 the moonwire authors. MIT license.
// UdpEndpoint and its factory (createUdpEndpoint calls it); the public file
// (udp_endpoint.ts) exports only the class. Built on DatagramEndpoint.
import {
  type DatagramEndpoint,
  MAX_UDP_PAYLOAD,
  receiveEach,
  sendQueueFull,
} from "./_datagram_endpoint.ts";
import {
  assertPort,
  errorCode,
  errorMessage,
  invoke,
} from "./_callback_common.ts";

/** The callbacks of a UDP endpoint; Cuberite's `UDPCallbacks`. */
export interface UdpCallbacks {
  /**
   * A datagram arrived.
   *
   * @param endpoint The endpoint that received it.
   * @param data The datagram's bytes (the callback's to keep).
   * @param remoteHost The sender's IP address.
   * @param remotePort The sender's port.
   */
  onReceivedData(
    endpoint: UdpEndpoint,
    data: Uint8Array<ArrayBuffer>,
    remoteHost: string,
    remotePort: number,
  ): void;
  /**
   * Something failed: binding (called before `createUdpEndpoint()` returns;
   * the endpoint is then not open), a send, or a receive. A failed send or
   * receive does not close the endpoint.
   *
   * @param code An errno-style code (`EADDRINUSE`, `EACCES`) or an error
   * class name.
   * @param message What failed, then the details.
   */
  onError(code: string, message: string): void;
}

/** What createUdpEndpoint() hands over (internal). */
export interface UdpInit {
  endpoint: DatagramEndpoint | undefined;
  callbacks: UdpCallbacks;
}

const encoder = new TextEncoder();
let create: (init: UdpInit) => UdpEndpoint;

/**
 * A UDP socket driven by callbacks; Cuberite's `cUDPEndpoint`, made by
 * {@linkcode createUdpEndpoint}. Needs `--unstable-net`.
 *
 * Delivery: a datagram `send()` accepted (returned `true`) is handed to the
 * socket exactly once, in the order of the `send()` calls, also right after
 * the bind; `close()` hands every accepted datagram to the socket before
 * closing it (`closed` resolves after that). A send the socket refuses
 * reaches `onError` while the endpoint is open. UDP may still lose
 * datagrams on the network.
 *
 * @example Send a datagram to yourself
 * ```ts
 * import { createUdpEndpoint } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const got = Promise.withResolvers<string>();
 * const endpoint = createUdpEndpoint(0, {
 *   onReceivedData: (_endpoint, data) => got.resolve(new TextDecoder().decode(data)),
 *   onError: (code, message) => got.reject(new Error(`${code} ${message}`)),
 * }, { hostname: "127.0.0.1" });
 * endpoint.send("hello", "127.0.0.1", endpoint.getPort());
 * assert.equal(await got.promise, "hello");
 * endpoint.close();
 * await endpoint.closed;
 * ```
 */
export class UdpEndpoint implements Disposable {
  #endpoint: DatagramEndpoint | undefined;
  #callbacks: UdpCallbacks;
  #port: number;
  #open: boolean;
  #loop: Promise<void> = Promise.resolve();
  #sends = new Set<Promise<void>>();

  private constructor(init: UdpInit) {
    this.#endpoint = init.endpoint;
    this.#callbacks = init.callbacks;
    this.#port = init.endpoint?.port ?? 0;
    this.#open = init.endpoint !== undefined;
    if (init.endpoint) this.#loop = this.#receiveLoop(init.endpoint);
  }

  static {
    create = (init) => new UdpEndpoint(init);
  }

  /**
   * Whether the endpoint is bound and not closed.
   *
   * @returns `false` after a bind failure or `close()`.
   *
   * @example A port in use leaves the endpoint closed
   * ```ts
   * import { createUdpEndpoint } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * const first = createUdpEndpoint(0, {
   *   onReceivedData: () => {},
   *   onError: () => {},
   * }, { hostname: "127.0.0.1" });
   * const codes: string[] = [];
   * const second = createUdpEndpoint(first.getPort(), {
   *   onReceivedData: () => {},
   *   onError: (code) => codes.push(code),
   * }, { hostname: "127.0.0.1" });
   * assert.deepEqual(codes, ["EADDRINUSE"]); // before createUdpEndpoint returned
   * assert.equal(second.isOpen(), false);
   * first.close();
   * await first.closed;
   * ```
   */
  isOpen(): boolean {
    return this.#open;
  }

  /**
   * The local port: the real one when created with port 0.
   *
   * @returns The port, or 0 when the bind failed.
   *
   * @example Read the port
   * ```ts
   * import { createUdpEndpoint } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using endpoint = createUdpEndpoint(0, {
   *   onReceivedData: () => {},
   *   onError: () => {},
   * }, { hostname: "127.0.0.1" });
   * assert.ok(endpoint.getPort() > 0);
   * ```
   */
  getPort(): number {
    return this.#port;
  }

  /**
   * Resolves once the endpoint is closed, every accepted datagram was
   * handed to the socket and no receive is in flight. A moonwire addition.
   *
   * @example Wait after closing
   * ```ts
   * import { createUdpEndpoint } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * const endpoint = createUdpEndpoint(0, {
   *   onReceivedData: () => {},
   *   onError: () => {},
   * }, { hostname: "127.0.0.1" });
   * endpoint.close();
   * await endpoint.closed;
   * assert.equal(endpoint.isOpen(), false);
   * ```
   */
  get closed(): Promise<void> {
    return Promise.allSettled([
      this.#loop,
      this.#endpoint?.closed,
      ...this.#sends,
    ]).then(() => {});
  }

  /**
   * Sends one datagram in the background; Cuberite's `Send`. Accepted
   * datagrams are handed to the socket in call order, and `close()` hands
   * them over before closing. A failure to deliver it to the network
   * (unreachable, broadcast not enabled) reaches `onError` and leaves the
   * endpoint open; after `close()` no callback runs, so a failure during
   * the close is not reported.
   *
   * @param data The payload (a string is sent as UTF-8); copied.
   * @param host The destination IP address or host name.
   * @param port The destination port, 1–65535.
   * @returns `true` when accepted (it will be handed to the socket),
   * `false` when the endpoint is not open or its send queue is full
   * (`maxPendingSends` datagrams or `maxPendingBytes` bytes would be
   * waiting; nothing is sent, retry later).
   * @throws {TypeError} When an argument has the wrong type.
   * @throws {RangeError} When the port is out of range or the payload is
   * longer than 65507 bytes.
   *
   * @example Send to another endpoint
   * ```ts
   * import { createUdpEndpoint } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * const got = Promise.withResolvers<number>();
   * using receiver = createUdpEndpoint(0, {
   *   onReceivedData: (_endpoint, data) => got.resolve(data.length),
   *   onError: () => {},
   * }, { hostname: "127.0.0.1" });
   * using sender = createUdpEndpoint(0, {
   *   onReceivedData: () => {},
   *   onError: () => {},
   * }, { hostname: "127.0.0.1" });
   * assert.equal(sender.send(new Uint8Array(3), "127.0.0.1", receiver.getPort()), true);
   * assert.equal(await got.promise, 3);
   * ```
   */
  send(data: Uint8Array | string, host: string, port: number): boolean {
    const action = "send datagram";
    let bytes: Uint8Array;
    // DatagramEndpoint.send copies the bytes when it accepts them.
    if (typeof data === "string") bytes = encoder.encode(data);
    else if (data instanceof Uint8Array) bytes = data;
    else {
      throw new TypeError(
        `Cannot ${action}: data must be a Uint8Array or a string, got ${typeof data}`,
      );
    }
    if (typeof host !== "string") {
      throw new TypeError(
        `Cannot ${action}: host must be a string, got ${typeof host}`,
      );
    }
    assertPort(action, port);
    if (port === 0) {
      throw new RangeError(`Cannot ${action}: port 0 is out of range 1-65535`);
    }
    if (bytes.length > MAX_UDP_PAYLOAD) {
      throw new RangeError(
        `Cannot ${action}: size ${bytes.length} exceeds limit ${MAX_UDP_PAYLOAD}`,
      );
    }
    const endpoint = this.#endpoint;
    if (!this.#open || !endpoint) return false;
    if (sendQueueFull(endpoint, 1, bytes.length) !== undefined) return false;
    const sending = endpoint.send(bytes, host, port).then(
      () => {},
      (error) => {
        if (!this.#open) return;
        let message = errorMessage(error);
        let code = errorCode(error);
        if (/broadcast is off/.test(message)) {
          // The gate in DatagramEndpoint: speak this API's words.
          code = "EACCES";
          message =
            `Cannot ${action}: ${host} is a broadcast address; call enableBroadcasts() first`;
        } else if (!message.startsWith("Cannot ")) {
          message = `Cannot ${action} to ${host}:${port}: ${message}`;
        }
        invoke(this.#callbacks.onError, this.#callbacks, code, message);
      },
    );
    this.#sends.add(sending);
    sending.then(() => this.#sends.delete(sending));
    return true;
  }

  /**
   * Allows sending to broadcast addresses; Cuberite's `EnableBroadcasts`.
   * Deno 2.9.6 sets `SO_BROADCAST` on every UDP socket and cannot clear it,
   * so moonwire enforces the switch itself: until this is called, a send to
   * `255.255.255.255` or a local directed broadcast address fails with
   * `onError` code `EACCES` (what the kernel says without `SO_BROADCAST`).
   *
   * @example Enable broadcasts
   * ```ts
   * import { createUdpEndpoint } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using endpoint = createUdpEndpoint(0, {
   *   onReceivedData: () => {},
   *   onError: () => {},
   * }, { hostname: "127.0.0.1" });
   * endpoint.enableBroadcasts();
   * assert.equal(endpoint.isOpen(), true);
   * ```
   */
  enableBroadcasts(): void {
    if (this.#open) this.#endpoint?.setBroadcast(true);
  }

  /**
   * Closes the endpoint; no callback runs afterwards. Datagrams `send()`
   * accepted are handed to the socket first (see `closed`). Idempotent.
   *
   * @example Close twice
   * ```ts
   * import { createUdpEndpoint } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * const endpoint = createUdpEndpoint(0, {
   *   onReceivedData: () => {},
   *   onError: () => {},
   * }, { hostname: "127.0.0.1" });
   * endpoint.close();
   * endpoint.close();
   * assert.equal(endpoint.send("x", "127.0.0.1", 9), false);
   * await endpoint.closed;
   * ```
   */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#endpoint?.close();
  }

  /** Same as {@linkcode UdpEndpoint.prototype.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #receiveLoop(endpoint: DatagramEndpoint): Promise<void> {
    return receiveEach(
      endpoint,
      ({ data, hostname, port }) =>
        invoke(
          this.#callbacks.onReceivedData,
          this.#callbacks,
          this,
          data,
          hostname,
          port,
        ),
      // E.g. an ICMP "port unreachable" for an earlier send: report it and
      // keep receiving (the kernel clears the error once reported).
      (error) =>
        invoke(
          this.#callbacks.onError,
          this.#callbacks,
          errorCode(error),
          `Cannot receive datagram: ${errorMessage(error)}`,
        ),
    );
  }
}

/** Builds an endpoint (internal: createUdpEndpoint() calls this). */
export function createUdp(init: UdpInit): UdpEndpoint {
  return create(init);
}
