// Copyright 2026 the moonwire authors. MIT license.
// CTTP over CTCP, independent of what carries the packets: client requests
// matched to responses by request id, the server's REST routing, bounds and
// counters. The CNet node puts this on CryptoNet sockets; tests can put it on
// any lossy pipe.

import { abortError } from "../net/_abort.ts";
import type { LuaValue } from "./_cnet_lua_value.ts";
import {
  type CtcpConnectFailure,
  CtcpEndpoint,
  type CtcpEndpointHooks,
  type CtcpSession,
  type CtcpTuning,
} from "./_ctcp_engine.ts";
import { bindConnection } from "./_ctcp_registry.ts";
import { CttpRouter } from "./_cttp_router.ts";
import { estimateSize } from "./_cnet_value_size.ts";
import { CtcpConnection } from "./ctcp_connection.ts";
import type { CttpHeader } from "./cttp_request.ts";
import { CttpRequest } from "./cttp_request.ts";
import { CttpResponse } from "./cttp_response.ts";
import { CttpStatus } from "./cttp_status.ts";

/** A REST handler as the core sees it. */
export type CoreHandler<L> = (
  args: string[],
  header: CttpHeader,
  data: LuaValue,
  connection: CtcpConnection<L>,
) => unknown;

/** Options of the core. */
export interface CnetCoreOptions<L> {
  /** Sends one packet over a link. */
  send: CtcpEndpointHooks<L>["send"];
  /** CTCP timers and bounds. */
  tuning?: Partial<CtcpTuning>;
  /** Largest accepted request or response (estimated encoded bytes). */
  maxRequestSize?: number;
  /** Requests in flight per connection, per side. */
  maxPendingRequests?: number;
}

/** Result of one request. */
export interface CoreRequestResult {
  response: CttpResponse | null;
  acknowledged: boolean;
}

interface Pending {
  resolve(result: CoreRequestResult): void;
  acknowledged: boolean;
}

interface ConnectionEntry<L> {
  connection: CtcpConnection<L>;
  pending: Map<number, Pending>;
  nextRequestId: number;
  serving: number;
}

const DEFAULT_MAX_REQUEST_SIZE = 64 * 1024;
const DEFAULT_MAX_PENDING = 256;

function isRecord(value: unknown): value is Record<string, LuaValue> {
  return typeof value === "object" && value !== null &&
    !Array.isArray(value) && !(value instanceof Map) &&
    !(value instanceof Uint8Array);
}

function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) &&
    value >= 0;
}

/** CTTP requests and REST routing over CTCP connections. */
export class CnetCore<L> {
  readonly endpoint: CtcpEndpoint<L>;
  readonly router: CttpRouter<CoreHandler<L>> = new CttpRouter();
  readonly maxRequestSize: number;
  readonly maxPendingRequests: number;
  #entries = new Map<CtcpSession<L>, ConnectionEntry<L>>();
  /** Called when an accepted connection completes its handshake. */
  onAccept?: (connection: CtcpConnection<L>) => void;
  /** Called when any connection ends. */
  onClose?: (connection: CtcpConnection<L>, graceful: boolean) => void;

  constructor(options: CnetCoreOptions<L>) {
    this.maxRequestSize = options.maxRequestSize ?? DEFAULT_MAX_REQUEST_SIZE;
    this.maxPendingRequests = options.maxPendingRequests ?? DEFAULT_MAX_PENDING;
    this.endpoint = new CtcpEndpoint<L>({
      send: options.send,
      onMessage: (session, payload) => this.#message(session, payload),
      onAccept: (session) => {
        const entry = this.#entry(session);
        this.onAccept?.(entry.connection);
      },
      onClose: (session, graceful) => {
        const entry = this.#entries.get(session);
        if (entry === undefined) return;
        this.#entries.delete(session);
        for (const pending of entry.pending.values()) {
          pending.resolve({
            response: null,
            acknowledged: pending.acknowledged,
          });
        }
        entry.pending.clear();
        this.onClose?.(entry.connection, graceful);
      },
      holdFin: (session) => (this.#entries.get(session)?.serving ?? 0) > 0,
    }, options.tuning);
  }

  /** Malformed CTCP and CTTP packets dropped so far. */
  get malformedPackets(): number {
    return this.endpoint.malformedPackets;
  }

  /** Feeds a received value; `false` when it is not a CTCP packet. */
  receive(link: L, value: unknown): boolean {
    return this.endpoint.receive(link, value);
  }

  /**
   * Opens a CTCP connection over `link`; `null` when it failed (`onFailure`
   * says why first).
   */
  async connect(
    link: L,
    timeout: number,
    onFailure?: (reason: CtcpConnectFailure) => void,
  ): Promise<CtcpConnection<L> | null> {
    const session = await this.endpoint.connect(link, timeout, onFailure);
    if (session === null) return null;
    return this.#entry(session).connection;
  }

  /** Drops every connection and clears every timer. */
  close(): void {
    this.endpoint.close();
  }

  #entry(session: CtcpSession<L>): ConnectionEntry<L> {
    let entry = this.#entries.get(session);
    if (entry !== undefined) return entry;
    const connection = new CtcpConnection<L>(
      session.link,
      session.nextSeq,
      session.expected,
    );
    session.onNumbers = (seq, ack) => {
      connection.seqNumber = seq;
      connection.ackNumber = ack;
    };
    entry = { connection, pending: new Map(), nextRequestId: 1, serving: 0 };
    const state = entry;
    bindConnection(connection, {
      get isOpen() {
        return session.isOpen;
      },
      initiator: session.initiator,
      request: (request, timeout, signal) =>
        this.#request(
          session,
          state,
          request as CttpRequest,
          timeout,
          signal,
        ),
      // A graceful close delivers what was sent before it: the peer's
      // responses come before its FIN-ACK, so pending requests stay until
      // the connection has ended (onClose answers the rest with null).
      close: (timeout) => session.close(timeout),
    });
    this.#entries.set(session, entry);
    return entry;
  }

  #request(
    session: CtcpSession<L>,
    entry: ConnectionEntry<L>,
    request: CttpRequest,
    timeout: number,
    signal?: AbortSignal,
  ): Promise<CoreRequestResult> {
    if (!(request instanceof CttpRequest)) {
      throw new TypeError(
        "Cannot send CTTP request: request must be a CttpRequest",
      );
    }
    if (!session.isOpen) {
      return Promise.resolve({ response: null, acknowledged: false });
    }
    if (entry.pending.size >= this.maxPendingRequests) {
      throw new RangeError(
        `Cannot send CTTP request: ${entry.pending.size} requests already in flight`,
      );
    }
    const id = entry.nextRequestId++;
    const message: Record<string, LuaValue> = {
      q: id,
      m: request.requestMethod,
      p: request.path,
      h: request.header,
      d: request.data,
    };
    if (estimateSize(message, this.maxRequestSize) > this.maxRequestSize) {
      throw new RangeError(
        `Cannot send CTTP request: request exceeds ${this.maxRequestSize} bytes`,
      );
    }
    const { promise, resolve, reject } = Promise.withResolvers<
      CoreRequestResult
    >();
    const timer = setTimeout(() => {
      entry.pending.delete(id);
      pending.resolve({ response: null, acknowledged: pending.acknowledged });
    }, timeout);
    // The request went out and still reaches the server; only the wait for
    // its response ends, and a late response is dropped as after a timeout.
    const aborted = () => {
      entry.pending.delete(id);
      clearTimeout(timer);
      reject(abortError("send CTTP request", signal!));
    };
    const pending: Pending = {
      acknowledged: false,
      resolve(result) {
        clearTimeout(timer);
        signal?.removeEventListener("abort", aborted);
        resolve(result);
      },
    };
    try {
      session.send(message, (acknowledged) => {
        if (acknowledged) pending.acknowledged = true;
      });
    } catch (error) {
      clearTimeout(timer); // the send queue is full: nothing is pending
      throw error;
    }
    entry.pending.set(id, pending);
    if (signal?.aborted) aborted();
    else signal?.addEventListener("abort", aborted, { once: true });
    return promise;
  }

  #message(session: CtcpSession<L>, payload: LuaValue): void {
    const entry = this.#entry(session);
    if (session.initiator) this.#response(entry, payload);
    else this.#serve(session, entry, payload);
  }

  #response(entry: ConnectionEntry<L>, payload: LuaValue): void {
    if (
      !isRecord(payload) || !isId(payload.r) || !isId(payload.c) ||
      typeof payload.t !== "string" ||
      (payload.h !== undefined && payload.h !== null && !isRecord(payload.h))
    ) {
      this.endpoint.countMalformed();
      return;
    }
    const pending = entry.pending.get(payload.r);
    if (pending === undefined) return; // answered after its timeout
    entry.pending.delete(payload.r);
    const response = new CttpResponse(
      { code: payload.c, message: payload.t },
      (payload.h ?? {}) as CttpHeader,
      payload.d ?? null,
    );
    pending.resolve({ response, acknowledged: true });
  }

  #serve(
    session: CtcpSession<L>,
    entry: ConnectionEntry<L>,
    payload: LuaValue,
  ): void {
    if (
      !isRecord(payload) || !isId(payload.q) || typeof payload.p !== "string" ||
      (payload.h !== undefined && payload.h !== null && !isRecord(payload.h))
    ) {
      this.endpoint.countMalformed();
      return;
    }
    const id = payload.q;
    const reply = (response: CttpResponse) => {
      entry.serving--;
      if (!session.isOpen && session.state !== "closing") return;
      const message: Record<string, LuaValue> = {
        r: id,
        c: response.statusCode,
        t: response.statusMessage,
        h: response.header,
        d: response.data,
      };
      if (estimateSize(message, this.maxRequestSize) > this.maxRequestSize) {
        message.c = CttpStatus.INTERNAL_SERVER_ERROR.code;
        message.t = CttpStatus.INTERNAL_SERVER_ERROR.message;
        message.h = {};
        message.d = null;
      }
      try {
        session.send(message);
      } catch {
        // The send queue is full: the peer is not reading; its request times out.
      }
      // The peer's FIN waited for this answer (holdFin).
      if (entry.serving === 0) session.releaseFin();
    };
    entry.serving++;
    if (entry.serving > this.maxPendingRequests) {
      reply(new CttpResponse(CttpStatus.TOO_MANY_REQUESTS));
      return;
    }
    if (estimateSize(payload, this.maxRequestSize) > this.maxRequestSize) {
      reply(new CttpResponse(CttpStatus.BAD_REQUEST, {}, "Request too large"));
      return;
    }
    const route = this.router.route(payload.m ?? null, payload.p);
    if (!route.found) {
      reply(
        new CttpResponse(
          route.code === 404
            ? CttpStatus.NOT_FOUND
            : CttpStatus.NOT_IMPLEMENTED,
        ),
      );
      return;
    }
    const header = (payload.h ?? {}) as CttpHeader;
    const data = payload.d ?? null;
    let result: unknown;
    try {
      result = route.handler(route.args, header, data, entry.connection);
    } catch {
      reply(new CttpResponse(CttpStatus.INTERNAL_SERVER_ERROR));
      return;
    }
    Promise.resolve(result).then(
      (value) => reply(toResponse(value)),
      () => reply(new CttpResponse(CttpStatus.INTERNAL_SERVER_ERROR)),
    );
  }
}

/** A handler's result as a response: plain values become `200 OK`. */
function toResponse(value: unknown): CttpResponse {
  if (value instanceof CttpResponse) return value;
  return new CttpResponse(CttpStatus.OK, {}, (value ?? null) as LuaValue);
}
