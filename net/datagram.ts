// Copyright 2026 the moonwire authors. MIT license.
/**
 * Received UDP datagrams of the polling API (Pragtical `net.datagram`).
 *
 * @module
 */
import type { Address } from "./address.ts";

/**
 * One received UDP datagram: its bytes and the sender's address and port.
 * Returned by `Udp.receive()`.
 *
 * @example Build and read a datagram
 * ```ts
 * import { Datagram, resolveAddress } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const datagram = new Datagram(
 *   new TextEncoder().encode("ping"),
 *   resolveAddress("127.0.0.1"),
 *   5353,
 * );
 * assert.equal(new TextDecoder().decode(datagram.getData()), "ping");
 * assert.equal(datagram.getAddress().getIp(), "127.0.0.1");
 * assert.equal(datagram.getPort(), 5353);
 * ```
 */
export class Datagram {
  #data: Uint8Array<ArrayBuffer>;
  #address: Address;
  #port: number;

  /**
   * Creates a datagram record.
   *
   * @param data The payload.
   * @param address The sender's address.
   * @param port The sender's port.
   */
  constructor(data: Uint8Array<ArrayBuffer>, address: Address, port: number) {
    this.#data = data;
    this.#address = address;
    this.#port = port;
  }

  /**
   * The sender's address (resolved, an IP).
   *
   * @returns The address.
   */
  getAddress(): Address {
    return this.#address;
  }

  /**
   * The payload bytes (decode with `TextDecoder` for text).
   *
   * @returns The bytes.
   */
  getData(): Uint8Array<ArrayBuffer> {
    return this.#data;
  }

  /**
   * The sender's port.
   *
   * @returns The port.
   */
  getPort(): number {
    return this.#port;
  }
}
