// Copyright 2026 the moonwire authors. MIT license.
// The client half of a CNetNode: CTCP connections it opens, each over a
// CryptoNet session of its own, and the CTTP requests sent over them.
import { ConnectionClosedError } from "../net/errors.ts";
import type { CnetCore } from "./_cnet_core.ts";
import type { CryptoNetNode, Socket } from "./_cnet_cryptonet.ts";
import { checkTimeout } from "./_cnet_node_checks.ts";
import { ctcpConnectError } from "./_ctcp_connect_error.ts";
import type { CtcpConnectFailure } from "./_ctcp_engine.ts";
import { connectionState } from "./_ctcp_registry.ts";
import type {
  ConnectAndSendCttpRequestResult,
  ConnectCtcpOptions,
  SendCttpRequestResult,
} from "./cnet_node_types.ts";
import { CtcpConnection } from "./ctcp_connection.ts";
import { CttpRequest } from "./cttp_request.ts";

export class CtcpClient {
  readonly #cryptoNet: CryptoNetNode;
  readonly #core: CnetCore<Socket>;
  readonly #isClosed: () => boolean;
  readonly #sockets = new Set<Socket>();
  /** Sockets being closed, so `disconnect`/`close` can wait. */
  readonly #closing = new Map<Socket, Promise<void>>();

  constructor(
    cryptoNet: CryptoNetNode,
    core: CnetCore<Socket>,
    isClosed: () => boolean,
  ) {
    this.#cryptoNet = cryptoNet;
    this.#core = core;
    this.#isClosed = isClosed;
  }

  async connect(
    serverId: string,
    options: ConnectCtcpOptions = {},
  ): Promise<CtcpConnection<Socket>> {
    if (typeof serverId !== "string") {
      throw new TypeError(
        `Cannot connect CTCP: server id must be a string, got ${typeof serverId}`,
      );
    }
    const timeout = checkTimeout("connect CTCP", options.timeout);
    if (this.#isClosed()) {
      throw new ConnectionClosedError(
        `Cannot connect CTCP to "${serverId}": node is closed`,
      );
    }
    const deadline = Date.now() + timeout * 1000;
    const socket = await this.#cryptoNet.connect(serverId, {
      timeout,
      ...(options.modemSide === undefined
        ? {}
        : { modemSide: options.modemSide }),
    });
    this.#sockets.add(socket);
    let failure: CtcpConnectFailure = "closed";
    const connection = await this.#core.connect(
      socket,
      Math.max(0, deadline - Date.now()),
      (reason) => failure = reason,
    );
    if (connection !== null) return connection;
    await this.closeSocket(socket);
    throw ctcpConnectError(serverId, failure, timeout);
  }

  async disconnect(
    connection: CtcpConnection<Socket>,
    options: { timeout?: number } = {},
  ): Promise<boolean> {
    if (!(connection instanceof CtcpConnection)) {
      throw new TypeError(
        "Cannot disconnect CTCP: connection must be a CtcpConnection",
      );
    }
    const timeout = checkTimeout("disconnect CTCP", options.timeout);
    const state = connectionState(connection);
    if (state === undefined) return false;
    const acknowledged = await state.close(timeout * 1000);
    if (state.initiator) await this.closeSocket(connection.socket);
    return acknowledged;
  }

  async request(
    connection: CtcpConnection<Socket>,
    request: CttpRequest,
    options: { timeout?: number } = {},
  ): Promise<SendCttpRequestResult> {
    if (!(connection instanceof CtcpConnection)) {
      throw new TypeError(
        "Cannot send CTTP request: connection must be a CtcpConnection",
      );
    }
    checkRequest(request);
    const timeout = checkTimeout("send CTTP request", options.timeout);
    const state = connectionState(connection);
    if (state === undefined || !state.initiator) {
      return { response: null, acknowledged: false };
    }
    return await state.request(
      request,
      timeout * 1000,
    ) as SendCttpRequestResult;
  }

  async connectAndRequest(
    serverId: string,
    request: CttpRequest,
    options: ConnectCtcpOptions = {},
  ): Promise<ConnectAndSendCttpRequestResult> {
    checkRequest(request);
    let connection: CtcpConnection<Socket>;
    try {
      connection = await this.connect(serverId, options);
    } catch (error) {
      // Wrong arguments are the caller's bug; anything else is seed 001's
      // `connected = false`, with the reason.
      if (error instanceof TypeError || error instanceof RangeError) {
        throw error;
      }
      return {
        response: null,
        connected: false,
        acknowledged: false,
        disconnectAcknowledged: false,
        error: error as Error,
      };
    }
    const { response, acknowledged } = await this.request(
      connection,
      request,
      { timeout: options.timeout },
    );
    const disconnectAcknowledged = await this.disconnect(connection, {
      timeout: options.timeout,
    });
    return { response, connected: true, acknowledged, disconnectAcknowledged };
  }

  /** A session closed from the other side is no longer ours to close. */
  forget(socket: Socket): void {
    this.#sockets.delete(socket);
  }

  /** Closes a socket `connect` opened; waits for a close under way. */
  closeSocket(socket: Socket): Promise<void> {
    if (!this.#sockets.delete(socket)) {
      return this.#closing.get(socket) ?? Promise.resolve();
    }
    const closing = socket.close().catch(() => {}).finally(() =>
      this.#closing.delete(socket)
    );
    this.#closing.set(socket, closing);
    return closing;
  }

  /** Closes every socket `connect` opened and waits for closes under way. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.#sockets, ...this.#closing.keys()].map((socket) =>
        this.closeSocket(socket)
      ),
    );
  }
}

function checkRequest(request: unknown): void {
  if (!(request instanceof CttpRequest)) {
    throw new TypeError(
      "Cannot send CTTP request: request must be a CttpRequest",
    );
  }
}
