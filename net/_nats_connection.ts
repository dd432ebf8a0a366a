// Copyright 2026 the moonwire authors. MIT license.
// The NATS connection code the NATS entry points share (cnet/nats, mm/nats):
// connecting with options that notice a hung node within seconds, the status
// events users see, the payload limit, holding publishes while the connection
// is down, and closing.
// Only NATS entry points may import this file: it is the one place that
// imports the NATS client, so users of the other entry points never
// download it.
import {
  connect,
  type NatsConnection,
  type QueuedIterator,
  type ReconnectToServerHandler,
  type Status,
} from "@nats-io/transport-node";
import { abortable, checkSignal, throwIfAborted } from "./_abort.ts";

/**
 * A change of a NATS connection's state, as the NATS entry points report it
 * (the client's own status events, reduced to what an application acts on):
 *
 * - `disconnect`: the connection to `server` was lost (closed, or found
 *   stale); the client buffers publishes and tries the other servers.
 * - `reconnecting`: the client is trying a server.
 * - `reconnect`: connected again, to `server` (subscriptions are restored).
 * - `stale`: `server` stopped answering pings; a `disconnect` follows.
 * - `lameDuck`: `server` is shutting down gracefully; the client moves on.
 * - `error`: the server reported `error` (e.g. a permissions violation).
 * - `close`: the connection is closed for good (closed by its owner, or the
 *   reconnect attempts ran out); nothing more follows.
 *
 * @example Describe a status
 * ```ts
 * import type { NatsStatus } from "@moonwire/moonwire/cnet/nats";
 * import assert from "node:assert/strict";
 *
 * function describe(status: NatsStatus): string {
 *   switch (status.type) {
 *     case "disconnect":
 *     case "reconnect":
 *     case "lameDuck":
 *       return `${status.type} ${status.server}`;
 *     case "error":
 *       return `error ${status.error.message}`;
 *     default:
 *       return status.type;
 *   }
 * }
 * assert.equal(
 *   describe({ type: "reconnect", server: "127.0.0.1:4222" }),
 *   "reconnect 127.0.0.1:4222",
 * );
 * ```
 */
export type NatsStatus =
  | { type: "disconnect"; server: string }
  | { type: "reconnecting" }
  | { type: "reconnect"; server: string }
  | { type: "stale" }
  | { type: "lameDuck"; server: string }
  | { type: "error"; error: Error }
  | { type: "close" };

/**
 * Called with each {@linkcode NatsStatus} of a connection.
 *
 * @example Count reconnects
 * ```ts
 * import type { NatsStatusHandler } from "@moonwire/moonwire/cnet/nats";
 * import assert from "node:assert/strict";
 *
 * let reconnects = 0;
 * const onStatus: NatsStatusHandler = (status) => {
 *   if (status.type === "reconnect") reconnects++;
 * };
 * onStatus({ type: "reconnect", server: "127.0.0.1:4222" });
 * assert.equal(reconnects, 1);
 * ```
 */
export type NatsStatusHandler = (status: NatsStatus) => void;

/**
 * How a NATS entry point connects when it is given server URLs (it then owns
 * the connection). The defaults notice a node that hangs (e.g. stopped with
 * SIGSTOP) within about 3 s and move to another node of the cluster: a ping
 * every second, stale after 2 unanswered pings, 2 s to connect to a server,
 * retrying for ever, and never redialling the node just left first while
 * another is known.
 *
 * @example Give up after 5 attempts per server
 * ```ts
 * import type { NatsConnectOptions } from "@moonwire/moonwire/cnet/nats";
 * import assert from "node:assert/strict";
 *
 * const options: NatsConnectOptions = { maxReconnectAttempts: 5 };
 * assert.equal(options.pingInterval, undefined); // default 1000 ms
 * ```
 */
export interface NatsConnectOptions {
  /** Name shown in the server's monitoring pages. */
  name?: string;
  /** User name, with `pass`. */
  user?: string;
  /** Password, with `user`. */
  pass?: string;
  /** Authentication token. */
  token?: string;
  /** Milliseconds between client pings (default 1000). */
  pingInterval?: number;
  /**
   * Unanswered pings after which the connection is stale and the client
   * reconnects (default 2).
   */
  maxPingOut?: number;
  /** Milliseconds to connect to one server, TCP and handshake (default 2000). */
  timeout?: number;
  /** Milliseconds before a server is tried again (default 250). */
  reconnectTimeWait?: number;
  /**
   * Attempts per server before the connection gives up and closes; -1
   * never gives up (default -1).
   */
  maxReconnectAttempts?: number;
}

/** NATS subject tokens without wildcards or white space, separated by ".". */
export const NATS_SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** The connect defaults of {@linkcode NatsConnectOptions}. */
export const NATS_CONNECT_DEFAULTS = {
  pingInterval: 1000,
  maxPingOut: 2,
  timeout: 2000,
  reconnectTimeWait: 250,
  maxReconnectAttempts: -1,
} as const;

function checkServers(action: string, servers: unknown): string[] {
  const list = typeof servers === "string" ? [servers] : servers;
  if (
    !Array.isArray(list) || list.length === 0 ||
    !list.every((s) => typeof s === "string" && s.length > 0)
  ) {
    throw new TypeError(
      `Cannot ${action}: servers must be a URL string or a non-empty array of them`,
    );
  }
  return list;
}

function checkInteger(
  action: string,
  name: string,
  value: number | undefined,
  min: number,
  max: number,
): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`Cannot ${action}: ${name} must be an integer`);
  }
  if (value < min || value > max) {
    throw new RangeError(
      `Cannot ${action}: ${name} ${value} is not in ${min}-${max}`,
    );
  }
}

/**
 * Connects to the first reachable of `servers` with the hung-node defaults.
 * Errors name the servers: `Cannot <action>: no NATS server answered at
 * 127.0.0.1:1 (<reason>)`, with the client's error as `cause`.
 */
export async function connectNats(
  action: string,
  servers: string | string[],
  options: NatsConnectOptions & { noEcho?: boolean },
): Promise<NatsConnection> {
  const list = checkServers(action, servers);
  const week = 7 * 24 * 3600 * 1000;
  checkInteger(action, "pingInterval", options.pingInterval, 10, week);
  checkInteger(action, "maxPingOut", options.maxPingOut, 1, 1000);
  checkInteger(action, "timeout", options.timeout, 10, week);
  checkInteger(
    action,
    "reconnectTimeWait",
    options.reconnectTimeWait,
    0,
    week,
  );
  checkInteger(
    action,
    "maxReconnectAttempts",
    options.maxReconnectAttempts,
    -1,
    1_000_000,
  );
  // Only the connection's own options: callers pass theirs along with them.
  const picked: NatsConnectOptions & { noEcho?: boolean } = {
    name: options.name,
    user: options.user,
    pass: options.pass,
    token: options.token,
    pingInterval: options.pingInterval,
    maxPingOut: options.maxPingOut,
    timeout: options.timeout,
    reconnectTimeWait: options.reconnectTimeWait,
    maxReconnectAttempts: options.maxReconnectAttempts,
    noEcho: options.noEcho,
  };
  try {
    return await connect({
      ...NATS_CONNECT_DEFAULTS,
      ...definedOnly(picked),
      servers: list,
      reconnectToServer: notTheSameServerTwice(),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Cannot ${action}: no NATS server answered at ${
        list.join(", ")
      } (${reason})`,
      { cause: error },
    );
  }
}

/**
 * Connects as {@linkcode connectNats} does, with `noEcho`, and hands the
 * connection to `create`, whose result then owns it; closes it again when
 * `create` throws. `signal` (checked: TypeError unless an AbortSignal)
 * rejects with `Cannot <action>: aborted`, before connecting when it has
 * already fired; a connection that opens after the abort is closed at once.
 */
export async function connectOwned<T>(
  action: string,
  servers: string | string[],
  options: NatsConnectOptions & { signal?: AbortSignal },
  create: (connection: NatsConnection) => T,
): Promise<T> {
  const signal = checkSignal(options.signal, action);
  throwIfAborted(signal, action);
  const connecting = connectNats(action, servers, {
    ...options,
    noEcho: true,
  });
  // The client cannot stop a connect: the abort lets go of it, and closes
  // what it still opens.
  const connection = await abortable(connecting, signal, action, () => {
    connecting.then((late) => late.close(), () => {});
  });
  try {
    return create(connection);
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/** Throws a TypeError unless `connection` is an open NATS connection. */
export function checkNatsConnection(
  action: string,
  connection: unknown,
): asserts connection is NatsConnection {
  const candidate = connection as NatsConnection | null;
  if (
    typeof candidate !== "object" || candidate === null ||
    typeof candidate.publish !== "function" ||
    typeof candidate.isClosed !== "function"
  ) {
    throw new TypeError(
      `Cannot ${action}: connection must be a NatsConnection`,
    );
  }
  if (candidate.isClosed()) {
    throw new TypeError(`Cannot ${action}: connection is closed`);
  }
}

// The client's first reconnect attempt goes to the server it was just on
// (measured: a SIGSTOPped node then costs a whole connect timeout before the
// next node is tried). Never dial the same server twice in a row while the
// pool has another one.
function notTheSameServerTwice(): ReconnectToServerHandler {
  let last: string | undefined;
  return (pool) => {
    let pick = pool[0];
    if (pick !== undefined && pick.listen === last && pool.length > 1) {
      pick = pool[1];
    }
    last = pick?.listen;
    return pick ?? null;
  };
}

// `{ timeout: undefined }` must not override a default.
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

function translate(status: Status): NatsStatus | undefined {
  switch (status.type) {
    case "disconnect":
      return { type: "disconnect", server: status.server };
    case "reconnecting":
      return { type: "reconnecting" };
    case "reconnect":
      return { type: "reconnect", server: status.server };
    case "staleConnection":
      return { type: "stale" };
    case "ldm":
      return { type: "lameDuck", server: status.server };
    case "error":
      return { type: "error", error: status.error };
    case "close":
      return { type: "close" };
    default:
      // Pings, cluster updates, slow consumers: not an application's concern.
      return undefined;
  }
}

/** A running status watch; `stop()` ends it (idempotent). */
export interface NatsStatusWatch {
  stop(): void;
  /** Resolves when the watch has ended (stopped or the connection closed). */
  readonly done: Promise<void>;
}

/**
 * Calls `onStatus` with each {@linkcode NatsStatus} of `connection` until
 * `stop()` or the connection closes (`close` is the last one reported). A
 * throwing handler is reported and does not end the watch.
 */
export function watchNatsStatus(
  connection: NatsConnection,
  onStatus: NatsStatusHandler,
): NatsStatusWatch {
  const iterator = connection.status() as QueuedIterator<Status>;
  const done = (async () => {
    for await (const status of iterator) {
      const event = translate(status);
      if (event === undefined) continue;
      try {
        onStatus(event);
      } catch (error) {
        reportError(error);
      }
    }
  })();
  return { stop: () => iterator.stop(), done };
}

/**
 * The largest message the server `connection` is attached to accepts
 * (`max_payload` of its INFO), or 0 when the connection is closed.
 */
export function natsMaxPayload(connection: NatsConnection): number {
  return connection.info?.max_payload ?? 0;
}

/**
 * Waits until the server has every message published on `connection` so
 * far (a PING/PONG round trip), or `timeout` ms, whichever comes first;
 * resolves `false` on the timeout or when the connection fails meanwhile.
 */
export async function flushNats(
  connection: NatsConnection,
  timeout: number,
): Promise<boolean> {
  if (connection.isClosed()) return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeout);
  });
  try {
    return await Promise.race([
      connection.flush().then(() => true, () => false),
      expired,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a {@linkcode NatsOutbox} publishes through (its owner's connection). */
export type Publish = (subject: string, message: Uint8Array) => void;

/**
 * Messages accepted while a connection is down. The NATS client (nats.js 3)
 * discards its own write buffer on every dial attempt, so whatever is
 * published between a disconnect and the reconnect is lost unless it is
 * held here and published after the reconnect, in order. Bounded in bytes.
 */
export class NatsOutbox {
  readonly #maxBytes: number;
  #subjects: string[] = [];
  #messages: Uint8Array[] = [];
  #bytes = 0;
  #connected = true;
  #waiters: (() => void)[] = [];

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Whether the connection is up as far as the status events tell. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Messages held. */
  get length(): number {
    return this.#messages.length;
  }

  /**
   * Publishes at once while connected, else holds the message. Returns
   * false, holding nothing, when the message does not fit.
   */
  send(publish: Publish, subject: string, message: Uint8Array): boolean {
    if (this.#connected) {
      publish(subject, message);
      return true;
    }
    if (this.#bytes + message.length > this.#maxBytes) return false;
    this.#subjects.push(subject);
    this.#messages.push(message);
    this.#bytes += message.length;
    return true;
  }

  /** The connection went down: hold what is sent from now on. */
  disconnected(): void {
    this.#connected = false;
  }

  /**
   * The connection is up again: publishes everything held, in order, in
   * this same call (also what is sent while it runs, so no send can
   * overtake a held one), then sends go straight through again. Returns how
   * many were published.
   */
  reconnected(publish: Publish): number {
    let count = 0;
    // Still "disconnected" while publishing: a send made meanwhile is held
    // behind the others, and the loop checks again before opening up.
    while (this.#messages.length > 0) {
      const subjects = this.#subjects;
      const messages = this.#messages;
      this.#subjects = [];
      this.#messages = [];
      this.#bytes = 0;
      for (let i = 0; i < messages.length; i++) {
        publish(subjects[i], messages[i]);
      }
      count += messages.length;
    }
    this.#connected = true;
    for (const wake of this.#waiters.splice(0)) wake();
    return count;
  }

  /** Drops everything held (closing for good) and returns it. */
  clear(): Uint8Array[] {
    const dropped = this.#messages;
    this.#subjects = [];
    this.#messages = [];
    this.#bytes = 0;
    for (const wake of this.#waiters.splice(0)) wake();
    return dropped;
  }

  /**
   * Resolves true once nothing is held (at once when nothing is), or false
   * after `timeout` ms.
   */
  async empty(timeout: number): Promise<boolean> {
    if (this.#messages.length === 0) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await new Promise<boolean>((resolve) => {
        this.#waiters.push(() => resolve(this.#messages.length === 0));
        timer = setTimeout(() => resolve(false), timeout);
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
