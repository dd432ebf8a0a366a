// Copyright 2026 the moonwire authors. MIT license.
// DatagramEndpoint and bindDatagramEndpoint(), the one way every UDP entry
// (DatagramEndpoint.bind, openUdp, createUdpEndpoint, UdpModem.create) opens
// a socket, so each names its own action in bind errors. The public file
// (datagram_endpoint.ts) exports only the class and its types.
import { ConnectionClosedError } from "./errors.ts";

/** A datagram accepted by `send()` and not yet handed to the socket. */
interface QueuedSend {
  data: Uint8Array<ArrayBuffer>;
  hostname: string;
  port: number;
  resolve(sent: number): void;
  reject(error: unknown): void;
}

/** Largest UDP payload over IPv4 (65535 − 8 − 20). */
export const MAX_UDP_PAYLOAD = 65507;

/** One datagram received by a {@linkcode DatagramEndpoint}. */
export interface ReceivedDatagram {
  /** The payload (its own buffer, exactly the datagram's size). */
  data: Uint8Array<ArrayBuffer>;
  /** Sender's IP address. */
  hostname: string;
  /** Sender's port. */
  port: number;
}

/** Options for {@linkcode DatagramEndpoint.bind}. */
export interface DatagramEndpointOptions {
  /**
   * Local address to bind; `"0.0.0.0"` for all interfaces (needed to receive
   * multicast or broadcast).
   *
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * Local port; `0` picks a free one (read it back from `port`).
   *
   * @default {0}
   */
  port?: number;
  /**
   * Set `SO_REUSEADDR`/`SO_REUSEPORT` so several endpoints can share a port
   * (several multicast listeners on one host).
   *
   * @default {false}
   */
  reuseAddress?: boolean;
  /**
   * Loop multicast datagrams this endpoint sends back to the local host.
   *
   * @default {false}
   */
  loopback?: boolean;
  /**
   * Largest datagram, in bytes, sent or accepted. Sending a longer one is a
   * `RangeError`; received ones that are longer are dropped.
   *
   * @default {65507}
   */
  maxDatagramSize?: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(address: string): number[] | null {
  const match = IPV4.exec(address);
  if (match === null) return null;
  const parts = match.slice(1).map(Number);
  return parts.every((part) => part <= 255) ? parts : null;
}

let construct: (
  conn: Deno.DatagramConn,
  maxDatagramSize: number,
) => DatagramEndpoint;

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
  const {
    hostname = "127.0.0.1",
    port = 0,
    reuseAddress = false,
    loopback = false,
    maxDatagramSize = MAX_UDP_PAYLOAD,
  } = options;
  if (typeof hostname !== "string") {
    throw new TypeError(
      `Cannot ${action}: hostname must be a string, got ${typeof hostname}`,
    );
  }
  checkPort(action, port, 0);
  if (
    !Number.isInteger(maxDatagramSize) || maxDatagramSize < 1 ||
    maxDatagramSize > MAX_UDP_PAYLOAD
  ) {
    throw new RangeError(
      `Cannot ${action}: maxDatagramSize ${maxDatagramSize} is not an integer in 1..${MAX_UDP_PAYLOAD}`,
    );
  }
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
  return construct(conn, maxDatagramSize);
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

function checkPort(action: string, port: unknown, min: number): number {
  if (typeof port !== "number") {
    throw new TypeError(
      `Cannot ${action}: port must be a number, got ${typeof port}`,
    );
  }
  if (!Number.isInteger(port) || port < min || port > 65535) {
    throw new RangeError(
      `Cannot ${action}: port ${port} is not an integer in ${min}..65535`,
    );
  }
  return port;
}

// Directed broadcast addresses of the local interfaces, read once and only
// when the permission is already granted (never prompt from a send).
let directedBroadcasts: Set<string> | undefined;

function broadcastAddresses(): Set<string> {
  if (directedBroadcasts !== undefined) return directedBroadcasts;
  const found = new Set<string>(["255.255.255.255"]);
  try {
    const status = Deno.permissions.querySync({
      name: "sys",
      kind: "networkInterfaces",
    });
    if (status.state === "granted") {
      for (const nic of Deno.networkInterfaces()) {
        if (nic.family !== "IPv4") continue;
        const address = parseIpv4(nic.address);
        const mask = parseIpv4(nic.netmask);
        if (address === null || mask === null) continue;
        const maskBits = ((mask[0] << 24) | (mask[1] << 16) | (mask[2] << 8) |
          mask[3]) >>> 0;
        // A /31 or /32 has no broadcast address.
        if (maskBits >= 0xffff_fffe) continue;
        found.add(
          address.map((part, i) => (part | (~mask[i] & 255))).join("."),
        );
      }
    }
  } catch {
    // No permission API or no interfaces: only the limited broadcast address.
  }
  directedBroadcasts = found;
  return found;
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
 * Delivery: `send()` checks its arguments, the closed state and the
 * broadcast gate when it is called (the promise rejects with those errors);
 * a datagram that passes is *accepted*. Accepted datagrams are handed to
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
  #closed = false;
  #closedDone = Promise.withResolvers<void>();
  #queue: QueuedSend[] = [];
  #sending = false;
  #broadcast = false;
  #buffer: Uint8Array<ArrayBuffer> | null;
  #memberships = new Map<string, Deno.MulticastV4Membership>();

  private constructor(conn: Deno.DatagramConn, maxDatagramSize: number) {
    this.#conn = conn;
    this.#addr = conn.addr as Deno.NetAddr;
    this.#maxDatagramSize = maxDatagramSize;
    // One byte more than the limit, so oversize datagrams can be told apart.
    this.#buffer = new Uint8Array(maxDatagramSize + 1);
  }

  /**
   * Binds a UDP socket.
   *
   * @param options Local address and port, socket options, size limit.
   * @returns The bound endpoint.
   * @throws {RangeError} For a port outside 0–65535 or a bad size limit.
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
    construct = (conn, maxDatagramSize) =>
      new DatagramEndpoint(conn, maxDatagramSize);
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
   * @throws {RangeError} When the payload is too long or the port is out of range.
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
      }
    }
    this.#sending = false;
    if (this.#closed) this.#closeSocket();
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
