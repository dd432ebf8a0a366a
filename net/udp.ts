// Copyright 2026 the moonwire authors. MIT license.
/**
 * UDP sockets of the polling API (Pragtical `net.udp`, `net.open_udp`).
 * Needs `--unstable-net`.
 *
 * @module
 */
import { Address } from "./address.ts";
import { Datagram } from "./datagram.ts";
import {
  bindDatagramEndpoint,
  type DatagramEndpoint,
  receiveEach,
  sendQueueFull,
} from "./_datagram_endpoint.ts";
import { ConnectionClosedError } from "./errors.ts";
import { checkPort } from "./_stream_validate.ts";
import { checkPositiveInteger, resolvedIp } from "./_poll_validate.ts";

/** Options for {@linkcode openUdp}. */
export interface OpenUdpOptions {
  /** Received datagrams kept until `receive()`; the oldest drop first. Default 1024. */
  maxQueued?: number;
  /**
   * Accepted datagrams not yet handed to the socket; `send()` returns false
   * beyond. Default 64.
   */
  maxPendingSends?: number;
  /**
   * Payload bytes of those datagrams; `send()` returns false beyond. At
   * least 65507 (the largest datagram). Default 4 MiB.
   */
  maxPendingBytes?: number;
}

const encoder = new TextEncoder();

/**
 * A UDP socket driven by polling: datagrams are received in the background
 * and taken with {@linkcode Udp.receive}, which never waits.
 *
 * Delivery: a datagram `send()` accepted (returned `true`) is handed to the
 * socket exactly once, in the order of the `send()` calls; `close()` hands
 * every accepted datagram to the socket before closing it. A send the
 * socket refuses is kept in `error`. UDP may still lose datagrams on the
 * network.
 *
 * @example Send to yourself
 * ```ts
 * import { openUdp, resolveAddress } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const local = resolveAddress("127.0.0.1");
 * await using udp = openUdp(local, 0);
 * assert.equal(udp.send(local, udp.getPort(), "hello"), true);
 * let datagram = udp.receive();
 * while (datagram === null) {
 *   await new Promise((resolve) => setTimeout(resolve, 10));
 *   datagram = udp.receive();
 * }
 * assert.equal(new TextDecoder().decode(datagram.getData()), "hello");
 * assert.equal(datagram.getPort(), udp.getPort());
 * ```
 */
export class Udp implements Disposable, AsyncDisposable {
  #endpoint: DatagramEndpoint;
  #queue: Datagram[] = [];
  #maxQueued: number;
  #dropped = 0;
  #error: Error | null = null;
  #closed = false;
  #loop: Promise<void>;
  #closedDone = Promise.withResolvers<void>();

  /**
   * Binds a UDP socket. Same as {@linkcode openUdp}.
   *
   * @param address Resolved local address to bind, or `null` for all interfaces.
   * @param port Local port, 0–65535; 0 picks a free one (see `getPort()`).
   * @param options Receive queue and send limits.
   */
  constructor(
    address: Address | null | undefined,
    port: number,
    options: OpenUdpOptions = {},
  ) {
    const hostname = address === null || address === undefined
      ? "0.0.0.0"
      : resolvedIp(address, "open UDP socket");
    checkPort(port, "open UDP socket");
    this.#maxQueued = checkPositiveInteger(
      options.maxQueued ?? 1024,
      "maxQueued",
      "open UDP socket",
    );
    // The endpoint's send queue is the one bound on pending sends.
    this.#endpoint = bindDatagramEndpoint("open UDP socket", {
      hostname,
      port,
      maxPendingSends: options.maxPendingSends ?? 64,
      maxPendingBytes: options.maxPendingBytes,
    });
    this.#loop = receiveEach(
      this.#endpoint,
      ({ data, hostname, port }) => {
        if (this.#queue.length >= this.#maxQueued) {
          this.#queue.shift();
          this.#dropped++;
        }
        this.#queue.push(
          new Datagram(data, new Address(hostname, { ip: hostname }), port),
        );
      },
      (error) => {
        this.#error = error instanceof Error ? error : new Error(String(error));
      },
    );
  }

  /**
   * Takes the next received datagram. Never waits.
   *
   * @returns A datagram, or `null` when none is waiting (or after `close()`).
   */
  receive(): Datagram | null {
    return this.#queue.shift() ?? null;
  }

  /**
   * Accepts one datagram for sending; never waits. Strings are sent as
   * UTF-8; bytes are copied. Accepted datagrams are handed to the socket in
   * call order, also when `close()` follows at once; a failure that happens
   * later is kept in `error`.
   *
   * @param address Resolved destination address.
   * @param port Destination port, 1–65535.
   * @param data Payload bytes or text.
   * @returns `true` when accepted (it will be handed to the socket), `false`
   *   when the send queue is full: `maxPendingSends` datagrams or
   *   `maxPendingBytes` bytes would be waiting (nothing is sent; retry
   *   later).
   * @throws {ConnectionClosedError} After `close()`.
   * @throws {RangeError} When `data` is longer than 65507 bytes.
   */
  send(address: Address, port: number, data: Uint8Array | string): boolean {
    const ip = resolvedIp(address, "send datagram");
    checkPort(port, "send datagram");
    if (typeof data !== "string" && !(data instanceof Uint8Array)) {
      throw new TypeError(
        "Cannot send datagram: data must be a Uint8Array or string",
      );
    }
    if (this.#closed) {
      throw new ConnectionClosedError("Cannot send datagram: socket is closed");
    }
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    if (bytes.length > this.#endpoint.maxDatagramSize) {
      throw new RangeError(
        `Cannot send datagram: size ${bytes.length} exceeds limit ${this.#endpoint.maxDatagramSize}`,
      );
    }
    if (sendQueueFull(this.#endpoint, 1, bytes.length) !== undefined) {
      return false;
    }
    // The endpoint queues and sends in call order, and flushes on close.
    this.#endpoint.send(bytes, ip, port).catch((error) => {
      this.#error = error instanceof Error ? error : new Error(String(error));
    });
    return true;
  }

  /**
   * The local port (the real one when opened with port 0).
   *
   * @returns The port.
   */
  getPort(): number {
    return this.#endpoint.port;
  }

  /** Datagrams dropped because the receive queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The last send or receive error, else `null`. */
  get error(): Error | null {
    return this.#error;
  }

  /**
   * Resolves once `close()` ran, every accepted datagram was handed to the
   * socket and no receive is in flight.
   */
  get closed(): Promise<void> {
    return this.#closedDone.promise;
  }

  /**
   * Closes the socket; idempotent. Every datagram `send()` accepted is
   * handed to the socket first (see `closed`); received datagrams not yet
   * taken with `receive()` are dropped.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#endpoint.close();
    this.#queue = [];
    Promise.allSettled([this.#loop, this.#endpoint.closed]).then(() =>
      this.#closedDone.resolve()
    );
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Closes and waits until nothing is in flight. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.closed;
  }
}

/**
 * Opens a UDP socket bound to `address` (all interfaces when `null`) and
 * `port`. Datagrams arrive in the background; take them with `receive()`.
 *
 * @param address Resolved local address, or `null` for all interfaces.
 * @param port Local port, 0–65535; 0 picks a free one.
 * @param options Receive queue and send limits.
 * @returns The socket.
 *
 * @example Bind to a free port
 * ```ts
 * import { openUdp, resolveAddress } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * await using udp = openUdp(resolveAddress("127.0.0.1"), 0);
 * assert.ok(udp.getPort() > 0);
 * assert.equal(udp.receive(), null);
 * ```
 */
export function openUdp(
  address: Address | null | undefined,
  port: number,
  options?: OpenUdpOptions,
): Udp {
  return new Udp(address, port, options);
}
