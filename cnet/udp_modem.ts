// Copyright 2026 the moonwire authors. MIT license.
import { type DatagramEndpoint, MAX_UDP_PAYLOAD } from "../net/mod.ts";
import {
  bindDatagramEndpoint,
  receiveEach,
  sendQueueFull,
} from "../net/_datagram_endpoint.ts";
import { checkSignal, throwIfAborted } from "../net/_abort.ts";
import { isIP } from "node:net";
import { checkMaxOpenChannels, ModemChannels } from "./_modem_channels.ts";
import type { Modem, ModemMessageHandler, ModemSubscription } from "./modem.ts";

/** Bytes of the UdpModem header: magic "CM", version, flags, sender, channels. */
export const UDP_MODEM_HEADER_LENGTH = 12;
const MAGIC_0 = 0x43;
const MAGIC_1 = 0x4d;
const VERSION = 1;

/** A unicast peer of a {@linkcode UdpModem} in peer-list mode. */
export interface UdpModemPeer {
  /** The peer's IPv4 address, e.g. `"127.0.0.1"`. */
  hostname: string;
  /** The peer's UDP port. */
  port: number;
}

/** Options for {@linkcode UdpModem.create}. */
export interface UdpModemOptions {
  /**
   * Unicast peers: when given (even empty), the modem sends each
   * transmission to every peer instead of a multicast group (for hosts or
   * tests without multicast). Add more with `addPeer`.
   */
  peers?: UdpModemPeer[];
  /** Multicast group (multicast mode; default `"239.255.67.78"`). */
  group?: string;
  /**
   * UDP port: the group's port in multicast mode (default 47800, shared by
   * every modem of the group), the local port in peer-list mode (default 0:
   * any free port).
   */
  port?: number;
  /**
   * Local address to bind: default `"0.0.0.0"` in multicast mode,
   * `"127.0.0.1"` in peer-list mode.
   */
  hostname?: string;
  /** Interface address to join the group on (default `"0.0.0.0"`). */
  networkInterface?: string;
  /**
   * Largest payload `transmit` accepts (default 1200, so datagrams fit a
   * 1500-byte MTU; at most 65495).
   */
  maxPayloadSize?: number;
  /** Most channels open at once (default 128, as ComputerCraft). */
  maxOpenChannels?: number;
  /**
   * Most datagrams `transmit()` accepted and the socket has not taken yet
   * (one per peer in peer-list mode); `transmit()` throws a `RangeError`
   * beyond (default 1024).
   */
  maxPendingSends?: number;
  /**
   * Bytes (header included) of those datagrams; `transmit()` throws a
   * `RangeError` beyond. At least `maxPayloadSize` + 12 (default 4 MiB).
   */
  maxPendingBytes?: number;
  /**
   * Aborts creating the modem: `create()` rejects with a `DOMException`
   * named `"AbortError"` (`Cannot create UDP modem: aborted`, `cause` the
   * signal's reason) and the socket it bound is closed. Fired before the
   * call, nothing is bound. Joining the group is a local call that returns
   * quickly, so an abort during it lands as it returns. Once created the
   * signal does nothing: `close()` the modem.
   */
  signal?: AbortSignal;
}

/** Counters of a {@linkcode UdpModem}. */
export interface UdpModemStats {
  /** Datagrams sent (one per peer in peer-list mode). */
  sent: number;
  /** Sends the operating system refused. */
  sendErrors: number;
  /**
   * Receive errors the operating system reported (e.g. an ICMP "port
   * unreachable" for a transmission to a peer that is gone).
   */
  receiveErrors: number;
  /** Datagrams received and delivered on an open channel. */
  delivered: number;
  /** Datagrams dropped: not ours (bad header), or our own looped back. */
  dropped: number;
}

const MAX_PAYLOAD = MAX_UDP_PAYLOAD - UDP_MODEM_HEADER_LENGTH;

/**
 * A {@linkcode Modem} over UDP: multicast on a LAN (every modem joined to
 * the group hears every transmission), or a peer list of unicast addresses
 * for hosts without multicast. Each datagram carries a 12-byte header:
 * `"CM"`, version 1, flags, a random 4-byte sender id (so a modem never
 * hears itself), the channel and the reply channel (big-endian u16).
 * Transmissions are fire and forget; send failures are counted.
 *
 * Delivery: a transmission `transmit()` accepted (returned without
 * throwing) is handed to the socket once per target, in the order of the
 * `transmit()` calls, also right after `create()`; `close()` hands every
 * accepted transmission to the socket before closing it (`closed` resolves
 * after that). UDP may still lose datagrams on the network, as a modem may.
 *
 * Multicast datagrams follow the default route: use multicast only on a
 * LAN you mean to talk to.
 *
 * @example Two modems in peer-list mode on loopback
 * ```ts
 * import { type ModemMessage, UdpModem } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * await using a = await UdpModem.create({ peers: [] });
 * await using b = await UdpModem.create({
 *   peers: [{ hostname: "127.0.0.1", port: a.port }],
 * });
 * a.open(9);
 * const heard = new Promise<ModemMessage>((resolve) => a.subscribe(resolve));
 * b.transmit(9, 10, new TextEncoder().encode("over udp"));
 * const message = await heard;
 * assert.equal(message.replyChannel, 10);
 * assert.equal(new TextDecoder().decode(message.payload), "over udp");
 * ```
 */
export class UdpModem implements Modem, AsyncDisposable {
  readonly #endpoint: DatagramEndpoint;
  readonly #channels: ModemChannels;
  readonly #sender = crypto.getRandomValues(new Uint8Array(4));
  readonly #peers: UdpModemPeer[] | undefined;
  readonly #group: string | undefined;
  readonly #groupPort: number;
  readonly #maxPayloadSize: number;
  readonly #stats: UdpModemStats = {
    sent: 0,
    sendErrors: 0,
    receiveErrors: 0,
    delivered: 0,
    dropped: 0,
  };
  readonly #loop: Promise<void>;

  private constructor(
    endpoint: DatagramEndpoint,
    options: {
      peers: UdpModemPeer[] | undefined;
      group: string | undefined;
      groupPort: number;
      maxPayloadSize: number;
      maxOpenChannels: number;
    },
  ) {
    this.#endpoint = endpoint;
    this.#peers = options.peers;
    this.#group = options.group;
    this.#groupPort = options.groupPort;
    this.#maxPayloadSize = options.maxPayloadSize;
    this.#channels = new ModemChannels(options.maxOpenChannels);
    this.#loop = receiveEach(
      endpoint,
      (datagram) => this.#onDatagram(datagram.data),
      () => this.#stats.receiveErrors++,
    );
  }

  /**
   * Binds a UDP socket and, in multicast mode, joins the group.
   *
   * @param options Mode (peers or multicast), addresses, limits, abort
   * signal.
   * @returns The open modem.
   * @throws {TypeError} When `peers` is not an array of `{ hostname, port }`,
   * or without `--unstable-net` (the message names the flag).
   * @throws {SyntaxError} When a peer's hostname is not an IPv4 address.
   * @throws {RangeError} For a peer port outside 1–65535 or a bad limit.
   * @throws {Deno.errors.AddrInUse} When the port is taken (the message
   * names the address and port).
   * @throws {DOMException} An `AbortError` when `options.signal` fires
   * before the modem is created.
   *
   * @example A modem with a peer added later
   * ```ts
   * import { UdpModem } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * await using a = await UdpModem.create({ peers: [] });
   * await using b = await UdpModem.create({ peers: [] });
   * a.addPeer("127.0.0.1", b.port);
   * assert.equal(a.mode, "peers");
   * assert.deepEqual(a.peers, [{ hostname: "127.0.0.1", port: b.port }]);
   * ```
   */
  static async create(options: UdpModemOptions = {}): Promise<UdpModem> {
    const action = "create UDP modem";
    const signal = checkSignal(options.signal, action);
    const maxPayloadSize = options.maxPayloadSize ?? 1200;
    if (
      !Number.isInteger(maxPayloadSize) || maxPayloadSize < 1 ||
      maxPayloadSize > MAX_PAYLOAD
    ) {
      throw new RangeError(
        `Cannot create UDP modem: maxPayloadSize ${maxPayloadSize} is not in 1-${MAX_PAYLOAD}`,
      );
    }
    const maxOpenChannels = checkMaxOpenChannels(
      "create UDP modem",
      options.maxOpenChannels ?? 128,
    );
    const peerMode = options.peers !== undefined;
    if (peerMode && !Array.isArray(options.peers)) {
      throw new TypeError(
        "Cannot create UDP modem: options.peers must be an array of { hostname, port }",
      );
    }
    const peers = options.peers?.map((peer, i) =>
      checkPeer("create UDP modem", peer, `options.peers[${i}]`)
    );
    const group = peerMode ? undefined : options.group ?? "239.255.67.78";
    const port = options.port ?? (peerMode ? 0 : 47800);
    throwIfAborted(signal, action);
    const endpoint = bindDatagramEndpoint("create UDP modem", {
      hostname: options.hostname ?? (peerMode ? "127.0.0.1" : "0.0.0.0"),
      port,
      reuseAddress: !peerMode,
      loopback: !peerMode,
      maxDatagramSize: maxPayloadSize + UDP_MODEM_HEADER_LENGTH,
      maxPendingSends: options.maxPendingSends,
      maxPendingBytes: options.maxPendingBytes,
    });
    try {
      if (group !== undefined) {
        await endpoint.joinMulticast(group, options.networkInterface);
      }
      throwIfAborted(signal, action);
    } catch (error) {
      endpoint.close();
      await endpoint.closed;
      throw error;
    }
    return new UdpModem(endpoint, {
      peers,
      group,
      groupPort: endpoint.port,
      maxPayloadSize,
      maxOpenChannels,
    });
  }

  /** `"multicast"` or `"peers"`. */
  get mode(): "multicast" | "peers" {
    return this.#peers === undefined ? "multicast" : "peers";
  }

  /** The local UDP port. */
  get port(): number {
    return this.#endpoint.port;
  }

  /** The local address. */
  get hostname(): string {
    return this.#endpoint.hostname;
  }

  /** The multicast group, `undefined` in peer-list mode. */
  get group(): string | undefined {
    return this.#group;
  }

  /** A copy of the peer list (empty in multicast mode). */
  get peers(): UdpModemPeer[] {
    return (this.#peers ?? []).map((peer) => ({ ...peer }));
  }

  /** The largest payload `transmit` accepts. */
  get maxPayloadSize(): number {
    return this.#maxPayloadSize;
  }

  /** Whether `close()` has been called. */
  get isClosed(): boolean {
    return this.#channels.isClosed;
  }

  /** A snapshot of the counters. */
  get stats(): UdpModemStats {
    return { ...this.#stats };
  }

  /**
   * Resolves once `close()` has handed every accepted transmission to the
   * socket, closed it, and the receive loop has stopped.
   */
  get closed(): Promise<void> {
    return Promise.all([this.#loop, this.#endpoint.closed]).then(() => {});
  }

  /**
   * Adds a unicast peer (peer-list mode only).
   *
   * @param hostname IPv4 address.
   * @param port UDP port.
   * @throws {SyntaxError} When `hostname` is not an IPv4 address.
   * @throws {RangeError} When `port` is outside 1–65535.
   */
  addPeer(hostname: string, port: number): void {
    if (this.#peers === undefined) {
      throw new Error("Cannot add peer: modem is in multicast mode");
    }
    const peer = checkPeer("add peer", { hostname, port });
    if (
      !this.#peers.some((p) => p.hostname === hostname && p.port === port)
    ) {
      this.#peers.push(peer);
    }
  }

  /**
   * Removes a unicast peer.
   *
   * @param hostname IPv4 address.
   * @param port UDP port.
   * @returns Whether it was in the list.
   */
  removePeer(hostname: string, port: number): boolean {
    const index =
      this.#peers?.findIndex((p) =>
        p.hostname === hostname && p.port === port
      ) ?? -1;
    if (index < 0) return false;
    this.#peers!.splice(index, 1);
    return true;
  }

  /**
   * Starts hearing `channel`: datagrams for it from the group or the peers
   * reach this modem's subscribers.
   *
   * @param channel 0–65535.
   */
  open(channel: number): void {
    this.#channels.open(channel);
  }

  /**
   * Whether datagrams for `channel` are delivered.
   *
   * @param channel 0–65535.
   * @returns `true` when the channel is open.
   */
  isOpen(channel: number): boolean {
    return this.#channels.isOpen(channel);
  }

  /**
   * Closes `channel`, or the whole modem (socket included) without one. A
   * modem close hands every accepted transmission to the socket first.
   *
   * @param channel 0–65535, or nothing to close the modem.
   */
  close(channel?: number): void {
    if (this.#channels.close(channel)) this.#endpoint.close();
  }

  /** Closes every open channel; the socket stays open. */
  closeAll(): void {
    this.#channels.closeAll();
  }

  /**
   * Sends `payload` to the group or every peer. Accepted when it returns:
   * the datagrams are handed to the socket in call order (and before a
   * `close()` that follows); a send the socket refuses counts in
   * `stats.sendErrors`. A transmission the send queue has no room for (all
   * its datagrams, one per peer) is not accepted: it throws and nothing of
   * it is sent.
   *
   * @param channel 0–65535.
   * @param replyChannel 0–65535.
   * @param payload At most {@linkcode UdpModem.maxPayloadSize} bytes.
   * @throws {RangeError} For a channel outside 0–65535, a payload over
   * `maxPayloadSize`, or a full send queue (`Cannot transmit: send queue is
   * full (1024 datagrams)`; `maxPendingSends`, `maxPendingBytes`).
   * @throws {Error} Once the modem is closed.
   */
  transmit(channel: number, replyChannel: number, payload: Uint8Array): void {
    this.#channels.checkTransmit(
      channel,
      replyChannel,
      payload,
      this.#maxPayloadSize,
    );
    const datagram = new Uint8Array(UDP_MODEM_HEADER_LENGTH + payload.length);
    datagram[0] = MAGIC_0;
    datagram[1] = MAGIC_1;
    datagram[2] = VERSION;
    datagram.set(this.#sender, 4);
    const view = new DataView(datagram.buffer);
    view.setUint16(8, channel);
    view.setUint16(10, replyChannel);
    datagram.set(payload, UDP_MODEM_HEADER_LENGTH);
    const targets = this.#peers ??
      [{ hostname: this.#group!, port: this.#groupPort }];
    // All of the transmission or none of it.
    const full = sendQueueFull(
      this.#endpoint,
      targets.length,
      targets.length * datagram.length,
    );
    if (full !== undefined) throw new RangeError(`Cannot transmit: ${full}`);
    for (const target of targets) {
      this.#stats.sent++;
      this.#endpoint.send(datagram, target.hostname, target.port).catch(
        () => this.#stats.sendErrors++,
      );
    }
  }

  /**
   * Calls `handler` for each message heard on an open channel.
   *
   * @param handler Receives each message.
   * @returns A subscription; `close()` removes the handler.
   */
  subscribe(handler: ModemMessageHandler): ModemSubscription {
    return this.#channels.subscribe(handler);
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Closes the modem and waits for `closed`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.closed;
  }

  #onDatagram(data: Uint8Array<ArrayBuffer>): void {
    if (
      data.length < UDP_MODEM_HEADER_LENGTH || data[0] !== MAGIC_0 ||
      data[1] !== MAGIC_1 || data[2] !== VERSION ||
      (data[4] === this.#sender[0] && data[5] === this.#sender[1] &&
        data[6] === this.#sender[2] && data[7] === this.#sender[3])
    ) {
      this.#stats.dropped++;
      return;
    }
    const view = new DataView(data.buffer, data.byteOffset);
    const channel = view.getUint16(8);
    if (!this.#channels.has(channel)) return;
    this.#stats.delivered++;
    this.#channels.deliver({
      channel,
      replyChannel: view.getUint16(10),
      payload: data.slice(UDP_MODEM_HEADER_LENGTH),
      distance: undefined,
    });
  }
}

// `name` is how messages name the peer ("options.peers[2]"); without one
// they name just its fields.
function checkPeer(action: string, peer: unknown, name?: string): UdpModemPeer {
  if (typeof peer !== "object" || peer === null) {
    throw new TypeError(
      `Cannot ${action}: ${name} must be an object { hostname, port }, got ${
        peer === null ? "null" : typeof peer
      }`,
    );
  }
  const prefix = name === undefined ? "" : `${name}.`;
  const { hostname, port } = peer as Partial<UdpModemPeer>;
  if (typeof hostname !== "string") {
    throw new TypeError(
      `Cannot ${action}: ${prefix}hostname must be a string, got ${typeof hostname}`,
    );
  }
  if (isIP(hostname) !== 4) {
    throw new SyntaxError(
      `Cannot ${action}: ${prefix}hostname ${
        JSON.stringify(hostname)
      } is not an IPv4 address`,
    );
  }
  if (typeof port !== "number") {
    throw new TypeError(
      `Cannot ${action}: ${prefix}port must be a number, got ${typeof port}`,
    );
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(
      `Cannot ${action}: ${prefix}port ${port} is not an integer in 1-65535`,
    );
  }
  return { hostname, port };
}
