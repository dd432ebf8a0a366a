// Copyright 2026 the moonwire authors. MIT license.
// The client half of a CNetNode: CTCP connections it opens, each over a
// CryptoNet session of its own, and the CTTP requests sent over them.
import { ConnectionClosedError } from "../net/errors.ts";
import {
  abortable,
  checkSignal,
  isAbortError,
  throwIfAborted,
} from "../net/_abort.ts";
import type { CnetCore } from "./_cnet_core.ts";
import type { CryptoNetNode, Socket } from "./_cnet_cryptonet.ts";
import { checkTimeout } from "./_cnet_node_checks.ts";
import { ctcpConnectError } from "./_ctcp_connect_error.ts";
import type { CtcpConnectFailure } from "./_ctcp_engine.ts";
import { connectionState } from "./_ctcp_registry.ts";
import type {
  ConnectAndSendCttpRequestResult,
  ConnectCtcpOptions,
  SendCttpRequestOptions,
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
    const signal = checkSignal(options.signal, "connect CTCP");
    const action = `connect CTCP to "${serverId}"`;
    if (this.#isClosed()) {
      throw new ConnectionClosedError(`Cannot ${action}: node is closed`);
    }
    throwIfAborted(signal, action);
    const deadline = Date.now() + timeout * 1000;
    const opening = this.#cryptoNet.connect(serverId, {
      timeout,
      modemSide: options.modemSide,
      certAuthKey: options.certAuthKey,
      allowUnsigned: options.allowUnsigned,
    });
    // The abort is CTCP's own (its message names the CTCP action), so the
    // CryptoNet connect gets no signal: after an abort its attempt runs out
    // by itself, and a session it still opens is closed at once.
    const socket = await abortable(opening, signal, action, () => {
      opening.then((late) => {
        this.#sockets.add(late);
        void this.closeSocket(late);
      }, () => {});
    });
    this.#sockets.add(socket);
    let failure: CtcpConnectFailure = "closed";
    // Closing the session ends the CTCP handshake (and its timer) too.
    const connection = await abortable(
      this.#core.connect(
        socket,
        Math.max(0, deadline - Date.now()),
        (reason) => failure = reason,
      ),
      signal,
      action,
      () => void this.closeSocket(socket),
    );
    if (connection !== null) return connection;
    await this.closeSocket(socket);
    throw ctcpConnectError(serverId, failure, timeout);
  }

  async disconnect(
    connection: CtcpConnection<Socket>,
    options: { timeout?: number; signal?: AbortSignal } = {},
  ): Promise<boolean> {
    if (!(connection instanceof CtcpConnection)) {
      throw new TypeError(
        "Cannot disconnect CTCP: connection must be a CtcpConnection",
      );
    }
    const timeout = checkTimeout("disconnect CTCP", options.timeout);
    const state = connectionState(connection);
    if (state === undefined) return false;
    // An abort drops the session at once instead of waiting for FIN-ACK.
    const acknowledged = await abortable(
      state.close(timeout * 1000),
      options.signal,
      "disconnect CTCP",
      () => void this.closeSocket(connection.socket),
    );
    if (state.initiator) await this.closeSocket(connection.socket);
    return acknowledged;
  }

  async request(
    connection: CtcpConnection<Socket>,
    request: CttpRequest,
    options: SendCttpRequestOptions = {},
  ): Promise<SendCttpRequestResult> {
    const action = "send CTTP request";
    if (!(connection instanceof CtcpConnection)) {
      throw new TypeError(
        `Cannot ${action}: connection must be a CtcpConnection`,
      );
    }
    checkRequest(request);
    const timeout = checkTimeout(action, options.timeout);
    const signal = checkSignal(options.signal, action);
    throwIfAborted(signal, action);
    const state = connectionState(connection);
    if (state === undefined || !state.initiator) {
      return { response: null, acknowledged: false };
    }
    return await state.request(
      request,
      timeout * 1000,
      signal,
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
      // Wrong arguments are the caller's bug and an abort the caller's
      // wish; anything else is seed 001's `connected = false`, with the
      // reason.
      if (
        error instanceof TypeError || error instanceof RangeError ||
        isAbortError(error)
      ) {
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
    const { timeout, signal } = options;
    let result: SendCttpRequestResult;
    try {
      result = await this.request(connection, request, { timeout, signal });
    } catch (error) {
      // Aborted, or the request was refused (too large, too many in
      // flight): the connection opened for it must not outlive the call.
      await this.closeSocket(connection.socket);
      throw error;
    }
    const disconnectAcknowledged = await this.disconnect(connection, {
      timeout,
      signal,
    });
    return { ...result, connected: true, disconnectAcknowledged };
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
