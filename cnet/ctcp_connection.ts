// Copyright 2026 the moonwire authors. MIT license.
import { connectionState } from "./_ctcp_registry.ts";

/**
 * A CTCP connection: the CryptoNet socket it runs over and its current CTCP
 * sequence and acknowledgement numbers. `connectCtcp` returns live ones; a
 * connection built with `new` is a detached record (its `isOpen` is `false`
 * and requests on it fail at once).
 *
 * @typeParam S The socket type (a CryptoNet socket for connections made by
 * `connectCtcp`).
 *
 * @example A detached connection record
 * ```ts
 * import { CtcpConnection } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const connection = new CtcpConnection("socket", 100, 200);
 * assert.equal(connection.seqNumber, 100);
 * assert.equal(connection.ackNumber, 200);
 * assert.equal(connection.isOpen, false);
 * ```
 */
export class CtcpConnection<S = unknown> {
  /** The CryptoNet socket the connection runs over. */
  socket: S;
  /** The next CTCP sequence number this side will use. */
  seqNumber: number;
  /** The next CTCP sequence number expected from the peer. */
  ackNumber: number;

  /**
   * Creates a connection record.
   *
   * @param socket The CryptoNet socket.
   * @param seqNumber The CTCP sequence number.
   * @param ackNumber The CTCP acknowledgement number.
   */
  constructor(socket: S, seqNumber: number, ackNumber: number) {
    this.socket = socket;
    this.seqNumber = seqNumber;
    this.ackNumber = ackNumber;
  }

  /** Whether the connection is established and not closing. */
  get isOpen(): boolean {
    return connectionState(this)?.isOpen ?? false;
  }
}
