// Copyright 2026 the moonwire authors. MIT license.
// DatagramEndpoint and bindDatagramEndpoint(), the one way every UDP entry
// (DatagramEndpoint.bind, openUdp, createUdpEndpoint, UdpModem.create) opens
// a socket, so each names its own action in bind errors, and sendQueueFull(),
// which lets each face refuse a send in its own idiom when the bounded send
// queue is full. The public file (datagram_endpoint.ts) exports only the
// class and its types.
import { ConnectionClosedError } from "./errors.ts";
import {
  bindSettings,
  checkPort,
  type DatagramEndpointOptions,
  type SendLimits,
} from "./_datagram_options.ts";
import { broadcastAddresses, parseIpv4 } from "./_ipv4_broadcast.ts";

export {
  type DatagramEndpointOptions,
  MAX_UDP_PAYLOAD,
} from "./_datagram_options.ts";

/** A datagram accepted by `send()` and not yet handed to the socket. */
interface QueuedSend {
  data: Uint8Array<ArrayBuffer>;
  hostname: string;
  port: number;
  resolve(sent: number): void;
  reject(error: unknown): void;
}

/** One datagram received by a {@linkcode DatagramEndpoint}. */
export interface ReceivedDatagram {
  /** The payload (its own buffer, exactly the datagram's size). */
  data: Uint8Array<ArrayBuffer>;
  /** Sender's IP address. */
  hostname: string;
  /** Sender's port. */
  port: number;
}

let construct: (
  conn: Deno.DatagramConn,
  limits: SendLimits,
) => DatagramEndpoint;
let queueFull: (
  endpoint: DatagramEndpoint,
  count: number,
  bytes: number,
) => string | undefined;

/**
 * Why `count` more datagrams of `bytes` payload bytes in all do not fit the
 * endpoint's send queue now (`"send queue is full (1024 datagrams)"`), or
 * `undefined` when they do. The faces ask before sending so a refusal is
 * their own synchronous answer (`false`, a throw), never a late rejection.
 */
export function sendQueueFull(
  endpoint: DatagramEndpoint,
  count: number,
  bytes: number,
): string | undefined {
  return queueFull(endpoint, count, bytes);
}

/**
 * Binds a {@linkcode DatagramEndpoint}; errors say `Cannot <action>`. A
 * missing `--unstable-net` is a TypeError that names the flag; a failed bind
 * keeps its class (`Deno.errors.AddrInUse` ...) and names the address and
 * port, with the runtime's error as `cause`.
 */
export function bindDatagramEndpoint(
  action: string,
  options: DatagramEndpointOptions = {},
): DatagramEndpoint {
  const { hostname, port, reuseAddress, loopback, limits } = bindSettings(
    action,
    options,
  );
  let conn: Deno.DatagramConn;
  try {
    conn = Deno.listenDatagram({
      transport: "udp",
      hostname,
      port,
      reuseAddress,
      loopback,
    });
  } catch (error) {
    if (typeof Deno.listenDatagram !== "function") {
      throw new TypeError(
        `Cannot ${action}: Deno.listenDatagram needs the --unstable-net flag (or "unstable": ["net"] in deno.json)`,
        { cause: error },
      );
    }
    throw bindError(
      error,
      `Cannot ${action} on ${hostname}:${port}: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  return construct(conn, limits);
}

/**
 * The receive loop of every face: calls `onDatagram` for each datagram until
 * the endpoint closes, and `onError` for each receive error (an ICMP "port
 * unreachable" for an earlier send, say), then keeps receiving.
 */
export async function receiveEach(
  endpoint: DatagramEndpoint,
  onDatagram: (datagram: ReceivedDatagram) => void,
  onError: (error: unknown) => void,
): Promise<void> {
  while (true) {
    let datagram;
    try {
      datagram = await endpoint.receive();
    } catch (error) {
      if (endpoint.isClosed) return;
      onError(error);
      // Let timers and I/O run before retrying: an error that repeats at
      // once must not spin the event loop.
      await new Promise((resolve) => setTimeout(resolve, 10));
      continue;
    }
    if (datagram === null) return;
    onDatagram(datagram);
  }
}

// The runtime's bind errors name no address; keep the class (callers catch
// Deno.errors.AddrInUse) and say which address failed.
function bindError(error: unknown, message: string): Error {
  for (const ErrorClass of Object.values(Deno.errors)) {
    if (error instanceof Error && error.constructor === ErrorClass) {
      return new ErrorClass(message, { cause: error });
    }
  }
  return new Error(message, { cause: error });
}

/**
 * A bound UDP socket: send to and receive from any address, join IPv4
 * multicast groups. Needs `--unstable-net` (or `"unstable": ["net"]` in
 * `deno.json`) and `--allow-net`.
 *
 * Broadcast: Deno 2.9.6 turns `SO_BROADCAST` on for every UDP socket it
 * creates and has no call to turn it off, so the kernel would send to
 * broadcast addresses from any socket. This class keeps broadcast off by
 * default anyway and refuses, with an `Error`, to send to `255.255.255.255`
 * or a local interface's directed broadcast address (the latter only when
 * the `sys` permission for network interfaces is granted) until
 * `setBroadcast(true)` is called.
 *
 * Delivery: `send()` checks its arguments, the closed state, the
 * broadcast gate and the send-queue bounds (`maxPendingSends`,
 * `maxPendingBytes`) when it is called (the promise rejects with those
 * errors); a datagram that passes is *accepted*. Accepted datagrams are handed to
 * the socket one at a time, in the order of the `send()` calls (Deno's
 * concurrent sends on one socket can leave in any order, and do reverse
 * right after a bind); the promise resolves when the kernel has taken the
 * datagram, or rejects with the socket's error. `close()` hands every
 * accepted datagram to the socket first, then closes it; `closed` resolves
 * once that is done. UDP itself may still lose or reorder datagrams on the
 * network.
 *
 * @example Two endpoints on loopback
 * ```ts
 * import { DatagramEndpoint } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * using a = DatagramEndpoint.bind();
 * using b = DatagramEndpoint.bind({ hostname: "127.0.0.1", port: 0 });
 * await a.send(new TextEncoder().encode("ping"), "127.0.0.1", b.port);
 * const datagram = await b.receive();
 * assert.equal(new TextDecoder().decode(datagram!.data), "ping");
 * assert.equal(datagram!.port, a.port);
 * ```
 */
export class DatagramEndpoint
  implements AsyncIterable<ReceivedDatagram>, Disposable, AsyncDisposable {
  #conn: Deno.DatagramConn;
  #addr: Deno.NetAddr;
  #maxDatagramSize: number;
  #maxPendingSends: number;
  #maxPendingBytes: number;
  // Accepted and not yet settled by the socket: queued plus the one in flight.
  #pendingSends = 0;
  #pendingBytes = 0;
  #closed = false;
  #closedDone = Promise.withResolvers<void>();
  #queue: QueuedSend[] = [];
  #sending = false;
  #broadcast = false;
  #buffer: Uint8Array<ArrayBuffer> | null;
  #memberships = new Map<string, Deno.MulticastV4Membership>();

  private constructor(conn: Deno.DatagramConn, limits: SendLimits) {
    const { maxDatagramSize } = limits;
    this.#conn = conn;
    this.#addr = conn.addr as Deno.NetAddr;
    this.#maxDatagramSize = maxDatagramSize;
    this.#maxPendingSends = limits.maxPendingSends;
    this.#maxPendingBytes = limits.maxPendingBytes;
    // One byte more than the limit, so oversize datagrams can be told apart.
    this.#buffer = new Uint8Array(maxDatagramSize + 1);
  }

  /**
   * Binds a UDP socket.
   *
   * @param options Local address and port, socket options, size limit.
   * @returns The bound endpoint.
   * @throws {RangeError} For a port outside 0–65535 or a bad size or
   * queue limit.
   * @throws {TypeError} Without `--unstable-net` (the message says so).
   * @throws {Deno.errors.AddrInUse} When the port is taken (the message
   * names the address and port).
   *
   * @example Bind to a free port
   * ```ts
   * import { DatagramEndpoint } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using endpoint = DatagramEndpoint.bind({ port: 0 });
   * assert.equal(endpoint.hostname, "127.0.0.1");
   * assert.ok(endpoint.port > 0);
   * ```
   */
  static bind(options: DatagramEndpointOptions = {}): DatagramEndpoint {
    return bindDatagramEndpoint("bind datagram endpoint", options);
  }

  static {
    construct = (conn, limits) => new DatagramEndpoint(conn, limits);
    queueFull = (endpoint, count, bytes) => endpoint.#queueFull(count, bytes);
  }

  /** The bound local address. */
  get hostname(): string {
    return this.#addr.hostname;
  }

  /** The bound local port (the real one when bound to port 0). */
  get port(): number {
    return this.#addr.port;
  }

  /** Largest datagram, in bytes, sent or accepted. */
  get maxDatagramSize(): number {
    return this.#maxDatagramSize;
  }

  /** Most datagrams accepted and not yet taken by the socket. */
  get maxPendingSends(): number {
    return this.#maxPendingSends;
  }

  /** Most payload bytes accepted and not yet taken by the socket. */
  get maxPendingBytes(): number {
    return this.#maxPendingBytes;
  }

  /**
   * Datagrams accepted and not yet taken by the socket.
   *
   * @example The queue empties as the socket takes datagrams
   * ```ts
   * import { DatagramEndpoint } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using endpoint = DatagramEndpoint.bind();
   * const sent = endpoint.send(new Uint8Array(5), "127.0.0.1", endpoint.port);
   * assert.equal(endpoint.pendingSends, 1);
   * assert.equal(endpoint.pendingBytes, 5);
   * await sent;
   * assert.equal(endpoint.pendingSends, 0);
   * ```
   */
  get pendingSends(): number {
    return this.#pendingSends;
  }

  /** Payload bytes of the datagrams in {@linkcode pendingSends}. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Whether sending to broadcast addresses is allowed. */
  get broadcast(): boolean {
    return this.#broadcast;
  }

  /** Whether `close()` has been called. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Resolves once `close()` has handed every accepted datagram to the
   * socket and closed it.
   *
   * @example Wait for the close
   * ```ts
   * import { DatagramEndpoint } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * const endpoint = DatagramEndpoint.bind();
   * const sent = endpoint.send(new Uint8Array([7]), "127.0.0.1", endpoint.port);
   * endpoint.close();
   * assert.equal(await sent, 1); // handed to the socket before it closed
   * await endpoint.closed;
   * assert.equal(endpoint.isClosed, true);
   * ```
   */
  get closed(): Promise<void> {
    return this.#closedDone.promise;
  }

  /**
   * Sends one datagram. The checks below run and the payload is copied when
   * the call is made; a datagram that passes them is accepted and handed to
   * the socket in call order, also when `close()` follows in the same turn.
   *
   * @param data The payload, at most `maxDatagramSize` bytes.
   * @param hostname Destination IP address or name.
   * @param port Destination port, 1–65535.
   * @returns The number of bytes sent, once the socket has taken the datagram.
   * @throws {RangeError} When the payload is too long or the port is out of
   * range, or when the send queue is full: `maxPendingSends` datagrams or
   * `maxPendingBytes` bytes would be waiting (`Cannot send datagram to
   * 127.0.0.1:9: send queue is full (1024 datagrams)`); nothing is sent,
   * retry once earlier sends resolved.
   * @throws {ConnectionClosedError} After `close()`.
   * @throws {Error} For a broadcast destination while broadcast is off.
   *
   * @example Send to yourself
   * ```ts
   * import { DatagramEndpoint } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using endpoint = DatagramEndpoint.bind();
   * assert.equal(await endpoint.send(new Uint8Array([1, 2, 3]), "127.0.0.1", endpoint.port), 3);
   * assert.deepEqual((await endpoint.receive())!.data, new Uint8Array([1, 2, 3]));
   * ```
   */
  send(
    data: Uint8Array,
    hostname: string,
    port: number,
  ): Promise<number> {
    try {
      return this.#enqueue(data, hostname, port);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #enqueue(
    data: Uint8Array,
    hostname: string,
    port: number,
  ): Promise<number> {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot send datagram: data must be a Uint8Array, got ${typeof data}`,
      );
    }
    if (typeof hostname !== "string") {
      throw new TypeError(
        `Cannot send datagram: hostname must be a string, got ${typeof hostname}`,
      );
    }
    checkPort("send datagram", port, 1);
    if (data.length > this.#maxDatagramSize) {
      throw new RangeError(
        `Cannot send datagram: size ${data.length} exceeds limit ${this.#maxDatagramSize}`,
      );
    }
    if (this.#closed) {
      throw new ConnectionClosedError(
        "Cannot send datagram: endpoint is closed",
      );
    }
    if (!this.#broadcast && broadcastAddresses().has(hostname)) {
      throw new Error(
        `Cannot send datagram: ${hostname} is a broadcast address and broadcast is off; call setBroadcast(true) first`,
      );
    }
    const full = this.#queueFull(1, data.length);
    if (full !== undefined) {
      throw new RangeError(
        `Cannot send datagram to ${hostname}:${port}: ${full}`,
      );
    }
    this.#pendingSends++;
    this.#pendingBytes += data.length;
    const { promise, resolve, reject } = Promise.withResolvers<number>();
    this.#queue.push({ data: data.slice(), hostname, port, resolve, reject });
    if (!this.#sending) this.#sendQueued();
    return promise;
  }

  // The one sender: a single socket send in flight, so datagrams leave in
  // call order. The queue is re-checked after every await and the flag is
  // cleared in the same turn as the empty check, so a send made during the
  // last await is never stranded.
  async #sendQueued(): Promise<void> {
    this.#sending = true;
    while (this.#queue.length > 0) {
      const { data, hostname, port, resolve, reject } = this.#queue.shift()!;
      try {
        resolve(
          await this.#conn.send(data, { transport: "udp", hostname, port }),
        );
      } catch (error) {
        reject(error);
      } finally {
        this.#pendingSends--;
        this.#pendingBytes -= data.length;
      }
    }
    this.#sending = false;
    if (this.#closed) this.#closeSocket();
  }

  #queueFull(count: number, bytes: number): string | undefined {
    if (this.#pendingSends + count > this.#maxPendingSends) {
      return count === 1 && this.#pendingSends === this.#maxPendingSends
        ? `send queue is full (${this.#maxPendingSends} datagrams)`
        : `send queue is full (${this.#pendingSends} of ${this.#maxPendingSends} datagrams queued, ${count} more do not fit)`;
    }
    if (this.#pendingBytes + bytes > this.#maxPendingBytes) {
      return `send queue is full (${this.#pendingBytes} of ${this.#maxPendingBytes} bytes queued, ${bytes} more do not fit)`;
    }
    return undefined;
  }

  /**
   * Waits for the next datagram. Datagrams longer than `maxDatagramSize` are
   * dropped.
   *
   * @returns The datagram, or `null` once the endpoint is closed (a pending
   * call resolves `null` when `close()` has handed the accepted sends to the
   * socket and closed it).
   *
   * @example Receive resolves null after close
   * ```ts
   * import { DatagramEndpoint } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * const endpoint = DatagramEndpoint.bind();
   * const pending = endpoint.receive();
   * endpoint.close();
   * assert.equal(await pending, null);
   * ```
   */
  async receive(): Promise<ReceivedDatagram | null> {
    while (!this.#closed) {
      // Reuse one receive buffer; concurrent receives get their own.
      const buffer = this.#buffer ?? new Uint8Array(this.#maxDatagramSize + 1);
      this.#buffer = null;
      let received: [Uint8Array, Deno.Addr];
      try {
        received = await this.#conn.receive(buffer);
      } catch (error) {
        if (this.#closed) return null;
        throw error;
      } finally {
        this.#buffer = buffer;
      }
      // Closed while the socket stays open to finish the accepted sends.
      if (this.#closed) return null;
      const [view, addr] = received;
      if (view.length > this.#maxDatagramSize) continue;
      const { hostname, port } = addr as Deno.NetAddr;
      return { data: view.slice(), hostname, port };
    }
    return null;
  }

  /**
   * Yields datagrams until the endpoint is closed.
   *
   * @returns An async iterator of received datagrams.
   *
   * @example Iterate
   * ```ts
   * import { DatagramEndpoint } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using endpoint = DatagramEndpoint.bind();
   * await endpoint.send(new Uint8Array([42]), "127.0.0.1", endpoint.port);
   * for await (const datagram of endpoint) {
   *   assert.deepEqual(datagram.data, new Uint8Array([42]));
   *   break;
   * }
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncIterator<ReceivedDatagram> {
    while (true) {
      const datagram = await this.receive();
      if (datagram === null) return;
      yield datagram;
    }
  }

  /**
   * Joins an IPv4 multicast group so datagrams sent to it arrive here. Bind
   * to `"0.0.0.0"` (and the group's port) to receive them. Memberships end
   * with `leaveMulticast()` or `close()`.
   *
   * Deno cannot choose the interface multicast datagrams are *sent* from:
   * they follow the routing table.
   *
   * @param group The group address, 224.0.0.0–239.255.255.255.
   * @param networkInterface Address of the local interface to join on.
   * @returns Resolves once joined.
   * @throws {TypeError} When `group` is not an IPv4 address.
   * @throws {RangeError} When `group` is not a multicast address.
   *
   * @example Join a group (error cases need no network)
   * ```ts
   * import { DatagramEndpoint } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using endpoint = DatagramEndpoint.bind();
   * await assert.rejects(endpoint.joinMulticast("10.0.0.1"), {
   *   name: "RangeError",
   *   message: "Cannot join multicast group: 10.0.0.1 is not in 224.0.0.0/4",
   * });
   * ```
   */
  async joinMulticast(
    group: string,
    networkInterface = "0.0.0.0",
  ): Promise<void> {
    const parts = typeof group === "string" ? parseIpv4(group) : null;
    if (parts === null) {
      throw new TypeError(
        `Cannot join multicast group: ${String(group)} is not an IPv4 address`,
      );
    }
    if (parts[0] < 224 || parts[0] > 239) {
      throw new RangeError(
        `Cannot join multicast group: ${group} is not in 224.0.0.0/4`,
      );
    }
    if (parseIpv4(networkInterface) === null) {
      throw new TypeError(
        `Cannot join multicast group: interface ${
          String(networkInterface)
        } is not an IPv4 address`,
      );
    }
    if (this.#closed) {
      throw new ConnectionClosedError(
        "Cannot join multicast group: endpoint is closed",
      );
    }
    const key = `${group}@${networkInterface}`;
    if (this.#memberships.has(key)) return;
    const membership = await this.#conn.joinMulticastV4(
      group,
      networkInterface,
    );
    this.#memberships.set(key, membership);
  }

  /**
   * Leaves a multicast group joined with {@linkcode joinMulticast}.
   *
   * @param group The group address.
   * @param networkInterface The interface address used to join.
   * @returns Resolves once left (at once when not a member).
   */
  async leaveMulticast(
    group: string,
    networkInterface = "0.0.0.0",
  ): Promise<void> {
    const key = `${group}@${networkInterface}`;
    const membership = this.#memberships.get(key);
    if (membership === undefined) return;
    this.#memberships.delete(key);
    if (!this.#closed) await membership.leave();
  }

  /**
   * Allows or forbids sending to broadcast addresses. See the class
   * documentation: Deno's socket always has `SO_BROADCAST` set, so this is
   * enforced by `send()` rather than by the kernel.
   *
   * @param enabled Whether broadcast sends are allowed.
   *
   * @example Broadcast is off by default
   * ```ts
   * import { DatagramEndpoint } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using endpoint = DatagramEndpoint.bind();
   * await assert.rejects(endpoint.send(new Uint8Array(1), "255.255.255.255", 9), {
   *   message: "Cannot send datagram: 255.255.255.255 is a broadcast address and broadcast is off; call setBroadcast(true) first",
   * });
   * endpoint.setBroadcast(true);
   * assert.equal(endpoint.broadcast, true);
   * ```
   */
  setBroadcast(enabled: boolean): void {
    if (typeof enabled !== "boolean") {
      throw new TypeError(
        `Cannot set broadcast: enabled must be a boolean, got ${typeof enabled}`,
      );
    }
    this.#broadcast = enabled;
  }

  /**
   * Closes the endpoint: later `send()` calls reject, later `receive()`
   * calls give `null`. Every accepted datagram is handed to the socket
   * first; then the socket closes, pending `receive()` calls give `null` and
   * `closed` resolves. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#memberships.clear();
    if (!this.#sending) this.#closeSocket();
  }

  #closeSocket(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed by the runtime.
    }
    this.#closedDone.resolve();
  }

  /** Same as {@linkcode close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Closes and waits for `closed`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.closed;
  }
}
